/**
 * The Unix dialect (Vixie cron / cronie): `min hour day-of-month month day-of-week`, or the six-field form
 * with seconds first; day-of-week 0-7 where 0 and 7 are Sunday; the macros @yearly @annually @monthly
 * @weekly @daily @midnight @hourly.
 *
 * cronie's rule for the day fields: a field "is restricted" unless it starts with `*`. When both are
 * restricted, a day matching either fires (`0 3 1-7 * 1` = days 1-7 OR Mondays); otherwise both must
 * match. As extensions shared with croner, `v/n` steps, `L`, `L-n`, `LW`, `nW` in day-of-month and
 * `nL`, `n#k` in day-of-week are accepted, and `?` is read as `*`.
 */

import { CronSyntaxError, DAY_NAMES, emptyDom, emptyDow, MONTH_NAMES, splitList, tokenize, upperAscii, type CronFields, type FieldToken } from './cron-fields.js';
import { parseElement, parseValue, type FieldSpec } from './cron-element.js';

const common = { wrap: false, namedStep: true } as const;
const SECONDS: FieldSpec = { name: 'seconds', min: 0, max: 59, maxStep: 59, ...common };
const MINUTES: FieldSpec = { name: 'minutes', min: 0, max: 59, maxStep: 59, ...common };
const HOURS: FieldSpec = { name: 'hours', min: 0, max: 23, maxStep: 23, ...common };
const DOM: FieldSpec = { name: 'day-of-month', min: 1, max: 31, maxStep: 31, ...common };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, maxStep: 12, names: MONTH_NAMES, nameBase: 1, ...common };
const DOW: FieldSpec = { name: 'day-of-week', min: 0, max: 7, maxStep: 7, names: DAY_NAMES, nameBase: 0, ...common };

export const MACROS: Record<string, string> = {
  '@YEARLY': '0 0 1 1 *',
  '@ANNUALLY': '0 0 1 1 *',
  '@MONTHLY': '0 0 1 * *',
  '@WEEKLY': '0 0 * * 0',
  '@DAILY': '0 0 * * *',
  '@MIDNIGHT': '0 0 * * *',
  '@HOURLY': '0 * * * *',
};

/** Expands a macro; returns the expression unchanged when it is not one. */
export function expandMacro(expression: string): string {
  const trimmed = expression.trim();
  if (!trimmed.startsWith('@')) return expression;
  const expanded = MACROS[trimmed.toUpperCase()];
  if (expanded === undefined) {
    const hint = trimmed.toUpperCase() === '@REBOOT' ? ': @reboot has no fire times; use a manual schedule' : `; use one of ${Object.keys(MACROS).join(' ').toLowerCase()}`;
    throw new CronSyntaxError(`unknown macro '${trimmed}'${hint}`, null, expression.indexOf('@'));
  }
  return expanded;
}

export const UNIX_FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week'];

export function parseUnix(expression: string): CronFields {
  const upper = upperAscii(expandMacro(expression));
  const tokens = tokenize(upper);
  if (tokens.length < 5 || tokens.length > 6) {
    throw new CronSyntaxError(
      `a Unix cron expression has 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; got ${tokens.length}`,
      null,
      tokens.length > 6 ? (tokens[6] as FieldToken).position : upper.length,
    );
  }
  const withSeconds = tokens.length === 6;
  const at = (i: number): FieldToken => tokens[withSeconds ? i : i - 1] as FieldToken;
  const hourT = at(2);
  const seconds = new Uint8Array(60);
  if (withSeconds) plainInto(at(0), SECONDS, seconds);
  else seconds[0] = 1;
  const fields: CronFields = {
    seconds,
    minutes: plainInto(at(1), MINUTES, new Uint8Array(60)),
    hours: plainInto(hourT, HOURS, new Uint8Array(24)),
    months: plainInto(at(4), MONTH, new Uint8Array(13)),
    years: null,
    dom: emptyDom(),
    dow: emptyDow(),
    dayRule: 'and',
    realHours: hourT.text.startsWith('*') || hourT.text.includes('/'),
  };
  parseDayOfMonth(at(3), fields);
  parseDayOfWeek(at(5), fields);
  fields.dayRule = fields.dom.star || fields.dow.star ? 'and' : 'or';
  return fields;
}

function plainInto(token: FieldToken, spec: FieldSpec, set: Uint8Array): Uint8Array {
  for (const el of splitList(token, spec.name)) {
    parseElement(el.text === '?' ? { text: '*', position: el.position } : el, spec, set);
  }
  return set;
}

function parseDayOfMonth(token: FieldToken, fields: CronFields): void {
  const dom = fields.dom;
  // cronie: the field counts as unrestricted when it starts with '*' (so '*/2' is unrestricted too).
  dom.star = token.text.startsWith('*') || token.text === '?';
  const set = new Uint8Array(32);
  for (const el of splitList(token, DOM.name)) {
    const last = /^L(?:-(\d+))?(W)?$/.exec(el.text);
    if (last) {
      const offset = last[1] === undefined ? 0 : Number(last[1]);
      if (offset > 30) throw new CronSyntaxError('day-of-month: the offset in L-n must be 30 or less', DOM.name, el.position + 2);
      (last[2] ? dom.lastWeekday : dom.last).push(offset);
      continue;
    }
    const w = /^(\d+)W$/.exec(el.text);
    if (w) {
      dom.nearestWeekday.push(parseValue(w[1] as string, DOM, el.position));
      continue;
    }
    parseElement(el.text === '?' ? { text: '*', position: el.position } : el, DOM, set);
  }
  for (let d = 1; d <= 31; d++) if (set[d]) dom.mask |= 1 << (d - 1);
}

function parseDayOfWeek(token: FieldToken, fields: CronFields): void {
  const dow = fields.dow;
  dow.star = token.text.startsWith('*') || token.text === '?';
  const set = new Uint8Array(8);
  for (const el of splitList(token, DOW.name)) {
    const special = /^(\d+|[A-Z]{3})(?:(L)|#(\d+))$/.exec(el.text);
    if (special) {
      const weekday = parseValue(special[1] as string, DOW, el.position) % 7;
      if (special[2]) {
        dow.last.push(weekday);
      } else {
        const n = Number(special[3]);
        if (n < 1 || n > 5) {
          throw new CronSyntaxError("day-of-week: '#' must be followed by 1 to 5", DOW.name, el.position + el.text.indexOf('#') + 1);
        }
        dow.nth.push({ weekday, n });
      }
      continue;
    }
    parseElement(el.text === '?' ? { text: '*', position: el.position } : el, DOW, set);
  }
  if (set[7]) set[0] = 1;
  for (let d = 0; d <= 6; d++) if (set[d]) dow.mask |= 1 << d;
}
