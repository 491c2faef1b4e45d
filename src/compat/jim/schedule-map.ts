/**
 * JIM's trigger and pattern fields ↔ sked schedules, all evaluated in UTC as JIM does:
 * - Manual → `manual`;
 * - Cron + SpecificTimes (daysOfWeek, runTimes) → `daily`;
 * - Cron + Interval (intervalValue/intervalUnit every, window start/end) → `window` ([start, end), like
 *   the cron JIM derives: 08:00–18:00 every 30 min = 08:00…17:30);
 * - Cron + Custom, or a pattern without its fields but with a cronExpression → `cron` (5 fields, Unix).
 * The cronExpression served back is derived from the sked schedule when it is not a raw cron.
 */

import type { ScheduleSpec } from '../../domain/types.js';
import { compileSchedule, type CompiledSchedule } from '../../schedule/compile.js';
import { parseDuration } from '../../schedule/instant.js';
import { ScheduleError } from '../../schedule/schedule-error.js';
import { toJimCron } from './cron.js';
import { addError, validationFailed, type ValidationErrors } from './errors.js';
import type { IntervalUnit, PatternFields, PatternType, TriggerType } from './request.js';

const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

function parseDays(text: string | null, errors: ValidationErrors): number[] {
  if (text === null || text.trim() === '') return ALL_DAYS;
  const days = text.split(',').map((d) => d.trim());
  if (days.some((d) => !/^[0-6]$/.test(d))) {
    addError(errors, 'DaysOfWeek', `must be comma-separated day numbers 0 (Sunday) to 6 (Saturday) (got '${text}')`);
    return ALL_DAYS;
  }
  return [...new Set(days.map(Number))].sort((a, b) => a - b);
}

/** `6:00` or `06:00` (or `06:00:30`) → `06:00`; `24:00` as a window's end means the end of the day. */
function timeOfDay(text: string, allowEndOfDay = false): string | null {
  const t = text.trim();
  if (allowEndOfDay && t === '24:00') return '23:59:59';
  const m = /^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$/.exec(t);
  if (!m || Number(m[1]) > 23) return null;
  return `${(m[1] as string).padStart(2, '0')}:${m[2]}${m[3] ? `:${m[3]}` : ''}`;
}

const FIELD_OF_POINTER: Record<string, string> = {
  '/expression': 'CronExpression',
  '/times': 'RunTimes',
  '/daysOfWeek': 'DaysOfWeek',
  '/every': 'IntervalValue',
  '/from': 'IntervalWindowStart',
  '/to': 'IntervalWindowEnd',
};

/** The sked schedule of a request's trigger and pattern; throws a 400 naming the JIM field. */
export function scheduleSpecOf(p: PatternFields, now: number): ScheduleSpec {
  if (p.triggerType === 'Manual') return { type: 'manual' };
  const errors: ValidationErrors = {};
  let spec: ScheduleSpec | null = null;
  const hasRunTimes = p.runTimes !== null && p.runTimes.trim() !== '';
  if (p.patternType === 'SpecificTimes' && hasRunTimes) {
    const daysOfWeek = parseDays(p.daysOfWeek, errors);
    const times = (p.runTimes as string).split(',').map((t) => timeOfDay(t));
    if (times.some((t) => t === null)) addError(errors, 'RunTimes', `must be comma-separated 24-hour times HH:MM (got '${p.runTimes}')`);
    spec = { type: 'daily', daysOfWeek, times: times.filter((t): t is string => t !== null), timeZone: 'UTC' };
  } else if (p.patternType === 'Interval' && p.intervalValue !== null) {
    const daysOfWeek = parseDays(p.daysOfWeek, errors);
    const from = timeOfDay(p.intervalWindowStart ?? '00:00');
    const to = timeOfDay(p.intervalWindowEnd ?? '23:59', true);
    if (from === null) addError(errors, 'IntervalWindowStart', `must be a 24-hour time HH:MM (got '${p.intervalWindowStart}')`);
    if (to === null) addError(errors, 'IntervalWindowEnd', `must be a 24-hour time HH:MM (got '${p.intervalWindowEnd}')`);
    const every = `PT${p.intervalValue}${(p.intervalUnit ?? 'Hours') === 'Minutes' ? 'M' : 'H'}`;
    spec = { type: 'window', daysOfWeek, every, from: from ?? '00:00', to: to ?? '23:59', timeZone: 'UTC' };
  } else if (p.cronExpression !== null && p.cronExpression.trim() !== '') {
    spec = { type: 'cron', expression: p.cronExpression.trim(), dialect: 'unix', timeZone: 'UTC' };
  } else {
    addError(errors, 'CronExpression', 'Cron expression is required for scheduled triggers');
  }
  if (Object.keys(errors).length || spec === null) throw validationFailed(errors);
  let compiled: CompiledSchedule;
  try {
    compiled = compileSchedule(spec);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    const key = Object.keys(FIELD_OF_POINTER).find((k) => err.pointer.startsWith(k));
    throw validationFailed({ [key ? (FIELD_OF_POINTER[key] as string) : 'CronExpression']: [err.message] });
  }
  if (compiled.nextAfter(now) === null) throw validationFailed({ CronExpression: ['the schedule never fires: no date matches every field'] });
  return spec;
}

