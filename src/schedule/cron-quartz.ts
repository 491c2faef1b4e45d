/**
 * The Quartz dialect: `sec min hour day-of-month month day-of-week [year]`, day-of-week 1 = SUN .. 7 = SAT,
 * exactly one of the two day fields `?`, and Quartz's `L`, `L-n`, `LW`, `nW`, `nL`, `n#k`.
 *
 * It accepts what Quartz 2.3.2 accepts in its documented syntax and computes the same fire times (the
 * corpus in test/fixtures proves it). Where Quartz silently ignores part of an input (trailing characters,
 * a step after a name, `W` or `#` inside a list, values out of range after `#`), sked refuses it with a
 * message instead: a typo should never quietly become a different schedule.
 */

import { CronSyntaxError, DAY_NAMES, emptyDom, emptyDow, MAX_YEAR, MIN_YEAR, MONTH_NAMES, splitList, tokenize, upperAscii, type CronFields, type FieldToken } from './cron-fields.js';
import { parseElement, parseValue, unexpected, type FieldSpec } from './cron-element.js';

const common = { wrap: true, namedStep: false } as const;
const SECONDS: FieldSpec = { name: 'seconds', min: 0, max: 59, maxStep: 59, ...common };
const MINUTES: FieldSpec = { name: 'minutes', min: 0, max: 59, maxStep: 59, ...common };
const HOURS: FieldSpec = { name: 'hours', min: 0, max: 23, maxStep: 23, ...common };
const DOM: FieldSpec = { name: 'day-of-month', min: 1, max: 31, maxStep: 31, ...common };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, maxStep: 12, names: MONTH_NAMES, nameBase: 1, ...common };
const DOW: FieldSpec = { name: 'day-of-week', min: 1, max: 7, maxStep: 7, names: DAY_NAMES, nameBase: 1, ...common };
const YEAR: FieldSpec = { name: 'year', min: MIN_YEAR, max: MAX_YEAR, maxStep: MAX_YEAR - MIN_YEAR, wrap: false, namedStep: false };

export const QUARTZ_FIELD_NAMES = ['seconds', 'minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'];

export function parseQuartz(expression: string): CronFields {
  const upper = upperAscii(expression);
  const tokens = tokenize(upper);
  if (tokens.length < 6 || tokens.length > 7) {
    throw new CronSyntaxError(
      `a Quartz expression has 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]); got ${tokens.length}`,
      null,
      tokens.length > 7 ? (tokens[7] as FieldToken).position : upper.length,
    );
  }
  const [secT, minT, hourT, domT, monT, dowT, yearT] = tokens as [FieldToken, FieldToken, FieldToken, FieldToken, FieldToken, FieldToken, FieldToken | undefined];
  const fields: CronFields = {
    seconds: plain(secT, SECONDS, 60),
    minutes: plain(minT, MINUTES, 60),
    hours: plain(hourT, HOURS, 24),
    months: plain(monT, MONTH, 13),
    years: yearT === undefined || yearT.text === '*' ? null : yearSet(yearT),
    dom: emptyDom(),
    dow: emptyDow(),
    dayRule: 'dom',
    realHours: hourT.text === '*' || hourT.text.includes('/'),
  };
  parseDayOfMonth(domT, fields);
  parseDayOfWeek(dowT, fields);
  if (fields.dom.none === fields.dow.none) {
    throw new CronSyntaxError(
      fields.dom.none
        ? "'?' can be used in day-of-month or day-of-week, not both"
        : "Quartz needs '?' in day-of-month or day-of-week (e.g. '0 0 12 ? * MON' or '0 0 12 1 * ?'): restricting both is not supported",
      fields.dom.none ? 'day-of-week' : 'day-of-week',
      dowT.position,
    );
  }
  fields.dayRule = fields.dom.none ? 'dow' : 'dom';
  return fields;
}

