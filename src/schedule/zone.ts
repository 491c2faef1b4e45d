/**
 * IANA time zones without a run-time dependency: offsets come from the platform's ICU data (Intl),
 * read once per zone and year, and are then served from a table of transitions, so the hot path of
 * next-fire computation never calls Intl.
 *
 * All instants here are in whole seconds since the epoch; offsets are seconds east of UTC.
 */

import { daysFromCivil, SECONDS_PER_DAY } from './civil.js';

/**
 * A span of instants with one UTC offset. Segments never cross a UTC year boundary, so a zone without
 * DST is a series of one-year segments whose neighbouring offsets are equal.
 */
export interface Segment {
  /** First instant of the segment (inclusive). */
  readonly start: number;
  /** First instant after the segment (exclusive). */
  readonly end: number;
  readonly offset: number;
  /** Offset in effect just before `start`. */
  readonly prevOffset: number;
  /** Offset in effect from `end`. */
  readonly nextOffset: number;
}

/** How a wall time maps onto instants. */
export interface WallResolution {
  kind: 'normal' | 'gap' | 'overlap';
  /** The earlier instant (for a gap: the wall time read with the offset before the change, i.e. shifted forward). */
  earlier: number;
  /** The later instant (equal to `earlier` unless the wall time occurs twice). */
  later: number;
  /** Length of the gap in seconds, for kind = gap. */
  gap: number;
}

export interface Transition {
  /** Instant (seconds) from which `after` applies. */
  at: number;
  before: number;
  after: number;
}

interface YearTable {
  /** Offset at the start of the year. */
  startOffset: number;
  /** Transitions inside the year, ascending. */
  transitions: Transition[];
}

const WEEK = 7 * SECONDS_PER_DAY;
// Years outside this range reuse the nearest table: Intl has no rules before 1900 worth scheduling on, and
// predictions past 2200 are the same rules repeated.
const MIN_TABLE_YEAR = 1900;
const MAX_TABLE_YEAR = 2200;

const yearStart = (year: number): number => daysFromCivil(year, 1, 1) * SECONDS_PER_DAY;

export class TimeZone {
  readonly name: string;
  readonly fixedOffset: number | null;
  private readonly format: Intl.DateTimeFormat | null;
  private readonly years = new Map<number, YearTable>();
  private cached: Segment = { start: 0, end: 0, offset: 0, prevOffset: 0, nextOffset: 0 };

  constructor(name: string, format: Intl.DateTimeFormat | null) {
    this.name = name;
    this.format = format;
    this.fixedOffset = format === null ? 0 : null;
  }

  /** UTC offset (seconds) in effect at an instant (seconds). */
  offsetAt(t: number): number {
    if (this.fixedOffset !== null) return this.fixedOffset;
    const c = this.cached;
    if (t >= c.start && t < c.end) return c.offset;
    return this.segmentAt(t).offset;
  }

  /** The segment containing the instant t (seconds). The returned object must not be mutated. */
  segmentAt(t: number): Segment {
    const c = this.cached;
    if (t >= c.start && t < c.end) return c;
    if (this.fixedOffset !== null) {
      const seg = { start: -Infinity, end: Infinity, offset: this.fixedOffset, prevOffset: this.fixedOffset, nextOffset: this.fixedOffset };
      this.cached = seg;
      return seg;
    }
    const year = yearOfInstant(t);
    const table = this.table(year);
    const ys = yearStart(year);
    const ye = yearStart(year + 1);
    let start = ys;
    let offset = table.startOffset;
    let prevOffset = year - 1 >= MIN_TABLE_YEAR ? this.offsetBeforeYear(year) : offset;
    let end = ye;
    let nextOffset = Number.NaN;
    for (const x of table.transitions) {
      if (x.at <= t) {
        start = x.at;
        prevOffset = x.before;
        offset = x.after;
      } else {
        end = x.at;
        nextOffset = x.after;
        break;
      }
    }
    if (end === ye) nextOffset = this.table(year + 1).startOffset;
    const seg: Segment = { start, end, offset, prevOffset, nextOffset };
    this.cached = seg;
    return seg;
  }

