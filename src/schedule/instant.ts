/** RFC 3339 instants and ISO 8601 durations: parsing and formatting, strictly. */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of an RFC 3339 date-time with a zone designator, or null when malformed. */
export function parseInstant(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000 + 1e-7) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  // Date.UTC rolls over invalid days (Feb 30): refuse them.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  if (!z) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return null;
    const off = (offH * 60 + offM) * 60_000;
    t -= sign === '+' ? off : -off;
  }
  return t;
}

/** `2026-11-22T06:00:00.000Z`. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}

const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,3})?)S)?)?$/;

/** The longest duration sked accepts anywhere: 100 years of 365.25 days. */
export const MAX_DURATION_MS = 100 * 365.25 * 86_400_000;

/** The latest instant sked schedules: 9999-12-31T23:59:59.999Z. */
export const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Milliseconds of an ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds with up to
 * millisecond fractions; a day is 24 hours). Years and months have no fixed length and are refused.
 * Returns null when malformed.
 */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const [, w, d, h, mi, s] = m;
  const seconds = s ? Number(s.replace(',', '.')) : 0;
  return (
    (Number(w ?? 0) * 7 * 86_400 + Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60) * 1000 +
    Math.round(seconds * 1000)
  );
}

/** Shortest ISO 8601 form of a duration in milliseconds: `PT30S`, `P1DT2H`, `PT0.5S`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return 'PT0S';
  let rest = ms;
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let out = 'P';
  if (days) out += `${days}D`;
  if (hours || minutes || seconds) {
    out += 'T';
    if (hours) out += `${hours}H`;
    if (minutes) out += `${minutes}M`;
    if (seconds) out += `${seconds}S`;
  }
  return out;
}
