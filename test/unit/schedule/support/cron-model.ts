/**
 * A model of cron expressions for the tests: a small syntax tree, its rendering as Quartz or Unix text,
 * fast-check arbitraries that build it from the grammar, and a brute-force matcher over wall-clock fields
 * written from the dialects' documentation (Quartz's CronExpression javadoc, cronie's crontab(5)) — not
 * from src/schedule.
 */

import fc from 'fast-check';
import type { WallClock } from './zone-clock.js';

export type Dialect = 'quartz' | 'unix';

/** One list element: `*`, `*\/n`, `v`, `v/n`, `a-b`, `a-b/n`; `named` renders values as JAN / MON. */
export type Item =
  | { t: 'star'; step?: number }
  | { t: 'value'; v: number; step?: number; named?: boolean }
  | { t: 'range'; a: number; b: number; step?: number; named?: boolean };

export type DomSpec =
  | { t: 'none' }
  | { t: 'items'; items: Item[] }
  /** `L`, `L-n`, `LW`, `L-nW`. */
  | { t: 'last'; offset: number; weekday: boolean }
  /** `nW`. */
  | { t: 'nearest'; day: number };

export type DowSpec =
  | { t: 'none' }
  | { t: 'items'; items: Item[] }
  /** `6L` / `FRIL`: the last such weekday of the month. Field value (Quartz 1 = SUN). */
  | { t: 'lastOf'; weekday: number; named: boolean }
  /** `6#3` / `FRI#3`. */
  | { t: 'nth'; weekday: number; n: number; named: boolean }
  /** `L` alone: Saturday. */
  | { t: 'saturday' };

export interface CronModel {
  dialect: Dialect;
  /** null: the Unix 5-field form (second 0). */
  seconds: Item[] | null;
  minutes: Item[];
  hours: Item[];
  dom: DomSpec;
  months: Item[];
  dow: DowSpec;
  /** Quartz only; null = no year field. */
  years: Item[] | null;
}

interface FieldDef {
  min: number;
  max: number;
  names?: readonly string[];
  /** Value of the first name. */
  nameBase?: number;
}

export const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];
export const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const SEC: FieldDef = { min: 0, max: 59 };
const MIN: FieldDef = { min: 0, max: 59 };
const HOUR: FieldDef = { min: 0, max: 23 };
const DOM: FieldDef = { min: 1, max: 31 };
const MONTH: FieldDef = { min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 };
const QDOW: FieldDef = { min: 1, max: 7, names: DAY_NAMES, nameBase: 1 };
const UDOW: FieldDef = { min: 0, max: 7, names: DAY_NAMES, nameBase: 0 };
const YEAR: FieldDef = { min: 1970, max: 2199 };

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

function nameIndex(v: number, def: FieldDef): number {
  return def.names ? (v - (def.nameBase ?? 0)) % def.names.length : -1;
}

function valueText(v: number, def: FieldDef, named: boolean | undefined): string {
  return named && def.names ? (def.names[nameIndex(v, def)] as string) : String(v);
}

function itemText(item: Item, def: FieldDef): string {
  const step = item.step === undefined ? '' : `/${item.step}`;
  switch (item.t) {
    case 'star':
      return `*${step}`;
    case 'value':
      return `${valueText(item.v, def, item.named)}${step}`;
    case 'range': {
      // Unix day-of-week 7 is SUN, whose name means 0: a named range ending in 7 is written with numbers.
      const named = item.named === true && nameIndex(item.b, def) === item.b - (def.nameBase ?? 0);
      return `${valueText(item.a, def, named)}-${valueText(item.b, def, named)}${step}`;
    }
  }
}

const listText = (items: Item[], def: FieldDef): string => items.map((i) => itemText(i, def)).join(',');

function domText(dom: DomSpec): string {
  switch (dom.t) {
    case 'none':
      return '?';
    case 'items':
      return listText(dom.items, DOM);
    case 'last':
      return `L${dom.offset ? `-${dom.offset}` : ''}${dom.weekday ? 'W' : ''}`;
    case 'nearest':
      return `${dom.day}W`;
  }
}

function dowText(dow: DowSpec, def: FieldDef): string {
  switch (dow.t) {
    case 'none':
      return '?';
    case 'items':
      return listText(dow.items, def);
    case 'lastOf':
      return `${valueText(dow.weekday, def, dow.named)}L`;
    case 'nth':
      return `${valueText(dow.weekday, def, dow.named)}#${dow.n}`;
    case 'saturday':
      return 'L';
  }
}

