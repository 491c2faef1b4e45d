/**
 * Proleptic Gregorian calendar arithmetic on integers: the one home of date maths in sked.
 *
 * "Wall seconds" are seconds since 1970-01-01T00:00:00 of a wall clock, counted as if that clock were
 * UTC; a time zone maps them to and from instants (see zone.ts).
 */

export const SECONDS_PER_DAY = 86_400;

/** Days since 1970-01-01 of a civil date (month 1..12). Howard Hinnant's days_from_civil. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = ((153 * mp + 2) / 5 | 0) + day - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Writes [year, month (1..12), day] of a day number into `out`. */
export function civilFromDays(days: number, out: Int32Array | number[]): void {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36_524) | 0) - ((doe / 146_096) | 0)) / 365) | 0;
  const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0));
  const mp = ((5 * doy + 2) / 153) | 0;
  const day = doy - (((153 * mp + 2) / 5) | 0) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  out[0] = yoe + era * 400 + (month <= 2 ? 1 : 0);
  out[1] = month;
  out[2] = day;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month] as number);
}

/** Day of week of a day number: 0 = Sunday .. 6 = Saturday. */
export function weekdayOfDays(days: number): number {
  // 1970-01-01 was a Thursday (4).
  const w = (days + 4) % 7;
  return w < 0 ? w + 7 : w;
}

/** Wall seconds of a civil date-time. */
export function wallSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  return daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
}

/** A wall time broken into fields (used at the edges: descriptions, previews, tests). */
export interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function wallFields(wall: number): WallFields {
  const days = Math.floor(wall / SECONDS_PER_DAY);
  const sod = wall - days * SECONDS_PER_DAY;
  const ymd = [0, 0, 0];
  civilFromDays(days, ymd);
  return {
    year: ymd[0] as number,
    month: ymd[1] as number,
    day: ymd[2] as number,
    hour: (sod / 3600) | 0,
    minute: ((sod % 3600) / 60) | 0,
    second: sod % 60,
    weekday: weekdayOfDays(days),
  };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `2026-03-08T02:30:00` for a wall time (no zone designator). */
export function formatWall(wall: number): string {
  const f = wallFields(wall);
  const y = f.year >= 0 && f.year < 10_000 ? String(f.year).padStart(4, '0') : String(f.year);
  return `${y}-${pad2(f.month)}-${pad2(f.day)}T${pad2(f.hour)}:${pad2(f.minute)}:${pad2(f.second)}`;
}

/** `+05:30` / `-03:00` / `Z`-free offset text for an offset in seconds. */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  return `${sign}${pad2(h)}:${pad2(m)}${s ? `:${pad2(s)}` : ''}`;
}
