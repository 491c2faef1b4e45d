/**
 * Warnings for the classic cron traps: both day fields restricted in the Unix dialect (OR, not AND), a
 * schedule that fires rarely or never, a day of month that skips short months, `*` in the minute field of
 * an hourly-looking job, and day-of-week numbering that differs between dialects.
 */

import type { CronSchedule, ScheduleSpec } from '../domain/types.js';
import { compileSchedule } from './compile.js';
import { DAY_NAMES, tokenize, type CronFields } from './cron-fields.js';
import { expandMacro } from './cron-unix.js';
import type { CompiledSchedule } from './compiled.js';

export interface Warning {
  code: string;
  message: string;
}

const YEAR_MS = 366 * 86_400_000;
const MONTH_WORDS = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS_IN = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Warnings about a compiled schedule, looking ahead from `from`. */
export function lintSchedule(compiled: CompiledSchedule, fields: CronFields | null, from: number): Warning[] {
  const warnings: Warning[] = [];
  if (compiled.type !== 'manual') frequencyWarnings(compiled, from, warnings);
  if (compiled.spec.type === 'cron' && fields) cronWarnings(compiled.spec, compiled.dialect ?? 'quartz', fields, warnings);
  return warnings;
}

function frequencyWarnings(compiled: CompiledSchedule, from: number, out: Warning[]): void {
  const first = compiled.nextAfter(from);
  if (first === null) {
    out.push({ code: 'NEVER_FIRES', message: noFireMessage(compiled.spec, from) });
    return;
  }
  if (compiled.spec.type === 'once') return;
  const second = compiled.nextAfter(first);
  if (first - from > YEAR_MS || (second !== null && second - first > YEAR_MS)) {
    const when = [first, second].filter((t): t is number => t !== null).map((t) => new Date(t).toISOString().slice(0, 10));
    out.push({ code: 'FIRES_RARELY', message: `fires rarely: next on ${when.join(', then ')}` });
  }
}

const iso = (t: number): string => new Date(t).toISOString();

/** The schedule without its end bounds (endAt, and a recurrence's endTime), or null if it does not compile. */
function unbounded(spec: ScheduleSpec): CompiledSchedule | null {
  try {
    return compileSchedule(spec.type === 'recurrence' ? { ...spec, endAt: undefined, endTime: undefined } : { ...spec, endAt: undefined });
  } catch {
    return null;
  }
}

/** Where a schedule's end bounds stop it (the earlier of endAt and a recurrence's endTime), or null. */
function endOf(spec: ScheduleSpec): number | null {
  const ends = [spec.endAt, spec.type === 'recurrence' ? spec.endTime : undefined]
    .filter((v): v is string => typeof v === 'string')
    .map((v) => Date.parse(v))
    .filter((t) => Number.isFinite(t));
  return ends.length ? Math.min(...ends) : null;
}

/**
 * Why a (valid) schedule has no fire after `from`, in the words of its kind. A cron that no date matches
 * "never fires (no date matches every field)"; every other case "has no fires left after" the instant
 * (`now` for a job being saved), with the reason when it is plain: the schedule ended, its one fire or
 * all its repeats are behind, or (cron) no later date matches.
 */
export function noFireMessage(spec: ScheduleSpec, from: number, options: { now?: boolean } = {}): string {
  const after = options.now ? 'now' : iso(from);
  const past = options.now ? 'in the past' : 'at or before it';
  const left = `the schedule has no fires left after ${after}`;
  const open = unbounded(spec);
  const end = endOf(spec);
  const next = open?.nextAfter(from) ?? null;
  if (end !== null && next !== null) return `${left}: it ends at ${iso(end)}${end > from ? `, before its next fire (${iso(next)})` : options.now ? ', in the past' : ''}`;
  switch (spec.type) {
    case 'cron':
      return (open?.nextAfter(0) ?? null) !== null ? `${left}: no later date matches every field` : 'the schedule never fires (no date matches every field)';
    case 'once': {
      const at = Date.parse(spec.at);
      return at <= from ? `${left}: its one fire, at ${iso(at)}, is ${past}` : left;
    }
    case 'interval':
      if (spec.repeatCount !== undefined && spec.startAt !== undefined) {
        const first = iso(Date.parse(spec.startAt));
        const rc = spec.repeatCount;
        return rc === 0
          ? `${left}: its one fire (repeatCount 0), at ${first}, is ${past}`
          : `${left}: all ${rc + 1} of its fires (the first at ${first}, then repeatCount ${rc} more every ${spec.every}) are ${past}`;
      }
      return left;
    case 'recurrence':
      return spec.count !== undefined ? `${left}: ${spec.count === 1 ? 'its one fire (count 1) is' : `all ${spec.count} of its fires (count ${spec.count}) are`} ${past}` : left;
    default:
      return left;
  }
}

