/**
 * When an Azure job fires, as a sked schedule. A recurrence becomes sked's `recurrence` schedule (UTC,
 * anchored at the start time); no recurrence is a one-time job, a `once` schedule at the start time.
 *
 * Azure's rules on the start time: none means the job runs now; a past start time moves forward by
 * whole intervals (sked's recurrence is anchored at the start, so its next fire already is on that
 * grid; with a `count`, the anchor moves to the first fire to come so that the count starts there).
 */

import type { OnceSchedule, RecurrenceSchedule, ScheduleSpec, WeekDay } from '../../domain/types.js';
import { compileSchedule } from '../../schedule/compile.js';
import { badRequest } from './azure-api-error.js';
import { checkKnown, enumValue, iso, isObject, optionalInteger, optionalObject, parseAzureInstant, type Json } from './values.js';

export const FREQUENCIES = ['minute', 'hour', 'day', 'week', 'month'] as const;
export const WEEK_DAYS: readonly WeekDay[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const SCHEDULE_FIELDS = ['minutes', 'hours', 'weekDays', 'months', 'monthDays', 'monthlyOccurrences'];

export interface StartOptions {
  now: number;
  /** False when the start time is carried over from the stored job (a PATCH that does not send one). */
  adjust: boolean;
}

/** "Now" for a job that runs now: the next whole second (a recurrence fires on its start's second). */
function runNow(now: number): number {
  return Math.ceil((now + 1000) / 1000) * 1000;
}

export function toSchedule(startTime: unknown, recurrence: unknown, pointer: string, options: StartOptions): ScheduleSpec {
  const given = startTime === undefined || startTime === null ? null : parseAzureInstant(startTime, `${pointer}/startTime`);
  const rec = optionalObject(recurrence, `${pointer}/recurrence`);
  if (!rec) {
    const at = given === null || (options.adjust && given <= options.now) ? runNow(options.now) : given;
    const once: OnceSchedule = { type: 'once', at: iso(at) };
    return once;
  }
  const spec = recurrenceSpec(rec, `${pointer}/recurrence`);
  let start = given ?? runNow(options.now);
  if (options.adjust && given !== null && given < options.now && spec.count !== undefined) {
    // Counted from the original start, the fires already past would use up the count.
    const { count: _count, ...uncounted } = spec;
    start = firstFireFrom({ ...uncounted, startAt: iso(given) }, options.now) ?? given;
  }
  return { ...spec, startAt: iso(start) };
}

function firstFireFrom(spec: RecurrenceSchedule, now: number): number | null {
  try {
    return compileSchedule(spec).nextAfter(now - 1);
  } catch {
    return null; // invalid: the service reports it with its field
  }
}

function recurrenceSpec(rec: Json, pointer: string): RecurrenceSchedule {
  checkKnown(rec, ['frequency', 'interval', 'count', 'endTime', 'schedule'], pointer);
  const frequency = enumValue(rec['frequency'], FREQUENCIES, `${pointer}/frequency`);
  const interval = optionalInteger(rec['interval'], `${pointer}/interval`, 1, 1000);
  const count = optionalInteger(rec['count'], `${pointer}/count`, 1, 100_000);
  const endTime = rec['endTime'] === undefined || rec['endTime'] === null ? undefined : iso(parseAzureInstant(rec['endTime'], `${pointer}/endTime`));
  const schedule = scheduleOf(rec['schedule'], `${pointer}/schedule`);
  return {
    type: 'recurrence',
    frequency,
    ...(interval !== undefined ? { interval } : {}),
    ...(schedule ? { schedule } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
    timeZone: 'UTC',
  };
}

function numbers(value: unknown, pointer: string): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest(pointer, 'must be an array of integers');
  return value.map((v, i) => {
    if (!Number.isInteger(v)) throw badRequest(`${pointer}/${i}`, 'must be an integer');
    return v as number;
  });
}

function scheduleOf(value: unknown, pointer: string): RecurrenceSchedule['schedule'] {
  const s = optionalObject(value, pointer);
  if (!s) return undefined;
  checkKnown(s, SCHEDULE_FIELDS, pointer);
  const months = numbers(s['months'], `${pointer}/months`);
  // sked's recurrence has no month filter: only "every month" can be honoured.
  if (months && months.length && new Set(months).size !== 12) {
    throw badRequest(`${pointer}/months`, 'is not supported by sked: a recurrence fires in every month (leave months out)');
  }
  const out: NonNullable<RecurrenceSchedule['schedule']> = {};
  const minutes = numbers(s['minutes'], `${pointer}/minutes`);
  const hours = numbers(s['hours'], `${pointer}/hours`);
  const monthDays = numbers(s['monthDays'], `${pointer}/monthDays`);
  if (minutes?.length) out.minutes = minutes;
  if (hours?.length) out.hours = hours;
  if (monthDays?.length) out.monthDays = monthDays;
  const weekDays = s['weekDays'];
  if (weekDays !== undefined && weekDays !== null) {
    if (!Array.isArray(weekDays)) throw badRequest(`${pointer}/weekDays`, 'must be an array of day names');
    if (weekDays.length) out.weekDays = weekDays.map((d, i) => enumValue(d, WEEK_DAYS, `${pointer}/weekDays/${i}`));
  }
  const occurrences = s['monthlyOccurrences'];
  if (occurrences !== undefined && occurrences !== null) {
    if (!Array.isArray(occurrences)) throw badRequest(`${pointer}/monthlyOccurrences`, 'must be an array of {day, occurrence}');
    if (occurrences.length) {
      out.monthlyOccurrences = occurrences.map((o, i) => {
        const p = `${pointer}/monthlyOccurrences/${i}`;
        if (!isObject(o)) throw badRequest(p, 'must be an object {day, occurrence}');
        checkKnown(o, ['day', 'occurrence', 'Occurrence'], p);
        // The ARM spec spells it `Occurrence`, classic `occurrence`: both are accepted.
        const occurrence = optionalInteger(o['occurrence'] ?? o['Occurrence'], `${p}/occurrence`, -5, 5);
        if (occurrence === undefined || occurrence === 0) throw badRequest(`${p}/occurrence`, 'is required: 1..5, or -1..-5 counting from the end of the month');
        return { day: enumValue(o['day'], WEEK_DAYS, `${p}/day`), occurrence };
      });
    }
  }
  return Object.keys(out).length ? out : undefined;
}
