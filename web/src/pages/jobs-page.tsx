/**
 * Jobs: state, schedule in words, next fire (relative and absolute, viewer's zone), last run; filter by
 * state, search by name, bulk pause/resume of the selected rows; refreshed live from events.
 */

import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Badge, ErrorNote, Link, Loading, Pager, Time } from '../components/ui';
import { useLiveRefresh } from '../events';
import { useNow } from '../format';
import { notify, useAction, useDebounced, usePoll, useResource } from '../hooks';
import { navigate, paths, useLocation } from '../router';
import { useScheduleWords } from '../schedule-text';
import type { Job, Page, SchedulerStatus } from '../types';

const STATES = ['', 'enabled', 'paused', 'completed', 'faulted'];
const LIMIT = 50;

function ScheduleWords({ job }: { job: Job }): JSX.Element {
  return <span class="schedule-words">{useScheduleWords(job.schedule)}</span>;
}

export function JobsPage(): JSX.Element {
  const { search } = useLocation();
  const [state, setState] = useState(search.get('state') ?? '');
  const [q, setQ] = useState(search.get('q') ?? '');
  const [offset, setOffset] = useState(0);
  const query = useDebounced(q.trim(), 250);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, act] = useAction();
  const now = useNow(10_000);

  // The filter lives in the URL (never anything secret), so a reload or a link keeps it.
  useEffect(() => {
    const p = new URLSearchParams();
    if (state) p.set('state', state);
    if (query) p.set('q', query);
    const s = p.toString();
    navigate(`${paths.jobs()}${s ? `?${s}` : ''}`, true);
    setOffset(0);
  }, [state, query]);

  const jobs = useResource(
    (signal) => {
      const p = new URLSearchParams({ limit: String(LIMIT), offset: String(offset), sort: 'name' });
      if (state) p.set('state', state);
      if (query) p.set('q', query);
      return api<Page<Job>>('GET', `/jobs?${p}`, { signal });
    },
    [state, query, offset],
  );
  const scheduler = useResource((signal) => api<SchedulerStatus>('GET', '/scheduler', { signal }), []);

  useLiveRefresh(
    (e) => e.type.startsWith('job.') || e.type.startsWith('run.') || e.type === 'fire',
    () => jobs.reload(),
  );
  useLiveRefresh(
    (e) => e.type.startsWith('scheduler.'),
    () => scheduler.reload(),
  );
  // Events come from the node this page is connected to; what happens on other nodes shows on a poll.
  usePoll(() => {
    jobs.reload();
    scheduler.reload();
  }, 15_000);

  const items = jobs.data?.items ?? [];
  const visibleSelected = items.filter((j) => selected.has(j.id)).map((j) => j.id);
  const allChecked = items.length > 0 && visibleSelected.length === items.length;

  const toggle = (id: string, on: boolean): void => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  const bulk = async (action: 'pause' | 'resume'): Promise<void> => {
    const ids = visibleSelected;
    let done = 0;
    const ok = await act('', async () => {
      done = (await api<{ count: number }>('POST', `/jobs/${action}`, { body: { ids } })).count;
    });
    if (ok) {
      // The server skips jobs already in the wanted state (or completed): say how many it changed.
      const verb = action === 'pause' ? 'Paused' : 'Resumed';
      const rest = ids.length - done;
      notify(
        `${verb} ${done} job${done === 1 ? '' : 's'}` +
          (rest > 0
            ? ` (${rest} of the selected ${rest === 1 ? 'was' : 'were'} not ${action === 'pause' ? 'enabled' : 'paused'})`
            : ''),
      );
      setSelected(new Set());
      jobs.reload();
    }
  };

  return (
    <main id="main">
      <div class="page-head">
        <h1>Jobs</h1>
        <Link href={paths.newJob()} class="button primary">
          + New job
        </Link>
      </div>
      {scheduler.data?.state === 'standby' && (
        <p class="banner warning" role="status">
          The scheduler is in standby: no job fires until it is started again on the{' '}
          <Link href={paths.cluster()}>cluster page</Link>.
        </p>
      )}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="job-search">Search by name</label>
          <input
            id="job-search"
            type="search"
            value={q}
            placeholder="name contains…"
            onInput={(e) => setQ(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="job-state">State</label>
          <select id="job-state" value={state} onChange={(e) => setState(e.currentTarget.value)}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s || 'all states'}
              </option>
            ))}
          </select>
        </div>
        <div class="bulk" role="group" aria-label="Selected jobs">
          <span class="muted small" aria-live="polite">
            {visibleSelected.length} selected
          </span>
          <button
            type="button"
            disabled={busy || visibleSelected.length === 0}
            onClick={() => void bulk('pause')}
          >
            Pause selected
          </button>
          <button
            type="button"
            disabled={busy || visibleSelected.length === 0}
            onClick={() => void bulk('resume')}
          >
            Resume selected
          </button>
        </div>
      </form>
      <ErrorNote error={jobs.error} />
      {!jobs.data && !jobs.error && <Loading what="jobs" />}
      {jobs.data && items.length === 0 && (
        <p class="empty">
          {state || query ? 'No job matches.' : 'No jobs yet.'} <Link href={paths.newJob()}>Create one</Link>.
        </p>
      )}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="jobs-table responsive" aria-label="Jobs" aria-busy={jobs.loading}>
            <thead>
              <tr>
                <th scope="col" class="select">
                  <input
                    type="checkbox"
                    aria-label="Select all jobs on this page"
                    checked={allChecked}
                    onChange={(e) =>
                      setSelected(e.currentTarget.checked ? new Set(items.map((j) => j.id)) : new Set())
                    }
                  />
                </th>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Schedule</th>
                <th scope="col">Next fire</th>
                <th scope="col">Last run</th>
                <th scope="col" class="num">
                  Runs
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((job) => (
                <tr key={job.id} data-job-id={job.id} class={selected.has(job.id) ? 'selected' : undefined}>
                  <td class="select">
                    <input
                      type="checkbox"
                      aria-label={`Select ${job.name}`}
                      checked={selected.has(job.id)}
                      onChange={(e) => toggle(job.id, e.currentTarget.checked)}
                    />
                  </td>
                  <td data-label="Name">
                    <Link href={paths.job(job.id)} class="job-link">
                      {job.name}
                    </Link>
                    <div class="muted small mono">{job.id}</div>
                  </td>
                  <td data-label="State">
                    <Badge
                      value={job.state}
                      title={job.pause?.reason ? `paused: ${job.pause.reason}` : undefined}
                    />
                  </td>
                  <td data-label="Schedule">
                    <ScheduleWords job={job} />
                  </td>
                  <td data-label="Next fire">
                    {job.status.nextFireTime ? (
                      <Time iso={job.status.nextFireTime} now={now} />
                    ) : (
                      <span class="muted">{job.state === 'paused' ? 'paused' : '—'}</span>
                    )}
                  </td>
                  <td data-label="Last run" class="last-run">
                    {job.status.lastRun ? (
                      <Link href={paths.run(job.status.lastRun.id)}>
                        <Badge value={job.status.lastRun.status} />
                      </Link>
                    ) : (
                      <span class="muted">never</span>
                    )}
                    {job.status.lastFireTime && (
                      <div class="small muted">
                        <Time iso={job.status.lastFireTime} now={now} mode="relative" />
                      </div>
                    )}
                  </td>
                  <td data-label="Runs" class="num">
                    {job.status.runCount}
                    {job.status.failureCount > 0 && (
                      <span class="fail-count"> ({job.status.failureCount} failed)</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {jobs.data && (
        <Pager
          offset={offset}
          limit={LIMIT}
          total={jobs.data.pagination.total}
          onOffset={setOffset}
          what="Jobs"
        />
      )}
    </main>
  );
}
