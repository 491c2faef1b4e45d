/**
 * Azure Scheduler recurrences: `frequency` × `interval` periods anchored at the start time, each period
 * filtered by `schedule` (minutes, hours, weekDays, monthDays incl. negative, monthlyOccurrences incl.
 * -1 = last). Units are evaluated from large to small; hours and minutes not given default to the start
 * time's, and so does the second.
 */

import type { RecurrenceSchedule, WeekDay } from '../domain/types.js';
import { civilFromDays, daysInMonth, SECONDS_PER_DAY, weekdayOfDays } from './civil.js';
import { ScheduleError } from './schedule-error.js';
import type { WallMatcher } from './wall-matcher.js';

export const WEEK_DAYS: readonly WeekDay[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const FREQUENCIES = ['minute', 'hour', 'day', 'week', 'month'] as const;
// Azure's limits on interval per frequency.
const MAX_INTERVAL: Record<string, number> = { minute: 1000, hour: 1000, day: 548, week: 78, month: 18 };
/** Beyond this many days without a match the recurrence never fires (e.g. day 31 every 12 months from June). */
const SEARCH_DAYS = 12 * 366;

export interface RecurrenceRules {
  frequency: (typeof FREQUENCIES)[number];
  interval: number;
  /** Ascending seconds of the day at which fires happen (before the period filter for hourly). */
  times: number[];
  weekDaysMask: number;
  monthDays: number[];
  occurrences: { weekday: number; occurrence: number }[];
}

function intList(value: unknown, pointer: string, min: number, max: number, allowZero = true): number[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0) throw new ScheduleError(pointer, `must be a non-empty array of integers ${min}..${max}`);
  return value.map((v, i) => {
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max || (!allowZero && v === 0)) {
      throw new ScheduleError(`${pointer}/${i}`, `must be an integer ${min}..${max}${allowZero ? '' : ' other than 0'} (got ${JSON.stringify(v)})`);
    }
    return v as number;
  });
}

function weekDay(value: unknown, pointer: string): number {
  const idx = typeof value === 'string' ? WEEK_DAYS.indexOf(value.toLowerCase() as WeekDay) : -1;
  if (idx < 0) throw new ScheduleError(pointer, `must be a day name sunday..saturday (got ${JSON.stringify(value)})`);
  return idx;
}

