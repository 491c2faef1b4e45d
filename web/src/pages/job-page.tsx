/**
 * One job: its definition, the next 20 fire times (DST-affected ones marked), the recent fires and
 * their outcomes, the run history with a duration/outcome chart, and the actions (trigger with a
 * payload, pause with reason and until, resume, edit, delete with confirmation). Live from events.
 */

import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { api, enc } from '../api';
import { FireTimeline } from '../components/fire-timeline';
import { DeleteDialog, PauseDialog, TriggerDialog } from '../components/job-dialogs';
import { RunChart } from '../components/run-chart';
import { RunsTable } from '../components/runs-table';
import { PreviewPanel } from '../components/schedule-preview';
import { Badge, ErrorNote, JsonBlock, Link, Loading, Time } from '../components/ui';
import { useLiveRefresh } from '../events';
import { formatInstant, useNow } from '../format';
import { notify, useAction, usePoll, useResource } from '../hooks';
import { navigate, paths } from '../router';
import { useScheduleWords } from '../schedule-text';
import type { FirePage, Job, Page, Run } from '../types';

/** The job's definition as it could be sent back (what the API takes), without its status. */
export function definitionOf(job: Job): Record<string, unknown> {
  const { state: _s, pause: _p, status: _st, version: _v, createdAt: _c, updatedAt: _u, ...definition } = job;
  return definition;
}

function ScheduleLine({ job }: { job: Job }): JSX.Element {
  return <span>{useScheduleWords(job.schedule)}</span>;
}

export function JobPage({ id }: { id: string }): JSX.Element {
  const [dialog, setDialog] = useState<'trigger' | 'pause' | 'delete' | null>(null);
  const [busy, act] = useAction();
  // Set while this page deletes the job: its own job.deleted event then needs no second notice.
  const deleting = useRef(false);
  const job = useResource((signal) => api<Job>('GET', `/jobs/${enc(id)}`, { signal }), [id]);
  const runs = useResource(
    (signal) => api<Page<Run>>('GET', `/jobs/${enc(id)}/runs?limit=50`, { signal }),
    [id],
  );
  const fires = useResource(
    (signal) => api<FirePage>('GET', `/jobs/${enc(id)}/fires?limit=20`, { signal }),
    [id],
  );
  const anyRunning = runs.data?.items.some((r) => r.status === 'running' || r.status === 'queued') ?? false;
  const now = useNow(anyRunning ? 1000 : 10_000);

  useLiveRefresh(
    (e) => e.data['jobId'] === id,
    () => {
      job.reload();
      runs.reload();
      fires.reload();
    },
    150,
  );
  // Events come only from the node this page is connected to: a run on another node shows on a poll
  // (often while a run is under way, seldom otherwise).
  usePoll(
    () => {
      job.reload();
      runs.reload();
      fires.reload();
    },
    anyRunning ? 3000 : 30_000,
  );
  useLiveRefresh(
    (e) => e.type === 'job.deleted' && e.data['jobId'] === id,
    () => {
      if (deleting.current) return;
      notify(`The job ${id} was deleted.`);
      navigate(paths.jobs());
    },
    0,
  );

  if (job.error && !job.data)
    return (
      <main id="main">
        <h1>Job {id}</h1>
        <ErrorNote error={job.error} />
        <Link href={paths.jobs()}>← All jobs</Link>
      </main>
    );
  if (!job.data)
    return (
      <main id="main">
        <Loading what="the job" />
      </main>
    );
  const j = job.data;
  const paused = j.state === 'paused';

  return (
    <main id="main" class="job-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href={paths.jobs()}>Jobs</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{j.name}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1>
            {j.name} <Badge value={j.state} />
          </h1>
          <p class="muted">
            <code>{j.id}</code> · {j.collection} · <ScheduleLine job={j} />
          </p>
          {j.description && <p>{j.description}</p>}
          {j.pause && (
            <p class="banner warning" data-testid="pause-info">
              Paused{j.pause.by ? ` by ${j.pause.by}` : ''}
              {j.pause.pausedAt ? ` ${formatInstant(j.pause.pausedAt)}` : ''}
              {j.pause.reason ? `: “${j.pause.reason}”` : ''}
              {j.pause.until ? `, until ${formatInstant(j.pause.until)}` : ''}.
            </p>
          )}
        </div>
        <div class="actions" role="group" aria-label="Job actions">
          <button type="button" class="primary" onClick={() => setDialog('trigger')}>
            Trigger…
          </button>
          {paused ? (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void act(`Resumed ${j.name}`, () => api('POST', `/jobs/${enc(j.id)}/resume`).then(job.reload))
              }
            >
              Resume
            </button>
          ) : (
            <button type="button" onClick={() => setDialog('pause')}>
              Pause…
            </button>
          )}
          <Link href={paths.edit(j.id)} class="button">
            Edit
          </Link>
          <button type="button" class="danger-outline" onClick={() => setDialog('delete')}>
            Delete…
          </button>
        </div>
      </div>

      <dl class="stats">
        <div>
          <dt>Next fire</dt>
          <dd>{j.status.nextFireTime ? <Time iso={j.status.nextFireTime} now={now} /> : '—'}</dd>
        </div>
        <div>
          <dt>Last fire</dt>
          <dd>{j.status.lastFireTime ? <Time iso={j.status.lastFireTime} now={now} /> : '—'}</dd>
        </div>
        <div>
          <dt>Last run</dt>
          <dd>
            {j.status.lastRun ? (
              <Link href={paths.run(j.status.lastRun.id)}>
                <Badge value={j.status.lastRun.status} />
              </Link>
            ) : (
              '—'
            )}
          </dd>
        </div>
        <div>
          <dt>Runs</dt>
          <dd>
            {j.status.runCount} ({j.status.failureCount} failed)
          </dd>
        </div>
      </dl>

      <div class="grid-2">
        <section class="card" aria-labelledby="runs-title">
          <h2 id="runs-title">Runs</h2>
          <ErrorNote error={runs.error} />
          {runs.data ? (
            <>
              <RunChart runs={runs.data.items} />
              {runs.data.items.length > 0 && <RunsTable runs={runs.data.items} now={now} />}
              {runs.data.pagination.total > runs.data.items.length && (
                <p class="small muted">
                  The latest {runs.data.items.length} of {runs.data.pagination.total} runs.
                </p>
              )}
            </>
          ) : (
            <Loading what="runs" />
          )}
        </section>
        <section class="card" aria-labelledby="fires-title">
          <h2 id="fires-title">Recent fires</h2>
          <ErrorNote error={fires.error} />
          {fires.data ? <FireTimeline fires={fires.data} now={now} /> : <Loading what="fires" />}
        </section>
      </div>

      <PreviewPanel schedule={j.schedule} count={20} title="Next 20 fire times" />

      <section class="card" aria-labelledby="def-title">
        <h2 id="def-title">Definition</h2>
        <p class="small muted">
          Version {j.version}, created {formatInstant(j.createdAt)}, changed {formatInstant(j.updatedAt)}.
        </p>
        <JsonBlock value={definitionOf(j)} label="Job definition (JSON)" />
      </section>

      <TriggerDialog job={j} open={dialog === 'trigger'} onClose={() => setDialog(null)} />
      <PauseDialog job={j} open={dialog === 'pause'} onClose={() => setDialog(null)} onDone={job.reload} />
      <DeleteDialog
        job={j}
        open={dialog === 'delete'}
        onClose={() => setDialog(null)}
        onDeleting={() => {
          deleting.current = true;
        }}
      />
    </main>
  );
}
