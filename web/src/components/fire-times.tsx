/** Upcoming fire times from a preview: the viewer's time, the schedule zone's wall time, DST flags. */

import type { JSX } from 'preact';
import { formatInstant, formatRelative, formatWeekday, viewerZone } from '../format';
import type { PreviewFire } from '../types';

/** `2026-03-08T03:30:00-04:00` → `2026-03-08 03:30:00 (−04:00)`. */
function wall(local: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(local);
  if (!m) return local;
  return `${m[1]} ${m[2]}${m[3] && m[3] !== 'Z' ? ` (${m[3]})` : ' (UTC)'}`;
}

export function FireTimes({
  fires,
  timeZone,
  now,
  label,
}: {
  fires: PreviewFire[];
  timeZone: string | null;
  now: number;
  label: string;
}): JSX.Element {
  if (fires.length === 0) return <p class="muted">No upcoming fire times.</p>;
  const dstCount = fires.filter((f) => f.dst).length;
  return (
    <div class="table-wrap">
      <table class="fires" aria-label={label}>
        <caption class="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              #
            </th>
            <th scope="col">Your time ({viewerZone})</th>
            <th scope="col">When</th>
            <th scope="col">DST</th>
          </tr>
        </thead>
        <tbody>
          {fires.map((f, i) => (
            <tr key={f.at} class={f.dst ? 'dst-row' : undefined} data-dst={f.dst ?? undefined}>
              <td class="num">{i + 1}</td>
              <td>
                <time dateTime={f.at}>
                  {formatWeekday(f.at)} {formatInstant(f.at)}
                </time>
                <div class="small muted mono" title={`wall time in ${timeZone ?? 'UTC'}`}>
                  {wall(f.local)} {timeZone ?? 'UTC'}
                </div>
              </td>
              <td>{formatRelative(f.at, now)}</td>
              <td>
                {f.dst ? (
                  <span class="badge badge-dst" title={f.note}>
                    {f.dst}
                  </span>
                ) : (
                  <span class="muted" aria-label="not affected">
                    –
                  </span>
                )}
                {f.dst && f.note && <span class="sr-only">: {f.note}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {dstCount > 0 && (
        <p class="small dst-legend">
          <span class="badge badge-dst">DST</span> {dstCount} of these fall on a daylight-saving change:{' '}
          <em>shifted</em> = the wall time does not exist that day and fires later by the gap;{' '}
          <em>repeated</em> = the wall time occurs twice.
        </p>
      )}
    </div>
  );
}
