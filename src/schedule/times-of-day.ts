/**
 * Schedules made of days of the week and times of day: JIM's SpecificTimes (`daily`) and Interval
 * windows (`window`).
 */

import { SECONDS_PER_DAY, weekdayOfDays } from './civil.js';
import { ScheduleError } from './schedule-error.js';
import type { WallMatcher } from './wall-matcher.js';

const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** Seconds of the day of `HH:MM` or `HH:MM:SS`. */
export function parseTimeOfDay(text: unknown, pointer: string): number {
  const m = typeof text === 'string' ? TIME.exec(text) : null;
  if (!m) throw new ScheduleError(pointer, `must be a 24-hour time HH:MM or HH:MM:SS (got ${JSON.stringify(text)})`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

export function formatTimeOfDay(sod: number): string {
  const h = Math.floor(sod / 3600);
  const m = Math.floor((sod % 3600) / 60);
  const s = sod % 60;
  const hm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  return s ? `${hm}:${String(s).padStart(2, '0')}` : hm;
}

/** Bitmask of days of week (0 = Sunday .. 6 = Saturday); empty means every day. */
export function parseDaysOfWeek(days: unknown, pointer: string): number {
  if (days === undefined) return 0x7f;
  if (!Array.isArray(days)) throw new ScheduleError(pointer, 'must be an array of day numbers 0 (Sunday) to 6 (Saturday)');
  let mask = 0;
  days.forEach((d, i) => {
    if (!Number.isInteger(d) || (d as number) < 0 || (d as number) > 6) {
      throw new ScheduleError(`${pointer}/${i}`, `must be a day number 0 (Sunday) to 6 (Saturday) (got ${JSON.stringify(d)})`);
    }
    mask |= 1 << (d as number);
  });
  return mask === 0 ? 0x7f : mask;
}

export class TimesOfDayMatcher implements WallMatcher {
  /**
   * @param daysMask bit w = weekday w allowed
   * @param times ascending, distinct seconds of the day
   */
  constructor(
    private readonly daysMask: number,
    readonly times: readonly number[],
    readonly realHours: boolean,
  ) {}

  nextWall(wall: number): number {
    let day = Math.floor(wall / SECONDS_PER_DAY);
    let sod = wall - day * SECONDS_PER_DAY;
    for (let i = 0; i < 8; i++, day++, sod = 0) {
      if (!(this.daysMask & (1 << weekdayOfDays(day)))) continue;
      for (const t of this.times) if (t >= sod) return day * SECONDS_PER_DAY + t;
    }
    return -1;
  }
}
