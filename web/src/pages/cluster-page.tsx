/**
 * The cluster: scheduler state (standby/start), the nodes with heartbeat age, clock skew and what each
 * runs, triggers acquired by a node vs waiting, and the runs executing now.
 */

import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api';
import { Badge, ErrorNote, Link, Loading, Time } from '../components/ui';
import { useLiveRefresh } from '../events';
import { formatDuration, shortId, useNow } from '../format';
import { useAction, useResource } from '../hooks';
import { paths } from '../router';
import type { NodeView, Page, Run, SchedulerStatus, TriggerView } from '../types';
import { RunsTable } from '../components/runs-table';

const REFRESH_MS = 5000;

function TriggerTable({ page, label }: { page: Page<TriggerView> | null; label: string }): JSX.Element {
  if (!page) return <Loading what={label} />;
  if (page.items.length === 0) return <p class="muted">None.</p>;
  return (
    <div class="table-wrap">
      <table aria-label={label} class="responsive">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Fires</th>
            <th scope="col">Node</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((t) => (
            <tr key={`${t.jobId}-${t.scheduledFor}`}>
              <td data-label="Job">
                <Link href={paths.job(t.jobId)}>{t.jobId}</Link>
              </td>
              <td data-label="Fires">
                <Time iso={t.scheduledFor} />
              </td>
              <td data-label="Node" class="mono small">
                {t.nodeId ?? '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.pagination.total > page.items.length && (
        <p class="small muted">
          {page.items.length} of {page.pagination.total}
        </p>
      )}
    </div>
  );
}

function skewText(ms: number | null): string {
  if (ms === null || ms === undefined) return '—';
  const sign = ms > 0 ? '+' : ms < 0 ? '−' : '';
  return `${sign}${formatDuration(Math.abs(ms))}`;
}

export function ClusterPage(): JSX.Element {
  const scheduler = useResource((signal) => api<SchedulerStatus>('GET', '/scheduler', { signal }), []);
  const nodes = useResource((signal) => api<Page<NodeView>>('GET', '/nodes?limit=200', { signal }), []);
  const acquired = useResource(
    (signal) => api<Page<TriggerView>>('GET', '/triggers?state=acquired&limit=20', { signal }),
    [],
  );
  const waiting = useResource(
    (signal) => api<Page<TriggerView>>('GET', '/triggers?state=waiting&limit=20', { signal }),
    [],
  );
  const running = useResource(
    (signal) => api<Page<Run>>('GET', '/runs?status=running&limit=100', { signal }),
    [],
  );
  const [busy, act] = useAction();
  const now = useNow(1000);

  const reloadAll = (): void => {
    scheduler.reload();
    nodes.reload();
    acquired.reload();
    waiting.reload();
    running.reload();
  };
  // Heartbeats and leases change without events: poll while the page is open, and on every event.
  const reloadRef = useRef(reloadAll);
  reloadRef.current = reloadAll;
  useEffect(() => {
    const t = setInterval(() => reloadRef.current(), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  useLiveRefresh(() => true, reloadAll, 400);

  const s = scheduler.data;
  const standby = s?.state === 'standby';
  return (
    <main id="main" class="cluster-page">
      <div class="page-head">
        <h1>Cluster</h1>
        <div class="actions">
          {s &&
            (standby ? (
              <button
                type="button"
                class="primary"
                disabled={busy}
                onClick={() =>
                  void act('Scheduler started', () => api('POST', '/scheduler/start').then(scheduler.reload))
                }
              >
                Start scheduler
              </button>
            ) : (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void act('Scheduler in standby', () =>
                    api('POST', '/scheduler/standby').then(scheduler.reload),
                  )
                }
              >
                Standby (stop firing)
              </button>
            ))}
        </div>
      </div>
      <ErrorNote error={scheduler.error} />
      {s && (
        <dl class="stats" aria-label="Scheduler">
          <div>
            <dt>Scheduler</dt>
            <dd data-testid="scheduler-state">
              <Badge value={s.state} />
            </dd>
          </div>
          <div>
            <dt>Nodes</dt>
            <dd>{s.nodes}</dd>
          </div>
          <div>
            <dt>Jobs</dt>
            <dd>
              {s.counts['jobs'] ?? 0} ({s.counts['enabled'] ?? 0} enabled, {s.counts['paused'] ?? 0} paused)
            </dd>
          </div>
          <div>
            <dt>Runs</dt>
            <dd>
              {s.counts['running'] ?? 0} running, {s.counts['queued'] ?? 0} queued
            </dd>
          </div>
          <div>
            <dt>Answered by</dt>
            <dd class="mono">{s.nodeId}</dd>
          </div>
        </dl>
      )}

      <section class="card" aria-labelledby="nodes-title">
        <h2 id="nodes-title">Nodes</h2>
        <ErrorNote error={nodes.error} />
        {nodes.data ? (
          <div class="table-wrap">
            <table class="nodes-table responsive" aria-label="Nodes">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">State</th>
                  <th scope="col">Heartbeat age</th>
                  <th scope="col">Clock skew</th>
                  <th scope="col">Running</th>
                  <th scope="col">Version</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {nodes.data.items.map((n) => {
                  const stale = n.heartbeatAgeMs > 30_000;
                  return (
                    <tr key={n.id} data-node-id={n.id}>
                      <td data-label="Node">
                        <strong class="mono">{n.id}</strong>
                        <div class="small muted">
                          {n.host} · pid {n.pid}
                        </div>
                      </td>
                      <td data-label="State">
                        <Badge value={n.state} />
                      </td>
                      <td data-label="Heartbeat age" class={stale ? 'warn-text' : undefined}>
                        {formatDuration(n.heartbeatAgeMs)}
                        {stale && ' (stale)'}
                      </td>
                      <td
                        data-label="Clock skew"
                        class={Math.abs(n.clockSkewMs ?? 0) > 1000 ? 'warn-text' : undefined}
                      >
                        {skewText(n.clockSkewMs)}
                      </td>
                      <td data-label="Running">
                        {n.running.length === 0 ? (
                          <span class="muted">idle</span>
                        ) : (
                          n.running.map((id) => (
                            <Link key={id} href={paths.run(id)} class="mono small run-chip">
                              {shortId(id)}
                            </Link>
                          ))
                        )}
                      </td>
                      <td data-label="Version" class="small">
                        {n.version}
                      </td>
                      <td data-label="Started">
                        {n.startedAt ? <Time iso={n.startedAt} now={now} mode="relative" /> : '—'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : (
          <Loading what="nodes" />
        )}
      </section>

      <div class="grid-2">
        <section class="card" aria-labelledby="acquired-title">
          <h2 id="acquired-title">
            Acquired triggers <span class="muted small">({acquired.data?.pagination.total ?? '…'})</span>
          </h2>
          <p class="small muted">Fires leased to a node, about to fire.</p>
          <ErrorNote error={acquired.error} />
          <TriggerTable page={acquired.data} label="Acquired triggers" />
        </section>
        <section class="card" aria-labelledby="waiting-title">
          <h2 id="waiting-title">
            Waiting triggers <span class="muted small">({waiting.data?.pagination.total ?? '…'})</span>
          </h2>
          <p class="small muted">Next fires not yet acquired by any node.</p>
          <ErrorNote error={waiting.error} />
          <TriggerTable page={waiting.data} label="Waiting triggers" />
        </section>
      </div>

      <section class="card" aria-labelledby="running-title">
        <h2 id="running-title">Running now</h2>
        <ErrorNote error={running.error} />
        {running.data ? (
          running.data.items.length ? (
            <RunsTable runs={running.data.items} now={now} showJob />
          ) : (
            <p class="muted">Nothing is running.</p>
          )
        ) : (
          <Loading what="running runs" />
        )}
      </section>
    </main>
  );
}
