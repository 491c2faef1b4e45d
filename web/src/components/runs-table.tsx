/** Runs as a table: status, trigger, start, duration, node; each links to its run. */

import type { JSX } from 'preact';
import { between, formatDuration, formatInstant, shortId } from '../format';
import { paths } from '../router';
import type { Run } from '../types';
import { Badge, Link, Time } from './ui';

export function RunsTable({
  runs,
  now,
  showJob = false,
}: {
  runs: Run[];
  now: number;
  showJob?: boolean;
}): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="runs-table responsive" aria-label="Runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            {showJob && <th scope="col">Job</th>}
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started</th>
            <th scope="col" class="num">
              Duration
            </th>
            <th scope="col">Node</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-run-id={r.id} data-status={r.status}>
              <td data-label="Run">
                <Link href={paths.run(r.id)} class="mono">
                  {shortId(r.id)}
                </Link>
                {r.attempt > 1 && <span class="small muted"> attempt {r.attempt}</span>}
              </td>
              {showJob && (
                <td data-label="Job">
                  <Link href={paths.job(r.jobId)}>{r.jobId}</Link>
                </td>
              )}
              <td data-label="Status">
                <Badge value={r.status} title={r.error ?? undefined} />
              </td>
              <td data-label="Trigger">
                {r.trigger}
                {r.scheduledFor && <div class="small muted">for {formatInstant(r.scheduledFor)}</div>}
              </td>
              <td data-label="Started">
                {r.startedAt ? (
                  <Time iso={r.startedAt} now={now} mode="relative" />
                ) : (
                  <span class="muted">queued</span>
                )}
              </td>
              <td data-label="Duration" class="num">
                {formatDuration(between(r.startedAt, r.finishedAt, r.status === 'running'))}
              </td>
              <td data-label="Node" class="mono small">
                {r.nodeId ?? '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