/** The schedule fields of a ScheduleDto. */
export interface ScheduleView {
  triggerType: TriggerType;
  cronExpression: string | null;
  patternType: PatternType;
  daysOfWeek: string | null;
  runTimes: string | null;
  intervalValue: number | null;
  intervalUnit: IntervalUnit | null;
  intervalWindowStart: string | null;
  intervalWindowEnd: string | null;
}

/** JIM's 5-field cron for a sked schedule, when one expresses it. */
export function derivedCron(spec: ScheduleSpec): string | null {
  try {
    const compiled = compileSchedule(spec);
    const quartz = compiled.toCron();
    if (quartz === null) return null;
    return toJimCron(quartz, spec.type === 'cron' ? compiled.dialect : 'quartz');
  } catch {
    return null;
  }
}

const NO_PATTERN = { daysOfWeek: null, runTimes: null, intervalValue: null, intervalUnit: null, intervalWindowStart: null, intervalWindowEnd: null } as const;

/**
 * The fields for a sked schedule. `sent`: the fields the schedule was made from through this surface,
 * when the schedule is still the one they made (then they are served back verbatim).
 */
export function scheduleViewOf(spec: ScheduleSpec, sent: PatternFields | null): ScheduleView {
  if (sent) {
    // A Unix cron (JIM's Custom) is served as sent; any other schedule by its derived 5-field form.
    const raw = spec.type === 'cron' && spec.dialect === 'unix' ? spec.expression : null;
    const cronExpression = sent.triggerType === 'Manual' ? null : (raw ?? derivedCron(spec) ?? (spec.type === 'cron' ? spec.expression : null));
    const isInterval = sent.patternType === 'Interval' && spec.type === 'window';
    return { ...sent, cronExpression, intervalUnit: isInterval ? (sent.intervalUnit ?? 'Hours') : sent.intervalUnit };
  }
  switch (spec.type) {
    case 'manual':
      return { triggerType: 'Manual', cronExpression: null, patternType: 'SpecificTimes', ...NO_PATTERN };
    case 'daily':
      return { ...NO_PATTERN, triggerType: 'Cron', cronExpression: derivedCron(spec), patternType: 'SpecificTimes', daysOfWeek: spec.daysOfWeek.join(','), runTimes: spec.times.join(',') };
    case 'window': {
      const ms = parseDuration(spec.every) ?? 3_600_000;
      const hours = ms % 3_600_000 === 0;
      return {
        ...NO_PATTERN,
        triggerType: 'Cron',
        cronExpression: derivedCron(spec),
        patternType: 'Interval',
        daysOfWeek: spec.daysOfWeek.join(','),
        intervalValue: hours ? ms / 3_600_000 : ms / 60_000,
        intervalUnit: hours ? 'Hours' : 'Minutes',
        intervalWindowStart: spec.from,
        intervalWindowEnd: spec.to,
      };
    }
    default:
      // cron, interval, once, recurrence: a raw cron as JIM's Custom pattern (null where none expresses it).
      return { ...NO_PATTERN, triggerType: 'Cron', cronExpression: spec.type === 'cron' ? (derivedCron(spec) ?? spec.expression) : derivedCron(spec), patternType: 'Custom' };
  }
}
