/**
 * One run: its steps as a grid by stepIndex (equal indexes side by side: they run in parallel) with
 * status and duration, its output live while it runs (`/log?follow=true`, read as a stream) and the
 * stored output once it is done; cancel while queued or running.
 */

import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiText, enc, messageOf, streamText } from '../api';
import { StepGrid, stepCells, type StepEvent } from '../components/step-grid';
import { Badge, ErrorNote, JsonBlock, Link, Loading, Time } from '../components/ui';
import { recentEvents, subscribe, useLiveRefresh, type LiveEvent } from '../events';
import { between, formatDuration, formatInstant, shortId, useNow } from '../format';
import { useAction, usePoll, useResource } from '../hooks';
import { paths } from '../router';
import { TERMINAL, type Job, type Run } from '../types';

/** The run's output: streamed while it runs, then the stored log. */
function Output({ run, onEnded }: { run: Run; onEnded: () => void }): JSX.Element {
  const terminal = TERMINAL.has(run.status);
  const [text, setText] = useState('');
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pre = useRef<HTMLPreElement>(null);
  const ended = useRef(onEnded);
  ended.current = onEnded;

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    setError(null);
    if (terminal) {
      setLive(false);
      apiText(`/runs/${enc(run.id)}/log`, signal).then(
        (t) => setText(t),
        (err: unknown) => !signal.aborted && setError(messageOf(err)),
      );
    } else {
      setText('');
      setLive(true);
      streamText(`/runs/${enc(run.id)}/log?follow=true`, (chunk) => setText((t) => t + chunk), signal).then(
        () => {
          if (signal.aborted) return;
          setLive(false);
          ended.current();
        },
        (err: unknown) => {
          if (signal.aborted) return;
          setLive(false);
          setError(messageOf(err));
          ended.current();
        },
      );
    }
    return () => controller.abort();
  }, [run.id, terminal]);

  // Keep following the end of the output while the reader is at the end.
  useEffect(() => {
    const el = pre.current;
    if (el && live && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [text, live]);

  return (
    <section class="card" aria-labelledby="output-title">
      <h2 id="output-title">
        Output{' '}
        {live ? (
          <span class="badge badge-running live-badge" data-testid="output-live">
            live
          </span>
        ) : (
          <span class="badge badge-none" data-testid="output-final">
            final
          </span>
        )}
      </h2>
      <ErrorNote error={error} />
      <pre ref={pre} class="log" data-testid="run-output" tabIndex={0} aria-label="Run output">
        {text || <span class="muted">{live ? 'Waiting for output…' : '(no output)'}</span>}
      </pre>
    </section>
  );
}

export function RunPage({ id }: { id: string }): JSX.Element {
  const run = useResource((signal) => api<Run>('GET', `/runs/${enc(id)}`, { signal }), [id]);
  const jobId = run.data?.jobId;
  const job = useResource(
    (signal) => (jobId ? api<Job>('GET', `/jobs/${enc(jobId)}`, { signal }) : Promise.resolve(null)),
    [jobId],
  );
  const [busy, act] = useAction();
  const running = run.data ? !TERMINAL.has(run.data.status) : false;
  const now = useNow(running ? 1000 : 30_000);

  useLiveRefresh(
    (e) => e.data['runId'] === id,
    () => run.reload(),
    100,
  );
  // Step events come only from the node this page is connected to: a run on another node (or one
  // still queued) is looked at again every few seconds until it ends.
  usePoll(() => {
    if (running) run.reload();
  }, 3000);
  // Step ends arrive as events at once; the stored run shows them when its row is written.
  const isStepOfRun = (e: LiveEvent): boolean => e.type === 'run.step' && e.data['runId'] === id;
  const stepKey = (d: StepEvent): string => `${d.phase}:${d.position}`;
  const [stepEvents, setStepEvents] = useState<ReadonlyMap<string, StepEvent>>(
    () =>
      new Map(
        recentEvents(isStepOfRun).map((e) => [
          stepKey(e.data as unknown as StepEvent),
          e.data as unknown as StepEvent,
        ]),
      ),
  );
  useEffect(
    () =>
      subscribe((e) => {
        if (!isStepOfRun(e)) return;
        const d = e.data as unknown as StepEvent;
        setStepEvents((m) => new Map(m).set(stepKey(d), d));
      }),
    [id],
  );

  if (run.error && !run.data)
    return (
      <main id="main">
        <h1>Run {id}</h1>
        <ErrorNote error={run.error} />
      </main>
    );
  if (!run.data)
    return (
      <main id="main">
        <Loading what="the run" />
      </main>
    );
  const r = run.data;
  const cells = stepCells(r, job.data ? job.data.steps : null, stepEvents);
  return (
    <main id="main" class="run-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href={paths.jobs()}>Jobs</Link> <span aria-hidden="true">/</span>{' '}
        <Link href={paths.job(r.jobId)}>{job.data?.name ?? r.jobId}</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">run {shortId(r.id)}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1>
            Run <span class="mono">{shortId(r.id)}</span> <Badge value={r.status} />
          </h1>
          <p class="muted mono small">{r.id}</p>
        </div>
        <div class="actions">
          {running && (
            <button
              type="button"
              class="danger-outline"
              disabled={busy}
              onClick={() =>
                void act('Cancel requested', () => api('POST', `/runs/${enc(r.id)}/cancel`).then(run.reload))
              }
            >
              Cancel run
            </button>
          )}
        </div>
      </div>
      <dl class="stats">
        <div>
          <dt>Trigger</dt>
          <dd>
            {r.trigger}
            {r.attempt > 1 ? ` (attempt ${r.attempt})` : ''}
          </dd>
        </div>
        <div>
          <dt>Scheduled for</dt>
          <dd>{r.scheduledFor ? formatInstant(r.scheduledFor) : '— (manual)'}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{r.startedAt ? <Time iso={r.startedAt} now={now} /> : 'queued'}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd data-testid="run-duration">{formatDuration(between(r.startedAt, r.finishedAt, running))}</dd>
        </div>
        <div>
          <dt>Node</dt>
          <dd class="mono">{r.nodeId ?? '—'}</dd>
        </div>
      </dl>
      {r.error && (
        <p class="banner error" role="status">
          {r.error}
        </p>
      )}
      <section class="card" aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        <StepGrid cells={cells} now={now} runStart={r.startedAt} />
      </section>
      <Output run={r} onEnded={run.reload} />
      {r.payload !== null && r.payload !== undefined && (
        <section class="card" aria-labelledby="payload-title">
          <h2 id="payload-title">Payload</h2>
          <JsonBlock value={r.payload} label="Payload (JSON)" />
        </section>
      )}
    </main>
  );
}
