/**
 * Next matching wall time of a compiled cron expression: a field-by-field search over precomputed
 * "next allowed value" tables and a per-month bitmask of matching days. No allocation per call.
 */

import { civilFromDays, daysFromCivil, daysInMonth, SECONDS_PER_DAY, weekdayOfDays } from './civil.js';
import { MAX_YEAR, MIN_YEAR, type CronFields } from './cron-fields.js';
import type { WallMatcher } from './wall-matcher.js';

/** nextTable[v] = smallest allowed value >= v, or -1; one extra slot past the maximum holds -1. */
function nextTable(set: Uint8Array, size: number): Int8Array {
  const table = new Int8Array(size + 1);
  let next = -1;
  table[size] = -1;
  for (let v = size - 1; v >= 0; v--) {
    if (set[v]) next = v;
    table[v] = next;
  }
  return table;
}

const ctz = (x: number): number => 31 - Math.clz32(x & -x);

/** The weekday nearest to `day` without leaving the month (Quartz's W). */
function nearestWeekday(day: number, dim: number, weekdayOfFirst: number): number {
  const wd = (weekdayOfFirst + day - 1) % 7;
  if (wd === 6) return day === 1 ? day + 2 : day - 1;
  if (wd === 0) return day === dim ? day - 2 : day + 1;
  return day;
}

export class CronMatcher implements WallMatcher {
  readonly realHours: boolean;
  private readonly nextSecond: Int8Array;
  private readonly nextMinute: Int8Array;
  private readonly nextHour: Int8Array;
  private readonly nextMonth: Int8Array;
  private readonly years: Uint8Array | null;
  /** For each weekday of the 1st of a month, the days 1..31 whose weekday is in the plain day-of-week set. */
  private readonly dowByFirst: Int32Array;
  private readonly ymd = new Int32Array(3);
  private cacheKey = -1;
  private cacheMask = 0;

  constructor(private readonly fields: CronFields) {
    this.realHours = fields.realHours;
    this.nextSecond = nextTable(fields.seconds, 60);
    this.nextMinute = nextTable(fields.minutes, 60);
    this.nextHour = nextTable(fields.hours, 24);
    this.nextMonth = nextTable(fields.months, 13);
    this.years = fields.years;
    this.dowByFirst = new Int32Array(7);
    for (let first = 0; first < 7; first++) {
      let mask = 0;
      for (let day = 1; day <= 31; day++) if (fields.dow.mask & (1 << ((first + day - 1) % 7))) mask |= 1 << (day - 1);
      this.dowByFirst[first] = mask;
    }
  }

  nextWall(wall: number): number {
    const ymd = this.ymd;
    const days0 = Math.floor(wall / SECONDS_PER_DAY);
    const sod = wall - days0 * SECONDS_PER_DAY;
    civilFromDays(days0, ymd);
    let y = ymd[0] as number;
    let mo = ymd[1] as number;
    let d = ymd[2] as number;
    let h = (sod / 3600) | 0;
    let mi = ((sod % 3600) / 60) | 0;
    let s = sod % 60;
    if (y < MIN_YEAR) {
      y = MIN_YEAR;
      mo = 1;
      d = 1;
      h = mi = s = 0;
    }
    const years = this.years;
    for (;;) {
      if (y > MAX_YEAR) return -1;
      if (years !== null && years[y - MIN_YEAR] !== 1) {
        do y++;
        while (y <= MAX_YEAR && years[y - MIN_YEAR] !== 1);
        if (y > MAX_YEAR) return -1;
        mo = 1;
        d = 1;
        h = mi = s = 0;
      }
      const nm = this.nextMonth[mo] as number;
      if (nm < 0) {
        y++;
        mo = 1;
        d = 1;
        h = mi = s = 0;
        continue;
      }
      if (nm !== mo) {
        mo = nm;
        d = 1;
        h = mi = s = 0;
      }
      // d may be one past the month's end after an hour overflow: the shifted mask is then empty.
      const mask = this.dayMask(y, mo) >>> (d - 1);
      if (mask === 0) {
        if (++mo > 12) {
          mo = 1;
          y++;
        }
        d = 1;
        h = mi = s = 0;
        continue;
      }
      const nd = d + ctz(mask);
      if (nd !== d) {
        d = nd;
        h = mi = s = 0;
      }
      const nh = this.nextHour[h] as number;
      if (nh < 0) {
        d++;
        h = mi = s = 0;
        continue;
      }
      if (nh !== h) {
        h = nh;
        mi = s = 0;
      }
      const nmi = this.nextMinute[mi] as number;
      if (nmi < 0) {
        h++;
        mi = s = 0;
        continue;
      }
      if (nmi !== mi) {
        mi = nmi;
        s = 0;
      }
      const ns = this.nextSecond[s] as number;
      if (ns < 0) {
        mi++;
        s = 0;
        continue;
      }
      return daysFromCivil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + ns;
    }
  }

  /** Bit d-1 set = day d of this month matches the day fields. */
  dayMask(year: number, month: number): number {
    const key = year * 16 + month;
    if (key === this.cacheKey) return this.cacheMask;
    const f = this.fields;
    const dim = daysInMonth(year, month);
    const full = dim === 31 ? 0x7fffffff : (1 << dim) - 1;
    const first = weekdayOfDays(daysFromCivil(year, month, 1));
    let mask: number;
    switch (f.dayRule) {
      case 'dom':
        mask = this.domMask(dim, full, first);
        break;
      case 'dow':
        mask = this.dowMask(dim, full, first);
        break;
      case 'and':
        mask = this.domMask(dim, full, first) & this.dowMask(dim, full, first);
        break;
      case 'or':
        mask = this.domMask(dim, full, first) | this.dowMask(dim, full, first);
        break;
    }
    this.cacheKey = key;
    this.cacheMask = mask;
    return mask;
  }

  private domMask(dim: number, full: number, first: number): number {
    const dom = this.fields.dom;
    let mask = dom.mask & full;
    for (const off of dom.last) if (dim - off >= 1) mask |= 1 << (dim - off - 1);
    for (const off of dom.lastWeekday) {
      if (dim - off >= 1) mask |= 1 << (nearestWeekday(dim - off, dim, first) - 1);
    }
    // A W day past the end of a short month is read as Quartz reads it: its weekday is that of the day it
    // rolls over to, so 29W in a 28-day February whose 1st of March is a Saturday fires on the 28th;
    // when the nearest weekday is still past the end, the month has no fire.
    for (const day of dom.nearestWeekday) {
      const d = nearestWeekday(day, dim, first);
      if (d <= dim) mask |= 1 << (d - 1);
    }
    return mask;
  }

  private dowMask(dim: number, full: number, first: number): number {
    const dow = this.fields.dow;
    let mask = (this.dowByFirst[first] as number) & full;
    for (const { weekday, n } of dow.nth) {
      const day = 1 + ((weekday - first + 7) % 7) + (n - 1) * 7;
      if (day <= dim) mask |= 1 << (day - 1);
    }
    for (const weekday of dow.last) {
      const lastWeekday = (first + dim - 1) % 7;
      mask |= 1 << (dim - ((lastWeekday - weekday + 7) % 7) - 1);
    }
    return mask;
  }
}