  /** How a wall time (wall seconds) maps onto instants. */
  resolveWall(wall: number): WallResolution {
    if (this.fixedOffset !== null) {
      const i = wall - this.fixedOffset;
      return { kind: 'normal', earlier: i, later: i, gap: 0 };
    }
    // Offsets one day either side bracket any single transition near this wall time.
    const before = this.offsetAt(wall - SECONDS_PER_DAY);
    const after = this.offsetAt(wall + SECONDS_PER_DAY);
    const c1 = wall - before;
    const c2 = wall - after;
    const ok1 = this.offsetAt(c1) === before;
    const ok2 = before !== after && this.offsetAt(c2) === after;
    if (ok1 && ok2) {
      return { kind: 'overlap', earlier: Math.min(c1, c2), later: Math.max(c1, c2), gap: 0 };
    }
    if (ok1) return { kind: 'normal', earlier: c1, later: c1, gap: 0 };
    if (ok2) return { kind: 'normal', earlier: c2, later: c2, gap: 0 };
    // In a gap: read with the offset before the change, which lands after the change (shifted forward).
    return { kind: 'gap', earlier: c1, later: c1, gap: after - before };
  }

  /** Offset transitions with from <= at < to (seconds). */
  transitionsBetween(from: number, to: number): Transition[] {
    if (this.fixedOffset !== null) return [];
    const out: Transition[] = [];
    for (let y = yearOfInstant(from); y <= yearOfInstant(to); y++) {
      for (const x of this.table(y).transitions) if (x.at >= from && x.at < to) out.push(x);
    }
    return out;
  }

  private offsetBeforeYear(year: number): number {
    const prev = this.table(year - 1);
    const last = prev.transitions[prev.transitions.length - 1];
    return last ? last.after : prev.startOffset;
  }

  private table(year: number): YearTable {
    const y = Math.min(MAX_TABLE_YEAR, Math.max(MIN_TABLE_YEAR, year));
    let table = this.years.get(y);
    if (!table) {
      table = this.buildTable(y);
      this.years.set(y, table);
    }
    if (y === year) return table;
    // Outside the table range: same rules, shifted to this year when the transitions are annual.
    const shift = yearStart(year) - yearStart(y);
    return {
      startOffset: table.startOffset,
      transitions: table.transitions.map((x) => ({ at: x.at + shift, before: x.before, after: x.after })),
    };
  }

  private buildTable(year: number): YearTable {
    const start = yearStart(year);
    const end = yearStart(year + 1);
    const startOffset = this.intlOffset(start);
    const transitions: Transition[] = [];
    // Weekly samples find every change; two changes within one week that cancel out are not seen (none
    // exist in tzdata since 1970). Invariant: the offset at t is `current`.
    let t = start;
    let current = startOffset;
    while (t < end - 1) {
      const probe = Math.min(t + WEEK, end - 1);
      if (this.intlOffset(probe) === current) {
        t = probe;
        continue;
      }
      let lo = t;
      let hi = probe;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (this.intlOffset(mid) === current) lo = mid;
        else hi = mid;
      }
      const after = this.intlOffset(hi);
      transitions.push({ at: hi, before: current, after });
      current = after;
      t = hi;
    }
    return { startOffset, transitions };
  }

  private intlOffset(t: number): number {
    const parts = (this.format as Intl.DateTimeFormat).formatToParts(new Date(t * 1000));
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    for (const p of parts) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value) % 24; break;
        case 'minute': mi = Number(p.value); break;
        case 'second': s = Number(p.value); break;
        default: break;
      }
    }
    const wall = daysFromCivil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s;
    return wall - t;
  }
}

/** UTC year of an instant (seconds). */
function yearOfInstant(t: number): number {
  // Close estimate, then correct by one either way.
  let y = 1970 + Math.floor(t / 31_556_952);
  if (yearStart(y) > t) y--;
  else if (yearStart(y + 1) <= t) y++;
  return y;
}

const zones = new Map<string, TimeZone>();
const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu', 'GMT', 'Etc/GMT', 'Etc/GMT0', 'Etc/GMT+0', 'Etc/GMT-0', 'GMT0', 'Etc/Greenwich', 'Greenwich']);
// IANA names: letters, digits and _ + - / (e.g. America/Port-au-Prince, Etc/GMT+5). Offset strings such
// as "+05:30" are not zone names; they are refused so behaviour does not depend on the Node version.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** A time zone by IANA name; throws a RangeError naming the zone if it is unknown. */
export function getZone(name: string): TimeZone {
  const hit = zones.get(name);
  if (hit) return hit;
  if (UTC_NAMES.has(name)) {
    const utc = new TimeZone('UTC', null);
    zones.set(name, utc);
    return utc;
  }
  if (!ZONE_NAME.test(name)) throw new RangeError(`unknown time zone '${name}'`);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: undefined,
    });
  } catch {
    throw new RangeError(`unknown time zone '${name}'`);
  }
  const zone = new TimeZone(name, format);
  zones.set(name, zone);
  return zone;
}

export function isValidTimeZone(name: string): boolean {
  try {
    getZone(name);
    return true;
  } catch {
    return false;
  }
}
