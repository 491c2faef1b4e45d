/**
 * The compiled form of a cron expression, shared by both dialects: one table of allowed values per
 * field and the special day rules (L, W, #). The matcher (cron-matcher.ts) searches wall time with it.
 */

export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

export interface DaysOfMonth {
  /** Bit d-1 set = day d allowed (plain values only). */
  mask: number;
  /** `L` and `L-n`: offsets from the last day (0 = last day). */
  last: number[];
  /** `L-nW` / `LW`: the weekday nearest to (last day - n). */
  lastWeekday: number[];
  /** `nW`: the weekday nearest to day n, not crossing the month. */
  nearestWeekday: number[];
  /** The field was `*` (or began with `*` in the unix dialect), `?` counts as unrestricted too. */
  star: boolean;
  /** `?` (Quartz: no specific value). */
  none: boolean;
}

export interface DaysOfWeek {
  /** Bit w set = weekday w allowed, 0 = Sunday (plain values only). */
  mask: number;
  /** `d#n`: the n-th weekday d of the month. */
  nth: { weekday: number; n: number }[];
  /** `dL`: the last weekday d of the month. */
  last: number[];
  star: boolean;
  none: boolean;
}

/** How day-of-month and day-of-week combine. */
export type DayRule =
  /** Quartz: day-of-week is `?`, only day-of-month applies. */
  | 'dom'
  /** Quartz: day-of-month is `?`, only day-of-week applies. */
  | 'dow'
  /** Unix, either field unrestricted: a day must match both. */
  | 'and'
  /** Unix, both restricted: a day matching either fires. */
  | 'or';

export interface CronFields {
  /** Index = value, 1 = allowed. Lengths: 60, 60, 24, 13 (1-based). */
  seconds: Uint8Array;
  minutes: Uint8Array;
  hours: Uint8Array;
  months: Uint8Array;
  /** Index = year - MIN_YEAR; null = every year. */
  years: Uint8Array | null;
  dom: DaysOfMonth;
  dow: DaysOfWeek;
  dayRule: DayRule;
  /**
   * The hour field is `*` or a step: the job means "every (n-th) real hour", so both occurrences of a
   * repeated wall-clock hour fire under the compatible DST policy.
   */
  realHours: boolean;
}

export function emptyDom(): DaysOfMonth {
  return { mask: 0, last: [], lastWeekday: [], nearestWeekday: [], star: false, none: false };
}

export function emptyDow(): DaysOfWeek {
  return { mask: 0, nth: [], last: [], star: false, none: false };
}

/** A syntax error located in the expression. */
export class CronSyntaxError extends Error {
  /** Name of the field (`seconds`, `minutes`, ... `year`), or null for the expression as a whole. */
  readonly field: string | null;
  /** 0-based character position in the expression. */
  readonly position: number;

  constructor(message: string, field: string | null, position: number) {
    super(message);
    this.name = 'CronSyntaxError';
    this.field = field;
    this.position = position;
  }
}

/** One field of the expression, with where it starts. */
export interface FieldToken {
  text: string;
  position: number;
}

/** Upper-cases ASCII letters only, so character positions stay those of what the user typed. */
export function upperAscii(text: string): string {
  return text.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** Splits on blanks, keeping each token's position. */
export function tokenize(expression: string): FieldToken[] {
  const out: FieldToken[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(expression)) !== null) out.push({ text: m[0], position: m.index });
  return out;
}

/** Splits a field on commas, keeping positions; an empty element is an error. */
export function splitList(token: FieldToken, field: string): FieldToken[] {
  if (!token.text.includes(',')) return [token]; // the common case: one element
  const out: FieldToken[] = [];
  let pos = token.position;
  for (const part of token.text.split(',')) {
    if (part === '') throw new CronSyntaxError(`${field}: empty list element`, field, pos);
    out.push({ text: part, position: pos });
    pos += part.length + 1;
  }
  return out;
}

/**
 * Marks start..end stepping by step. When end < start the range wraps past `max` back to `min`
 * (Quartz's overflowing ranges such as 22-2).
 */
export function markRange(set: Uint8Array, start: number, end: number, step: number, min: number, max: number): void {
  if (end >= start) {
    for (let v = start; v <= end; v += step) set[v] = 1;
    return;
  }
  const span = max - min + 1;
  for (let v = start; v <= end + span; v += step) set[v > max ? v - span : v] = 1;
}

export const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
export const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function maskOf(set: Uint8Array, offset: number): number {
  let mask = 0;
  for (let i = 0; i < set.length; i++) if (set[i]) mask |= 1 << (i - offset);
  return mask;
}