function cronWarnings(spec: CronSchedule, dialect: 'unix' | 'quartz', f: CronFields, out: Warning[]): void {
  const tokens = tokenize(expandMacro(spec.expression).toUpperCase()).map((t) => t.text);
  const hasSeconds = dialect === 'quartz' || tokens.length === 6;
  const at = (unixIndex: number): string => tokens[hasSeconds ? unixIndex : unixIndex - 1] ?? '';
  const [secT, minT, hourT, domT, , dowT] = [at(0), at(1), at(2), at(3), at(4), at(5)];

  if (f.dayRule === 'or') {
    const domRange = /^(\d+)-(\d+)$/.exec(domT);
    const dowSingle = /^(\d|[A-Z]{3})$/.exec(dowT);
    let hint = '';
    if (domRange && dowSingle) {
      const a = Number(domRange[1]);
      const b = Number(domRange[2]);
      if (b - a === 6 && (a - 1) % 7 === 0 && a <= 29) {
        const weekday = /^\d$/.test(dowT) ? DAY_NAMES[Number(dowT) % 7] : dowT;
        const minute = /^\d+$/.test(minT) ? minT : '0';
        const hour = /^\d+$/.test(hourT) ? hourT : '0';
        hint = `; for "the ${['first', 'second', 'third', 'fourth', 'fifth'][(a - 1) / 7]} ${weekday} of the month" use the Quartz expression '0 ${minute} ${hour} ? * ${weekday}#${(a - 1) / 7 + 1}'`;
      }
    }
    out.push({
      code: 'DAY_FIELDS_OR',
      message: `both day-of-month (${domT}) and day-of-week (${dowT}) are restricted, so the job fires on days matching EITHER (Unix cron rule), not both${hint}`,
    });
  }

  if (f.dayRule !== 'dow' && !f.dom.star && f.dom.last.length === 0 && f.dom.lastWeekday.length === 0) {
    const days: number[] = [];
    for (let d = 1; d <= 31; d++) if (f.dom.mask & (1 << (d - 1))) days.push(d);
    for (const d of f.dom.nearestWeekday) days.push(d);
    const smallest = Math.min(...days);
    if (days.length && smallest >= 29) {
      const skipped: string[] = [];
      for (let m = 1; m <= 12; m++) if (f.months[m] && DAYS_IN[m]! < smallest) skipped.push(MONTH_WORDS[m] as string);
      if (m29(f, smallest)) skipped.unshift('February outside leap years');
      if (skipped.length) {
        out.push({
          code: 'SHORT_MONTHS_SKIPPED',
          message: `day ${smallest} does not exist in every month: no fire in ${skipped.join(', ')}; use L for the last day of the month`,
        });
      }
    }
  }

  const fixedHours = !f.realHours && !hourT.includes('-') && !hourT.includes(',');
  if (minT === '*' && fixedHours) {
    out.push({
      code: 'EVERY_MINUTE_IN_HOUR',
      message: `the minute field is '*', so the job fires every minute of hour ${hourT} (60 times); for once at ${hourT}:00 use '0' in the minute field`,
    });
  }
  if (hasSeconds && secT === '*' && !minT.startsWith('*')) {
    out.push({ code: 'EVERY_SECOND_IN_MINUTE', message: "the seconds field is '*', so the job fires every second of each matching minute; use '0' for once a minute" });
  }

  if (spec.dialect !== 'unix' && spec.dialect !== 'quartz' && /\d/.test(dowT) && !dowT.includes('*')) {
    out.push({
      code: 'DAY_OF_WEEK_NUMBERING',
      message:
        dialect === 'quartz'
          ? 'read as Quartz cron: day-of-week 1 = Sunday, 2 = Monday ... 7 = Saturday (names like MON avoid the ambiguity)'
          : 'read as Unix cron: day-of-week 0 or 7 = Sunday, 1 = Monday ... 6 = Saturday (names like MON avoid the ambiguity)',
    });
  }
}

/** Day 29 asked for in February: fires only in leap years. */
function m29(f: CronFields, smallest: number): boolean {
  return smallest === 29 && f.months[2] === 1;
}
