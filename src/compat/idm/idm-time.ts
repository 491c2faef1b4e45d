/**
 * IDM's times and zones. `startTime`/`endTime` are `yyyy-MM-dd'T'HH:mm:ss`, read in the schedule's
 * `timeZone` (IDM 5.x), or carry their own offset (IDM 8.x: `…+02:00`, also `Z`). `timeZone` is a Java zone
 * id: IANA names are used as they are, and Java's custom `GMT+hh:mm` ids map onto `Etc/GMT∓h` when they
 * name a whole hour. Anything else is "not understood" (400), as in IDM.
 */

import { formatWall, wallSeconds } from '../../schedule/civil.js';
import { getZone, type TimeZone } from '../../schedule/zone.js';

/** The IANA zone sked uses for a Java zone id, or null when sked does not know it. */
export function ianaZone(javaId: string): string | null {
  const custom = /^(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(javaId);
  if (custom) {
    const hours = Number(custom[2]);
    if ((custom[3] ?? '00') !== '00' || hours > 14) return null;
    // Etc/GMT+5 is five hours *behind* UTC: POSIX signs are inverted.
    return hours === 0 ? 'UTC' : `Etc/GMT${custom[1] === '+' ? '-' : '+'}${hours}`;
  }
  try {
    getZone(javaId);
    return javaId;
  } catch {
    return null;
  }
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

export interface ParsedTime {
  /** Epoch milliseconds. */
  at: number;
  /** The offset written in the text (`+02:00`, `Z`), or null when the time is read in the zone. */
  offset: string | null;
}

/** Reads an IDM start or end time; null when it is not one. */
export function parseIdmTime(text: string, zone: string): ParsedTime | null {
  const m = TIME.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return null;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-7) : 0;
  const wall = wallSeconds(year, month, day, hour, minute, second);
  const offsetText = m[8] ?? null;
  if (offsetText !== null) {
    const o = offsetText === 'Z' ? 0 : offsetSeconds(offsetText);
    return { at: (wall - o) * 1000 + ms, offset: offsetText };
  }
  // Java reads a wall time that occurs twice at its first occurrence, and one in a DST gap shifted forward.
  return { at: getZone(zone).resolveWall(wall).earlier * 1000 + ms, offset: null };
}

function offsetSeconds(text: string): number {
  const digits = text.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60);
}

/** An instant as IDM writes start and end times: the wall time in `zone`, without an offset. */
export function formatIdmTime(at: number, zone: string): string {
  let tz: TimeZone;
  try {
    tz = getZone(zone);
  } catch {
    tz = getZone('UTC');
  }
  const seconds = Math.floor(at / 1000);
  return formatWall(seconds + tz.offsetAt(seconds));
}
