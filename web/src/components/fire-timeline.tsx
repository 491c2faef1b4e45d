/** A job's fires: the next planned ones, then the past ones with their outcome (ran, skipped, missed). */

import type { JSX } from 'preact';
import { formatDuration, shortId } from '../format';
import { paths } from '../router';
import type { FirePage } from '../types';
import { Link, Time } from './ui';

export function FireTimeline({ fires, now }: { fires: FirePage; now: number }): JSX.Element {
  const next = fires.next.slice(0, 3);
  return (
    <>
      {next.length > 0 && (
        <>
          <h3 class="small muted">Planned</h3>
          <ol class="timeline" aria-label="Planned fires">
            {next.map((n) => (
              <li key={`next-${n.scheduledFor}`} class="fire fire-planned">
                <span class="dot" aria-hidden="true" />
                <Time iso={n.scheduledFor} now={now} />
                <span class="badge badge-planned">planned</span>
              </li>
            ))}
          </ol>
        </>
      )}
      <h3 class="small muted">Past, newest first</h3>
      {fires.items.length === 0 ? (
        <p class="muted">No scheduled fire yet (manual runs are not fires).</p>
      ) : (
        <ol class="timeline" aria-label="Past fires and their outcomes">
          {fires.items.map((f) => (
            <li key={f.scheduledFor} class={`fire fire-${f.outcome}`} data-outcome={f.outcome}>
              <span class="dot" aria-hidden="true" />
              <Time iso={f.scheduledFor} now={now} />
              <span class={`badge badge-fire-${f.outcome}`}>{f.outcome === 'run' ? 'ran' : f.outcome}</span>
              {f.runId && (
                <Link href={paths.run(f.runId)} class="small">
                  run {shortId(f.runId)}
                </Link>
              )}
              {f.firedAt && f.outcome === 'run' && (
                <span class="small muted">
                  fired{' '}
                  {formatDuration(
                    Math.max(0, new Date(f.firedAt).getTime() - new Date(f.scheduledFor).getTime()),
                  )}{' '}
                  late
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      {fires.pagination.total > fires.items.length && (
        <p class="small muted">
          The latest {fires.items.length} of {fires.pagination.total} fires.
        </p>
      )}
    </>
  );
}