/** The expression text of a model. */
export function renderCron(m: CronModel): string {
  const dowDef = m.dialect === 'quartz' ? QDOW : UDOW;
  const parts = [
    listText(m.minutes, MIN),
    listText(m.hours, HOUR),
    domText(m.dom),
    listText(m.months, MONTH),
    dowText(m.dow, dowDef),
  ];
  if (m.seconds !== null) parts.unshift(listText(m.seconds, SEC));
  if (m.years !== null) parts.push(listText(m.years, YEAR));
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Value sets and the brute-force matcher
// ---------------------------------------------------------------------------------------------

/**
 * Values of a list, as documented: `*` = min..max, `v/n` = v..max every n, `a-b/n` every n from a to b;
 * in Quartz a range whose end is below its start wraps past the maximum (`22-2` = 22,23,0,1,2).
 */
export function valuesOf(items: Item[], def: FieldDef): Set<number> {
  const out = new Set<number>();
  const span = def.max - def.min + 1;
  for (const item of items) {
    const step = item.step ?? 1;
    let from: number;
    let to: number;
    if (item.t === 'star') [from, to] = [def.min, def.max];
    else if (item.t === 'value') [from, to] = [item.v, item.step === undefined ? item.v : def.max];
    else [from, to] = [item.a, item.b < item.a ? item.b + span : item.b];
    for (let v = from; v <= to; v += step) out.add(v > def.max ? v - span : v);
  }
  return out;
}

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const weekdayOf = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

/**
 * Quartz's W: the weekday nearest to `day`, never leaving the month. A day past the end of a shorter month
 * takes the weekday of the day it rolls over to (Quartz's lenient Calendar), so `31W` in a 30-day month
 * whose next 1st is a Saturday gives the 30th; the caller drops answers past the month's end.
 */
export function nearestWeekday(y: number, m: number, day: number): number {
  const dim = daysIn(y, m);
  const wd = (weekdayOf(y, m, 1) + day - 1) % 7;
  if (wd === 6) return day === 1 ? 3 : day - 1;
  if (wd === 0) return day === dim ? day - 2 : day + 1;
  return day;
}

export interface CronOracle {
  /** The hour field is `*` (Unix: starts with `*`) or has a step: "every real hour" under the compatible policy. */
  realHours: boolean;
  seconds: number[];
  /** Year, month and the day fields match (the date could fire at some time of day). */
  matchesDate(w: WallClock): boolean;
  /** Every field but the seconds matches. */
  matchesMinute(w: WallClock): boolean;
  matches(w: WallClock): boolean;
}

/** A matcher for the model over wall-clock fields. */
export function cronOracle(m: CronModel): CronOracle {
  const quartz = m.dialect === 'quartz';
  const seconds = m.seconds === null ? new Set([0]) : valuesOf(m.seconds, SEC);
  const minutes = valuesOf(m.minutes, MIN);
  const hours = valuesOf(m.hours, HOUR);
  const months = valuesOf(m.months, MONTH);
  const years = m.years === null ? null : valuesOf(m.years, YEAR);
  const dowDef = quartz ? QDOW : UDOW;
  // Weekday sets as 0 = Sunday; Quartz counts 1 = SUN, Unix 0 and 7 = SUN.
  const toWeekday = (v: number): number => (quartz ? v - 1 : v % 7);
  const dowItems = m.dow.t === 'items' ? new Set([...valuesOf(m.dow.items, dowDef)].map(toWeekday)) : null;
  const domItems = m.dom.t === 'items' ? valuesOf(m.dom.items, DOM) : null;
  const hoursText = listText(m.hours, HOUR);
  const realHours = quartz
    ? hoursText === '*' || hoursText.includes('/')
    : hoursText.startsWith('*') || hoursText.includes('/');

  const domMatch = (y: number, mo: number, d: number): boolean => {
    const dim = daysIn(y, mo);
    switch (m.dom.t) {
      case 'none':
        return true;
      case 'items':
        return (domItems as Set<number>).has(d);
      case 'last': {
        const day = dim - m.dom.offset;
        if (day < 1) return false;
        return (m.dom.weekday ? nearestWeekday(y, mo, day) : day) === d;
      }
      case 'nearest':
        return nearestWeekday(y, mo, m.dom.day) === d && d <= dim;
    }
  };
  const dowMatch = (y: number, mo: number, d: number): boolean => {
    const wd = weekdayOf(y, mo, d);
    switch (m.dow.t) {
      case 'none':
        return true;
      case 'items':
        return (dowItems as Set<number>).has(wd);
      case 'saturday':
        return wd === 6;
      case 'lastOf':
        return wd === toWeekday(m.dow.weekday) && d + 7 > daysIn(y, mo);
      case 'nth':
        return wd === toWeekday(m.dow.weekday) && Math.ceil(d / 7) === m.dow.n;
    }
  };
  // cronie: a day field is restricted unless its text starts with '*'; when both are restricted a day
  // matching either fires, otherwise both must match. Quartz: the '?' field is ignored.
  const domStar = m.dom.t === 'none' || domText(m.dom).startsWith('*');
  const dowStar = m.dow.t === 'none' || dowText(m.dow, dowDef).startsWith('*');
  const dayMatch = (y: number, mo: number, d: number): boolean => {
    if (quartz) return m.dom.t === 'none' ? dowMatch(y, mo, d) : domMatch(y, mo, d);
    if (!domStar && !dowStar) return domMatch(y, mo, d) || dowMatch(y, mo, d);
    return domMatch(y, mo, d) && dowMatch(y, mo, d);
  };
  const matchesDate = (w: WallClock): boolean =>
    months.has(w.month) && (years === null || years.has(w.year)) && dayMatch(w.year, w.month, w.day);
  const matchesMinute = (w: WallClock): boolean =>
    minutes.has(w.minute) && hours.has(w.hour) && matchesDate(w);
  return {
    realHours,
    matchesDate,
    seconds: [...seconds].sort((a, b) => a - b),
    matchesMinute,
    matches: (w) => seconds.has(w.second) && matchesMinute(w),
  };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

interface ItemOptions {
  /** Quartz: ranges may wrap (end below start). */
  wrap: boolean;
  /** Names may appear (without a step, which Quartz ignores and sked refuses). */
  names: boolean;
  /** Largest value used (to keep day-of-month below 29 when the month is restricted). */
  maxValue?: number;
}

/** A field that is just `*`. */
const starList = (): fc.Arbitrary<Item[]> => fc.constant<Item[]>([{ t: 'star' }]);

function itemArb(def: FieldDef, o: ItemOptions): fc.Arbitrary<Item> {
  const hi = o.maxValue ?? def.max;
  const value = fc.integer({ min: def.min, max: hi });
  const step = fc.integer({ min: 1, max: Math.max(1, Math.min(def.max - def.min, 15)) });
  const named = o.names ? fc.boolean() : fc.constant(false);
  const range = fc
    .tuple(value, value)
    .filter(([a, b]) => a !== b && (o.wrap || a < b))
    .map(([a, b]) => (o.wrap ? [a, b] : [Math.min(a, b), Math.max(a, b)]) as [number, number]);
  return fc.oneof(
    { weight: 2, arbitrary: fc.record({ t: fc.constant('star' as const), step }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('value' as const), v: value, named }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('value' as const), v: value, step }) },
    {
      weight: 2,
      arbitrary: fc.tuple(range, named).map(([[a, b], n]): Item => ({ t: 'range', a, b, named: n })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(range, step).map(([[a, b], s]): Item => ({ t: 'range', a, b, step: s })),
    },
  );
}

function listArb(def: FieldDef, o: ItemOptions, starWeight: number): fc.Arbitrary<Item[]> {
  return fc.oneof(
    { weight: starWeight, arbitrary: starList() },
    { weight: 6, arbitrary: itemArb(def, o).map((i) => [i]) },
    { weight: 3, arbitrary: fc.array(itemArb(def, o), { minLength: 2, maxLength: 3 }) },
  );
}

function secondsArb(def: FieldDef): fc.Arbitrary<Item[]> {
  // Mostly a single second, as real schedules are; otherwise any list.
  return fc.oneof(
    { weight: 7, arbitrary: fc.integer({ min: 0, max: 59 }).map((v): Item[] => [{ t: 'value', v }]) },
    { weight: 3, arbitrary: listArb(def, { wrap: false, names: false }, 1) },
  );
}

/** Random valid Quartz expressions covering the documented syntax. */
export function quartzModelArb(): fc.Arbitrary<CronModel> {
  const w = { wrap: true, names: false };
  return fc
    .record({
      seconds: secondsArb(SEC),
      minutes: listArb(MIN, w, 3),
      hours: listArb(HOUR, w, 3),
      months: fc.oneof(
        { weight: 4, arbitrary: starList() },
        { weight: 2, arbitrary: listArb(MONTH, { wrap: true, names: true }, 0) },
      ),
      dayKind: fc.constantFrom('dom', 'dom', 'dow', 'dow', 'domSpecial', 'dowSpecial'),
      domItems: fc.boolean(),
      yearKind: fc.constantFrom('none', 'none', 'none', 'star', 'range', 'step'),
      seed: fc.integer({ min: 0, max: 1 << 30 }),
    })
    .chain((r) => {
      const monthRestricted = !(
        r.months.length === 1 &&
        r.months[0]?.t === 'star' &&
        r.months[0].step === undefined
      );
      const yearsRestricted = r.yearKind === 'range' || r.yearKind === 'step';
      // Days that exist in every month, so no expression is empty: 29-31 and 5th weekdays only with month '*'.
      const months = yearsRestricted ? [{ t: 'star' } as Item] : r.months;
      const maxDay = monthRestricted && !yearsRestricted ? 28 : 31;
      const domArb: fc.Arbitrary<DomSpec> =
        r.dayKind === 'dom'
          ? listArb(DOM, { wrap: true, names: false, maxValue: maxDay }, 2).map((items) => ({
              t: 'items' as const,
              items,
            }))
          : r.dayKind === 'domSpecial'
            ? fc.oneof(
                fc.record({
                  t: fc.constant('last' as const),
                  offset: fc.integer({ min: 0, max: 27 }),
                  weekday: fc.boolean(),
                }),
                fc.record({ t: fc.constant('nearest' as const), day: fc.integer({ min: 1, max: maxDay }) }),
              )
            : fc.constant({ t: 'none' as const });
      const weekday = fc.integer({ min: 1, max: 7 });
      const dowArb: fc.Arbitrary<DowSpec> =
        r.dayKind === 'dow'
          ? listArb(QDOW, { wrap: true, names: true }, 1).map((items) => ({ t: 'items' as const, items }))
          : r.dayKind === 'dowSpecial'
            ? fc.oneof(
                fc.record({ t: fc.constant('lastOf' as const), weekday, named: fc.boolean() }),
                fc.record({
                  t: fc.constant('nth' as const),
                  weekday,
                  n: fc.integer({ min: 1, max: maxDay === 31 ? 5 : 4 }),
                  named: fc.boolean(),
                }),
                fc.constant({ t: 'saturday' as const }),
              )
            : fc.constant({ t: 'none' as const });
      const yearsArb: fc.Arbitrary<Item[] | null> =
        r.yearKind === 'none'
          ? fc.constant(null)
          : r.yearKind === 'star'
            ? starList()
            : r.yearKind === 'range'
              ? fc
                  .tuple(fc.integer({ min: 2000, max: 2036 }), fc.integer({ min: 2040, max: 2199 }))
                  .map(([a, b]): Item[] => [{ t: 'range', a, b }])
              : fc
                  .tuple(fc.integer({ min: 2000, max: 2036 }), fc.integer({ min: 1, max: 4 }))
                  .map(([v, step]): Item[] => [{ t: 'value', v, step }]);
      return fc
        .record({ dom: domArb, dow: dowArb, years: yearsArb })
        .map(({ dom, dow, years }): CronModel => ({
          dialect: 'quartz',
          seconds: r.seconds,
          minutes: r.minutes,
          hours: r.hours,
          dom,
          months,
          dow,
          years,
        }));
    });
}

export interface UnixModelOptions {
  /** Share of expressions whose day-of-month and day-of-week are both restricted. */
  bothDaysRestricted: number;
  /** Share of six-field (seconds-first) expressions. */
  withSeconds: number;
}

/** Random valid Unix (cronie) expressions: lists, ranges, steps, names; no Quartz extensions. */
export function unixModelArb(opts: UnixModelOptions): fc.Arbitrary<CronModel> {
  const plain = { wrap: false, names: false };
  const pct = fc.integer({ min: 0, max: 999 });
  return fc
    .record({
      seconds: secondsArb(SEC),
      minutes: listArb(MIN, plain, 2),
      hours: listArb(HOUR, plain, 3),
      months: fc.oneof(
        { weight: 4, arbitrary: starList() },
        { weight: 2, arbitrary: listArb(MONTH, { wrap: false, names: true }, 0) },
      ),
      roll: pct,
      roll2: pct,
      which: fc.boolean(),
    })
    .chain((r) => {
      const monthRestricted = !(
        r.months.length === 1 &&
        r.months[0]?.t === 'star' &&
        r.months[0].step === undefined
      );
      const maxDay = monthRestricted ? 28 : 31;
      const domList = listArb(DOM, { ...plain, maxValue: maxDay }, 0);
      const dowList = listArb(UDOW, { wrap: false, names: true }, 0);
      const star = starList();
      let dom: fc.Arbitrary<Item[]>;
      let dow: fc.Arbitrary<Item[]>;
      if (r.roll < opts.bothDaysRestricted * 1000) {
        [dom, dow] = [domList, dowList];
      } else if (r.which) {
        [dom, dow] = [domList, star];
      } else {
        [dom, dow] = [star, dowList];
      }
      // Half of the 'unrestricted' fields stay a bare '*'; the rest are whatever the list gave (may be '*/n').
      return fc.record({ dom, dow }).map(({ dom: d, dow: w }): CronModel => ({
        dialect: 'unix',
        seconds: r.roll2 < opts.withSeconds * 1000 ? r.seconds : null,
        minutes: r.minutes,
        hours: r.hours,
        dom: { t: 'items', items: d },
        months: r.months,
        dow: { t: 'items', items: w },
        years: null,
      }));
    });
}