/** Validates a recurrence and resolves its defaults against the start wall time. */
export function recurrenceRules(spec: RecurrenceSchedule, startWall: number): RecurrenceRules {
  const frequency = typeof spec.frequency === 'string' ? (spec.frequency.toLowerCase() as RecurrenceRules['frequency']) : undefined;
  if (!frequency || !FREQUENCIES.includes(frequency)) {
    throw new ScheduleError('/frequency', `must be one of ${FREQUENCIES.join(', ')}`);
  }
  const interval = spec.interval ?? 1;
  const maxInterval = MAX_INTERVAL[frequency] as number;
  if (!Number.isInteger(interval) || interval < 1 || interval > maxInterval) {
    throw new ScheduleError('/interval', `must be an integer 1..${maxInterval} for frequency ${frequency}`);
  }
  const s = spec.schedule ?? {};
  if (typeof s !== 'object' || s === null) throw new ScheduleError('/schedule', 'must be an object');
  const minutes = intList(s.minutes, '/schedule/minutes', 0, 59);
  const hours = intList(s.hours, '/schedule/hours', 0, 23);
  const monthDays = intList(s.monthDays, '/schedule/monthDays', -31, 31, false);
  let weekDaysMask = 0;
  if (s.weekDays !== undefined) {
    if (!Array.isArray(s.weekDays) || s.weekDays.length === 0) throw new ScheduleError('/schedule/weekDays', 'must be a non-empty array of day names');
    s.weekDays.forEach((d, i) => (weekDaysMask |= 1 << weekDay(d, `/schedule/weekDays/${i}`)));
  }
  const occurrences: RecurrenceRules['occurrences'] = [];
  if (s.monthlyOccurrences !== undefined) {
    if (!Array.isArray(s.monthlyOccurrences) || s.monthlyOccurrences.length === 0) {
      throw new ScheduleError('/schedule/monthlyOccurrences', 'must be a non-empty array of {day, occurrence}');
    }
    s.monthlyOccurrences.forEach((o, i) => {
      const p = `/schedule/monthlyOccurrences/${i}`;
      const rec = o as { day?: unknown; occurrence?: unknown; Occurrence?: unknown };
      const occurrence = rec.occurrence ?? rec.Occurrence;
      if (!Number.isInteger(occurrence) || occurrence === 0 || (occurrence as number) < -5 || (occurrence as number) > 5) {
        throw new ScheduleError(`${p}/occurrence`, 'must be 1..5, or -1..-5 counting from the end of the month');
      }
      occurrences.push({ weekday: weekDay(rec.day, `${p}/day`), occurrence: occurrence as number });
    });
  }
  if (hours.length && (frequency === 'minute' || frequency === 'hour')) {
    throw new ScheduleError('/schedule/hours', `is not allowed with frequency ${frequency} (use day, week or month)`);
  }
  if (minutes.length && frequency === 'minute') throw new ScheduleError('/schedule/minutes', 'is not allowed with frequency minute');
  if (weekDaysMask && frequency !== 'week') throw new ScheduleError('/schedule/weekDays', 'is only allowed with frequency week');
  if ((monthDays.length || occurrences.length) && frequency !== 'month') {
    throw new ScheduleError(monthDays.length ? '/schedule/monthDays' : '/schedule/monthlyOccurrences', 'is only allowed with frequency month');
  }

  const startDay = Math.floor(startWall / SECONDS_PER_DAY);
  const startSod = startWall - startDay * SECONDS_PER_DAY;
  const startHour = Math.floor(startSod / 3600);
  const startMinute = Math.floor((startSod % 3600) / 60);
  const startSecond = startSod % 60;
  const hourList = frequency === 'hour' || frequency === 'minute' ? range(0, 23) : hours.length ? hours : [startHour];
  const minuteList = minutes.length ? minutes : [startMinute];
  const times = [...new Set(hourList.flatMap((h) => minuteList.map((m) => h * 3600 + m * 60 + startSecond)))].sort((a, b) => a - b);
  if (frequency === 'week' && !weekDaysMask) weekDaysMask = 1 << weekdayOfDays(startDay);
  if (frequency === 'month' && !monthDays.length && !occurrences.length) {
    const ymd = [0, 0, 0];
    civilFromDays(startDay, ymd);
    monthDays.push(ymd[2] as number);
  }
  return { frequency, interval, times, weekDaysMask, monthDays, occurrences };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

const mod = (a: number, n: number): number => ((a % n) + n) % n;
const weekIndex = (day: number): number => Math.floor((day + 4) / 7);

/** The wall-clock part of a recurrence (frequencies day, week, month, and hour with a minutes list). */
export class RecurrenceMatcher implements WallMatcher {
  readonly realHours: boolean;
  private readonly startDay: number;
  private readonly startHour: number;
  private readonly startMonth: number;
  private readonly ymd = [0, 0, 0];

  constructor(readonly rules: RecurrenceRules, startWall: number) {
    this.realHours = rules.frequency === 'hour' || rules.frequency === 'minute';
    this.startDay = Math.floor(startWall / SECONDS_PER_DAY);
    this.startHour = Math.floor(startWall / 3600);
    civilFromDays(this.startDay, this.ymd);
    this.startMonth = (this.ymd[0] as number) * 12 + (this.ymd[1] as number);
  }

  nextWall(wall: number): number {
    const r = this.rules;
    let day = Math.floor(wall / SECONDS_PER_DAY);
    let sod = wall - day * SECONDS_PER_DAY;
    for (let i = 0; i < SEARCH_DAYS; i++, day++, sod = 0) {
      if (!this.dayMatches(day)) continue;
      for (const t of r.times) {
        if (t < sod) continue;
        if (r.frequency === 'hour' && mod(Math.floor((day * SECONDS_PER_DAY + t) / 3600) - this.startHour, r.interval) !== 0) continue;
        return day * SECONDS_PER_DAY + t;
      }
    }
    return -1;
  }

  private dayMatches(day: number): boolean {
    const r = this.rules;
    switch (r.frequency) {
      case 'minute':
      case 'hour':
        return true;
      case 'day':
        return mod(day - this.startDay, r.interval) === 0;
      case 'week':
        return mod(weekIndex(day) - weekIndex(this.startDay), r.interval) === 0 && (r.weekDaysMask & (1 << weekdayOfDays(day))) !== 0;
      case 'month': {
        const ymd = this.ymd;
        civilFromDays(day, ymd);
        const y = ymd[0] as number;
        const m = ymd[1] as number;
        const d = ymd[2] as number;
        if (mod(y * 12 + m - this.startMonth, r.interval) !== 0) return false;
        const dim = daysInMonth(y, m);
        for (const md of r.monthDays) if (md === d || dim + md + 1 === d) return true;
        if (r.occurrences.length) {
          const wd = weekdayOfDays(day);
          const nth = Math.floor((d - 1) / 7) + 1;
          const nthFromEnd = -(Math.floor((dim - d) / 7) + 1);
          for (const o of r.occurrences) if (o.weekday === wd && (o.occurrence === nth || o.occurrence === nthFromEnd)) return true;
        }
        return false;
      }
    }
  }
}
