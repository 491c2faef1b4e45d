/**
 * Test oracle for wall clocks and UTC-offset transitions, written without any code from src/schedule:
 * wall-clock fields come from Intl.DateTimeFormat, transitions are found by sampling Intl's offsets and
 * bisecting to the second. The schedule tests compare sked's answers against this.
 */

/** Wall-clock fields of an instant in a zone. `weekday` is 0 = Sunday .. 6 = Saturday. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** A change of UTC offset: from `at` (epoch ms, inclusive) the offset is `after` (seconds east of UTC). */
export interface Transition {
  at: number;
  before: number;
  after: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formats.set(zone, f);
  }
  return f;
}

/** Wall-clock fields straight from Intl (slow: a few microseconds a call). */
export function intlWallClock(ms: number, zone: string): WallClock {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: -1 };
  for (const p of formatOf(zone).formatToParts(new Date(ms))) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value) % 24;
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'weekday':
        out.weekday = WEEKDAYS.indexOf(p.value);
        break;
      default:
        break;
    }
  }
  return out;
}

/** UTC offset in seconds at an instant, from Intl. */
export function intlOffsetSeconds(ms: number, zone: string): number {
  const w = intlWallClock(ms, zone);
  const wallMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((wallMs - Math.floor(ms / 1000) * 1000) / 1000);
}

// No zone in tzdata changes its offset twice within 36 hours (2019-2041), so sampling at this step and
// bisecting each change finds every transition. The self-check in dst.test.ts compares against Intl.
const SAMPLE_MS = 36 * 3_600_000;

/** Every offset transition with fromMs <= at < toMs, found by sampling Intl and bisecting to the second. */
export function findTransitions(zone: string, fromMs: number, toMs: number): Transition[] {
  const out: Transition[] = [];
  let t = fromMs;
  let current = intlOffsetSeconds(t, zone);
  while (t < toMs) {
    const probe = Math.min(t + SAMPLE_MS, toMs);
    const off = intlOffsetSeconds(probe, zone);
    if (off === current) {
      t = probe;
      continue;
    }
    // Invariant: offset(lo) = current, offset(hi) != current; whole seconds.
    let lo = Math.floor(t / 1000);
    let hi = Math.ceil(probe / 1000);
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (intlOffsetSeconds(mid * 1000, zone) === current) lo = mid;
      else hi = mid;
    }
    const after = intlOffsetSeconds(hi * 1000, zone);
    if (hi * 1000 >= fromMs && hi * 1000 < toMs) out.push({ at: hi * 1000, before: current, after });
    current = after;
    t = hi * 1000;
  }
  return out;
}

const YEAR_MS = (y: number): number => Date.UTC(y, 0, 1);

/**
 * Fast wall clock of one zone: transitions found once per UTC year (lazily, from Intl), then wall
 * fields by arithmetic on the offset. Offsets must be whole minutes (true of every zone since 1972).
 */
export class ZoneClock {
  private readonly years = new Map<number, { start: number; transitions: Transition[] }>();

  constructor(readonly zone: string) {}

  private year(y: number): { start: number; transitions: Transition[] } {
    let table = this.years.get(y);
    if (!table) {
      table = {
        start: intlOffsetSeconds(YEAR_MS(y), this.zone),
        transitions: findTransitions(this.zone, YEAR_MS(y), YEAR_MS(y + 1)),
      };
      this.years.set(y, table);
    }
    return table;
  }

  /** UTC offset in seconds at an instant. */
  offsetAt(ms: number): number {
    const table = this.year(new Date(ms).getUTCFullYear());
    let off = table.start;
    for (const x of table.transitions) {
      if (x.at <= ms) off = x.after;
      else break;
    }
    if (off % 60 !== 0)
      throw new Error(`${this.zone}: offset ${off}s is not whole minutes; the oracle assumes it is`);
    return off;
  }

  /** Wall time as milliseconds of a UTC-read clock (wall fields = UTC fields of this number). */
  wallMs(ms: number): number {
    return ms + this.offsetAt(ms) * 1000;
  }

  wall(ms: number): WallClock {
    return fieldsOfWallMs(this.wallMs(ms));
  }

  /** Transitions with fromMs <= at < toMs. */
  transitionsBetween(fromMs: number, toMs: number): Transition[] {
    const out: Transition[] = [];
    for (let y = new Date(fromMs).getUTCFullYear(); y <= new Date(toMs).getUTCFullYear(); y++) {
      for (const x of this.year(y).transitions) if (x.at >= fromMs && x.at < toMs) out.push(x);
    }
    return out;
  }

  /** The spring-forward transition whose shifted span [at, at + gap) contains ms, if any. */
  gapContaining(ms: number): Transition | null {
    for (const x of this.transitionsBetween(ms - 86_400_000, ms + 1)) {
      if (x.after > x.before && ms >= x.at && ms < x.at + (x.after - x.before) * 1000) return x;
    }
    return null;
  }

  /** The fall-back transition whose first pass [at - overlap, at) contains ms, if any. */
  firstPassContaining(ms: number): Transition | null {
    for (const x of this.transitionsBetween(ms, ms + 86_400_000)) {
      if (x.after < x.before && ms < x.at && ms >= x.at - (x.before - x.after) * 1000) return x;
    }
    return null;
  }

  /** The fall-back transition whose second pass [at, at + overlap) contains ms, if any. */
  secondPassContaining(ms: number): Transition | null {
    for (const x of this.transitionsBetween(ms - 86_400_000, ms + 1)) {
      if (x.after < x.before && ms >= x.at && ms < x.at + (x.before - x.after) * 1000) return x;
    }
    return null;
  }
}

export function fieldsOfWallMs(wallMs: number): WallClock {
  const d = new Date(wallMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** `2026-03-08 03:30:00` for messages. */
export function formatWallClock(w: WallClock): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}:${p(w.second)}`;
}

/** Deterministic PRNG (mulberry32) so generated cases are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