function plain(token: FieldToken, spec: FieldSpec, size: number): Uint8Array {
  const set = new Uint8Array(size);
  for (const el of splitList(token, spec.name)) {
    if (el.text === '?') throw new CronSyntaxError(`${spec.name}: '?' is only allowed in day-of-month or day-of-week`, spec.name, el.position);
    parseElement(el, spec, set);
  }
  return set;
}

function yearSet(token: FieldToken): Uint8Array {
  const full = new Uint8Array(MAX_YEAR + 1);
  for (const el of splitList(token, 'year')) {
    if (el.text === '?') throw new CronSyntaxError("year: '?' is only allowed in day-of-month or day-of-week", 'year', el.position);
    parseElement(el, YEAR, full);
  }
  return full.subarray(MIN_YEAR);
}

function alone(token: FieldToken, spec: FieldSpec, what: string): void {
  if (token.text.includes(',')) {
    throw new CronSyntaxError(`${spec.name}: '${what}' must be the only value of the field`, spec.name, token.position);
  }
}

function parseDayOfMonth(token: FieldToken, fields: CronFields): void {
  const text = token.text;
  const dom = fields.dom;
  if (text === '?') {
    dom.none = true;
    dom.star = true;
    return;
  }
  const last = /^L(?:-(\d+))?(W)?$/.exec(text);
  if (last || /^\d+W$/.test(text) || (text.includes('L') && text !== '*') || text.includes('W')) {
    alone(token, DOM, text.includes('W') ? 'W' : 'L');
  }
  if (last) {
    const offset = last[1] === undefined ? 0 : Number(last[1]);
    if (offset > 30) throw new CronSyntaxError('day-of-month: the offset in L-n must be 30 or less', 'day-of-month', token.position + 2);
    if (last[2]) dom.lastWeekday.push(offset);
    else dom.last.push(offset);
    return;
  }
  const w = /^(\d+)W$/.exec(text);
  if (w) {
    dom.nearestWeekday.push(parseValue(w[1] as string, DOM, token.position));
    return;
  }
  if (/[LW]/.test(text)) throw unexpected(text, DOM, token.position);
  const set = new Uint8Array(32);
  let star = false;
  for (const el of splitList(token, DOM.name)) {
    if (el.text === '?') throw new CronSyntaxError("day-of-month: '?' must be the only value of the field", DOM.name, el.position);
    star = parseElement(el, DOM, set) || star;
  }
  for (let d = 1; d <= 31; d++) if (set[d]) dom.mask |= 1 << (d - 1);
  dom.star = star;
}

function parseDayOfWeek(token: FieldToken, fields: CronFields): void {
  const text = token.text;
  const dow = fields.dow;
  if (text === '?') {
    dow.none = true;
    dow.star = true;
    return;
  }
  if (text === 'L') {
    // Alone, L in day-of-week is simply 7 = Saturday.
    dow.mask = 1 << 6;
    return;
  }
  const special = /^(\d+|[A-Z]{3})(?:(L)|#(\d+))$/.exec(text);
  if (special) {
    const weekday = parseValue(special[1] as string, DOW, token.position) - 1;
    if (special[2]) {
      dow.last.push(weekday);
    } else {
      const n = Number(special[3]);
      if (n < 1 || n > 5) {
        throw new CronSyntaxError("day-of-week: '#' must be followed by 1 to 5", DOW.name, token.position + text.indexOf('#') + 1);
      }
      dow.nth.push({ weekday, n });
    }
    return;
  }
  if (/[L#]/.test(text)) {
    if (text.includes(',')) alone(token, DOW, text.includes('#') ? '#' : 'L');
    throw unexpected(text, DOW, token.position);
  }
  const set = new Uint8Array(8);
  let star = false;
  for (const el of splitList(token, DOW.name)) {
    if (el.text === '?') throw new CronSyntaxError("day-of-week: '?' must be the only value of the field", DOW.name, el.position);
    star = parseElement(el, DOW, set) || star;
  }
  for (let d = 1; d <= 7; d++) if (set[d]) dow.mask |= 1 << (d - 1);
  dow.star = star;
}
