/**
 * One entry point for every schedule kind: `compileSchedule(spec)` validates a schedule and returns an
 * object answering the one question the engine asks: the next fire instant after a given instant.
 */

import type { CronSchedule, DailySchedule, DstPolicy, IntervalSchedule, OnceSchedule, RecurrenceSchedule, ScheduleSpec, ScheduleType, WindowSchedule } from '../domain/types.js';
import { CronSyntaxError } from './cron-fields.js';
import { CronMatcher } from './cron-matcher.js';
import { parseCron } from './cron-parse.js';
import { describeSpec } from './describe.js';
import { MAX_DURATION_MS, MAX_INSTANT, parseDuration, parseInstant } from './instant.js';
import { RecurrenceMatcher, recurrenceRules } from './recurrence.js';
import { ScheduleError } from './schedule-error.js';
import { parseDaysOfWeek, parseTimeOfDay, TimesOfDayMatcher } from './times-of-day.js';
import { cronOfSpec } from './to-cron.js';
import { nextInstant } from './zoned.js';
import { getZone } from './zone.js';
import type { CompiledSchedule } from './compiled.js';
import type { WallMatcher } from './wall-matcher.js';
import type { TimeZone } from './zone.js';

export type { CompiledSchedule } from './compiled.js';

export const SCHEDULE_TYPES: readonly ScheduleType[] = ['cron', 'interval', 'once', 'daily', 'window', 'recurrence', 'manual'];
/** Longest supported count of a recurrence (its last fire is computed once by walking the fires). */
export const MAX_RECURRENCE_COUNT = 100_000;


/** `after` must be a real instant: an Invalid Date is a caller's bug, not "no more fires". */
function checkInstant(after: number): void {
  if (!Number.isFinite(after)) throw new RangeError(`after must be a valid instant (got ${after})`);
}

abstract class BaseSchedule implements CompiledSchedule {
  abstract readonly type: ScheduleType;
  readonly dialect: 'unix' | 'quartz' | null = null;

  get wall(): { matcher: WallMatcher; zone: TimeZone } | null {
    return null;
  }

  constructor(
    readonly spec: ScheduleSpec,
    readonly timeZone: string,
    readonly dst: DstPolicy,
    protected readonly startMs: number | null,
    protected readonly endMs: number | null,
  ) {}

  protected abstract nextRaw(after: number): number | null;

  nextAfter(after: number): number | null {
    checkInstant(after);
    const from = this.startMs !== null && after < this.startMs ? this.startMs - 1 : after;
    const t = this.nextRaw(from);
    if (t === null || t > MAX_INSTANT || (this.endMs !== null && t > this.endMs)) return null;
    return t;
  }

  next(after: Date): Date | null {
    const t = this.nextAfter(after.getTime());
    return t === null ? null : new Date(t);
  }

  describe(): string {
    return describeSpec(this);
  }

  toCron(): string | null {
    return cronOfSpec(this);
  }
}

class WallSchedule extends BaseSchedule {

  constructor(
    readonly type: ScheduleType,
    spec: ScheduleSpec,
    readonly matcher: WallMatcher,
    readonly zone: TimeZone,
    dst: DstPolicy,
    startMs: number | null,
    endMs: number | null,
    override readonly dialect: 'unix' | 'quartz' | null = null,
  ) {
    super(spec, zone.name, dst, startMs, endMs);
  }

  override get wall(): { matcher: WallMatcher; zone: TimeZone } {
    return { matcher: this.matcher, zone: this.zone };
  }

  protected nextRaw(after: number): number | null {
    // Wall-clock kinds fire on whole seconds: the first candidate is the next whole second.
    const t = nextInstant(this.matcher, this.zone, this.dst, Math.floor(after / 1000) + 1);
    return t < 0 ? null : t * 1000;
  }
}

class IntervalKind extends BaseSchedule {
  constructor(
    spec: IntervalSchedule | RecurrenceSchedule,
    readonly type: 'interval' | 'recurrence',
    readonly every: number,
    readonly anchor: number,
    readonly repeatCount: number | null,
    endMs: number | null,
  ) {
    super(spec, 'UTC', 'compatible', anchor, endMs);
  }

  protected nextRaw(after: number): number | null {
    const k = after < this.anchor ? 0 : Math.floor((after - this.anchor) / this.every) + 1;
    if (this.repeatCount !== null && k > this.repeatCount) return null;
    return this.anchor + k * this.every;
  }
}

class OnceKind extends BaseSchedule {
  readonly type = 'once';

  constructor(spec: OnceSchedule, readonly at: number, startMs: number | null, endMs: number | null) {
    super(spec, 'UTC', 'compatible', startMs, endMs);
  }

  protected nextRaw(after: number): number | null {
    return this.at > after ? this.at : null;
  }
}

class ManualKind extends BaseSchedule {
  readonly type = 'manual';

  protected nextRaw(): number | null {
    return null;
  }
}

/** A recurrence with a count: fires stop after the count-th, found once by walking the fires. */
class CountedSchedule implements CompiledSchedule {
  private lastFire: number | null | undefined;

