/**
 * Next matching wall time of a compiled cron expression: a field-by-field search over precomputed
 * "next allowed value" tables and a per-month bitmask of matching days. No allocation per call.
 */

import { civilFromDays, daysFromCivil, daysInMonth, SECONDS_PER_DAY, weekdayOfDays } from './civil.js';
import { MAX_YEAR, MIN_YEAR, type CronFields } from './cron-fields.js';
import type { WallMatcher } from './wall-matcher.js';

// The four "next allowed value" tables share one Int8Array: next[v] = smallest allowed value >= v, or -1,
// with one extra slot past each field's maximum holding -1 (so an overflow reads as "none").
const SEC = 0;
const MIN = 61;
const HOUR = 122;
const MONTH = 147;
const TABLES = 161;

function fillNext(tables: Int8Array, at: number, set: Uint8Array, size: number): void {
  let next = -1;
  tables[at + size] = -1;
  for (let v = size - 1; v >= 0; v--) {
    if (set[v]) next = v;
    tables[at + v] = next;
  }
}

/**
 * Tables are views into shared slabs: a typed array this size would get a backing store of its own
 * (V8 keeps only arrays up to 64 bytes on its heap), which costs more than the rest of compiling.
 * A slab is freed by the garbage collector once no matcher viewing it is left.
 */
const SLAB_TABLES = 128;
let slab = new ArrayBuffer(0);
let slabUsed = SLAB_TABLES;

function allocTables(): Int8Array {
  if (slabUsed === SLAB_TABLES) {
    slab = new ArrayBuffer(SLAB_TABLES * TABLES);
    slabUsed = 0;
  }
  return new Int8Array(slab, TABLES * slabUsed++, TABLES);
}

/** WEEKDAY_DAYS[first * 7 + w]: days 1..31 (bit d-1) that fall on weekday w when the 1st is weekday `first`. */
const WEEKDAY_DAYS = new Int32Array(49);
for (let first = 0; first < 7; first++) {
  for (let day = 1; day <= 31; day++) WEEKDAY_DAYS[first * 7 + ((first + day - 1) % 7)]! |= 1 << (day - 1);
}

/** Scratch for civil dates: next-fire computation is synchronous, so one buffer serves every matcher. */
const ymd = new Int32Array(3);

const ctz = (x: number): number => 31 - Math.clz32(x & -x);

/** The weekday nearest to `day` without leaving the month (Quartz's W). */
function nearestWeekday(day: number, dim: number, weekdayOfFirst: number): number {
  const wd = (weekdayOfFirst + day - 1) % 7;
  if (wd === 6) return day === 1 ? day + 2 : day - 1;
  if (wd === 0) return day === dim ? day - 2 : day + 1;
  return day;
}

/**
 * A compiled cron expression, kept small (a few hundred bytes): the value tables packed in one array,
 * the day rules as plain numbers, and nothing of the parse result.
 */
export class CronMatcher implements WallMatcher {
  readonly realHours: boolean;
  private readonly tables: Int8Array;
  private readonly years: Uint8Array | null;
  private readonly dayRule: CronFields['dayRule'];
  private readonly dom: CronFields['dom'];
  private readonly dowMaskPlain: number;
  private readonly dowNth: CronFields['dow']['nth'];
  private readonly dowLast: readonly number[];
  private cacheKey = -1;
  private cacheMask = 0;

  constructor(fields: CronFields) {
    this.realHours = fields.realHours;
    const t = allocTables();
    fillNext(t, SEC, fields.seconds, 60);
    fillNext(t, MIN, fields.minutes, 60);
    fillNext(t, HOUR, fields.hours, 24);
    fillNext(t, MONTH, fields.months, 13);
    this.tables = t;
    this.years = fields.years;
    this.dayRule = fields.dayRule;
    this.dom = fields.dom;
    this.dowMaskPlain = fields.dow.mask;
    this.dowNth = fields.dow.nth;
    this.dowLast = fields.dow.last;
  }

  nextWall(wall: number): number {
    const t = this.tables;
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
      const nm = t[MONTH + mo] as number;
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
      const nh = t[HOUR + h] as number;
      if (nh < 0) {
        d++;
        h = mi = s = 0;
        continue;
      }
      if (nh !== h) {
        h = nh;
        mi = s = 0;
      }
      const nmi = t[MIN + mi] as number;
      if (nmi < 0) {
        h++;
        mi = s = 0;
        continue;
      }
      if (nmi !== mi) {
        mi = nmi;
        s = 0;
      }
      const ns = t[SEC + s] as number;
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
    const dim = daysInMonth(year, month);
    const full = dim === 31 ? 0x7fffffff : (1 << dim) - 1;
    const first = weekdayOfDays(daysFromCivil(year, month, 1));
    let mask: number;
    switch (this.dayRule) {
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
    const dom = this.dom;
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
    let mask = 0;
    const plain = this.dowMaskPlain;
    if (plain) for (let w = 0; w < 7; w++) if (plain & (1 << w)) mask |= WEEKDAY_DAYS[first * 7 + w] as number;
    mask &= full;
    for (const { weekday, n } of this.dowNth) {
      const day = 1 + ((weekday - first + 7) % 7) + (n - 1) * 7;
      if (day <= dim) mask |= 1 << (day - 1);
    }
    for (const weekday of this.dowLast) {
      const lastWeekday = (first + dim - 1) % 7;
      mask |= 1 << (dim - ((lastWeekday - weekday + 7) % 7) - 1);
    }
    return mask;
  }
}