  constructor(private readonly inner: CompiledSchedule, private readonly count: number, private readonly firstFrom: number) {}

  get spec(): ScheduleSpec { return this.inner.spec; }
  get type(): ScheduleType { return this.inner.type; }
  get dialect(): 'unix' | 'quartz' | null { return this.inner.dialect; }
  get timeZone(): string { return this.inner.timeZone; }
  get dst(): DstPolicy { return this.inner.dst; }
  get wall(): CompiledSchedule['wall'] { return this.inner.wall; }

  nextAfter(after: number): number | null {
    checkInstant(after);
    if (this.lastFire === undefined) {
      let t: number | null = this.firstFrom;
      for (let i = 0; i < this.count && t !== null; i++) t = this.inner.nextAfter(t);
      this.lastFire = t;
    }
    const t = this.inner.nextAfter(after);
    // lastFire null: the schedule ends before reaching its count, so nothing to cut.
    return t !== null && this.lastFire !== null && t > this.lastFire ? null : t;
  }

  next(after: Date): Date | null {
    const t = this.nextAfter(after.getTime());
    return t === null ? null : new Date(t);
  }

  describe(): string {
    return `${this.inner.describe()}, ${this.count} time${this.count === 1 ? '' : 's'} in all`;
  }

  toCron(): string | null {
    return null;
  }
}

function bound(value: unknown, pointer: string): number | null {
  if (value === undefined || value === null) return null;
  const t = typeof value === 'string' ? parseInstant(value) : null;
  if (t === null) throw new ScheduleError(pointer, `must be an RFC 3339 date-time with a time zone, e.g. 2026-11-22T06:00:00Z (got ${JSON.stringify(value)})`);
  return t;
}

function zoneOf(name: unknown): TimeZone {
  if (name === undefined || name === null) return getZone('UTC');
  if (typeof name !== 'string') throw new ScheduleError('/timeZone', 'must be an IANA time zone name such as Europe/London');
  try {
    return getZone(name);
  } catch {
    throw new ScheduleError('/timeZone', `unknown time zone '${name}': use an IANA name such as Europe/London or America/New_York`);
  }
}

function duration(value: unknown, pointer: string, minMs: number): number {
  const ms = typeof value === 'string' ? parseDuration(value) : null;
  if (ms === null) {
    throw new ScheduleError(pointer, `must be an ISO 8601 duration of weeks, days, hours, minutes or seconds, e.g. PT5M (got ${JSON.stringify(value)})`);
  }
  if (ms < minMs) throw new ScheduleError(pointer, `must be at least ${minMs / 1000} second${minMs === 1000 ? '' : 's'}`);
  if (ms > MAX_DURATION_MS) throw new ScheduleError(pointer, 'must be at most 100 years');
  return ms;
}

/** Validates a schedule and compiles it. Throws ScheduleError naming the field. */
export function compileSchedule(spec: ScheduleSpec): CompiledSchedule {
  if (typeof spec !== 'object' || spec === null) throw new ScheduleError('', 'must be an object with a type');
  if (!SCHEDULE_TYPES.includes(spec.type)) throw new ScheduleError('/type', `must be one of ${SCHEDULE_TYPES.join(', ')}`);
  const startMs = bound(spec.startAt, '/startAt');
  const endMs = bound(spec.endAt, '/endAt');
  if (startMs !== null && endMs !== null && endMs < startMs) throw new ScheduleError('/endAt', 'must not be before startAt');
  const dst = spec.dst ?? 'compatible';
  if (dst !== 'compatible' && dst !== 'quartz') throw new ScheduleError('/dst', "must be 'compatible' or 'quartz'");

  switch (spec.type) {
    case 'cron':
      return compileCron(spec, dst, startMs, endMs);
    case 'daily':
      return compileDaily(spec, dst, startMs, endMs);
    case 'window':
      return compileWindow(spec, dst, startMs, endMs);
    case 'recurrence':
      return compileRecurrence(spec, dst, startMs, endMs);
    case 'interval': {
      const every = duration(spec.every, '/every', 1000);
      const rc = spec.repeatCount;
      if (rc !== undefined && (!Number.isInteger(rc) || rc < 0)) throw new ScheduleError('/repeatCount', 'must be a whole number >= 0');
      if (rc !== undefined && startMs === null) throw new ScheduleError('/startAt', 'is required with repeatCount (the first of the repeatCount + 1 fires)');
      return new IntervalKind(spec, 'interval', every, startMs ?? 0, rc ?? null, endMs);
    }
    case 'once': {
      const at = bound(spec.at, '/at');
      if (at === null) throw new ScheduleError('/at', 'is required: the instant to fire at');
      return new OnceKind(spec, at, startMs, endMs);
    }
    case 'manual':
      return new ManualKind(spec, 'UTC', dst, startMs, endMs);
  }
}

function compileCron(spec: CronSchedule, dst: DstPolicy, startMs: number | null, endMs: number | null): CompiledSchedule {
  if (typeof spec.expression !== 'string') throw new ScheduleError('/expression', 'is required: a cron expression');
  const dialect = spec.dialect ?? 'auto';
  if (dialect !== 'auto' && dialect !== 'unix' && dialect !== 'quartz') throw new ScheduleError('/dialect', "must be 'auto', 'unix' or 'quartz'");
  const zone = zoneOf(spec.timeZone);
  try {
    const parsed = parseCron(spec.expression, dialect);
    return new WallSchedule('cron', spec, new CronMatcher(parsed.fields), zone, dst, startMs, endMs, parsed.dialect);
  } catch (err) {
    if (err instanceof CronSyntaxError) throw new ScheduleError('/expression', cronErrorMessage(err));
    throw err;
  }
}

/** `hours: value 24 is out of range 0-23 (at character 7)`. */
export function cronErrorMessage(err: CronSyntaxError): string {
  return `${err.message} (at character ${err.position + 1})`;
}

function compileDaily(spec: DailySchedule, dst: DstPolicy, startMs: number | null, endMs: number | null): CompiledSchedule {
  const days = parseDaysOfWeek(spec.daysOfWeek, '/daysOfWeek');
  if (!Array.isArray(spec.times) || spec.times.length === 0) throw new ScheduleError('/times', 'must be a non-empty array of times HH:MM');
  const times = [...new Set(spec.times.map((t, i) => parseTimeOfDay(t, `/times/${i}`)))].sort((a, b) => a - b);
  return new WallSchedule('daily', spec, new TimesOfDayMatcher(days, times, false), zoneOf(spec.timeZone), dst, startMs, endMs);
}

function compileWindow(spec: WindowSchedule, dst: DstPolicy, startMs: number | null, endMs: number | null): CompiledSchedule {
  const days = parseDaysOfWeek(spec.daysOfWeek, '/daysOfWeek');
  const every = duration(spec.every, '/every', 60_000);
  if (every % 60_000 !== 0 || every >= 86_400_000) throw new ScheduleError('/every', 'must be a whole number of minutes or hours, shorter than a day');
  const from = parseTimeOfDay(spec.from, '/from');
  const to = parseTimeOfDay(spec.to, '/to');
  if (to <= from) throw new ScheduleError('/to', 'must be later in the day than from');
  const times: number[] = [];
  // The window is [from, to): like the cron it derives to, `to` itself does not fire.
  for (let t = from; t < to; t += every / 1000) times.push(t);
  // A window is periodic: like a cron with a step, it fires every real interval through a DST change
  // (both passes of a repeated hour), and its cron form carries a step in the hour field to say so.
  return new WallSchedule('window', spec, new TimesOfDayMatcher(days, times, true), zoneOf(spec.timeZone), dst, startMs, endMs);
}

function compileRecurrence(spec: RecurrenceSchedule, dst: DstPolicy, startMs: number | null, endMs: number | null): CompiledSchedule {
  const zone = zoneOf(spec.timeZone);
  if (startMs === null) throw new ScheduleError('/startAt', 'is required for a recurrence: its periods and default times count from it');
  const endTime = bound(spec.endTime, '/endTime');
  const end = endTime === null ? endMs : endMs === null ? endTime : Math.min(endMs, endTime);
  const count = spec.count;
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > MAX_RECURRENCE_COUNT)) {
    throw new ScheduleError('/count', `must be a whole number 1..${MAX_RECURRENCE_COUNT}`);
  }
  const startSec = Math.ceil(startMs / 1000);
  const startWall = startSec + zone.offsetAt(startSec);
  const rules = recurrenceRules(spec, startWall);
  let inner: CompiledSchedule;
  const hasSchedule = spec.schedule !== undefined && Object.keys(spec.schedule).length > 0;
  if ((rules.frequency === 'minute' || rules.frequency === 'hour') && !hasSchedule) {
    // Elapsed time, not wall time: every n minutes or hours from the start, whatever the clocks do.
    const unit = rules.frequency === 'minute' ? 60_000 : 3_600_000;
    inner = new IntervalKind(spec, 'recurrence', rules.interval * unit, startMs, null, end);
  } else {
    inner = new WallSchedule('recurrence', spec, new RecurrenceMatcher(rules, startWall), zone, dst, startMs, end);
  }
  return count === undefined ? inner : new CountedSchedule(inner, count, startMs - 1);
}

/** The next `count` fire times after `from` (default now). */
export function nextFireTimes(spec: ScheduleSpec | CompiledSchedule, options: { from?: Date | number; count?: number } = {}): Date[] {
  const compiled = 'nextAfter' in spec ? spec : compileSchedule(spec);
  const count = options.count ?? 10;
  let t: number | null = options.from === undefined ? Date.now() : typeof options.from === 'number' ? options.from : options.from.getTime();
  const out: Date[] = [];
  while (out.length < count) {
    t = compiled.nextAfter(t);
    if (t === null) break;
    out.push(new Date(t));
  }
  return out;
}
