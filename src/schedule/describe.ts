/** English descriptions of schedules (cron through cronstrue, the other kinds written here). */

import { toString as describeCron } from 'cronstrue';
import type { CompiledSchedule } from './compiled.js';
import { expandMacro } from './cron-unix.js';
import { formatDuration, parseDuration } from './instant.js';
import { formatTimeOfDay, parseDaysOfWeek, parseTimeOfDay } from './times-of-day.js';

const DAY_WORDS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function describeSpec(c: CompiledSchedule): string {
  const spec = c.spec;
  let text: string;
  switch (spec.type) {
    case 'cron':
      text = describeCronText(spec.expression, c.dialect ?? 'quartz');
      break;
    case 'daily':
      text = `At ${listWords(spec.times.map((t, i) => formatTimeOfDay(parseTimeOfDay(t, `/times/${i}`))))}, ${daysWords(parseDaysOfWeek(spec.daysOfWeek, ''))}`;
      break;
    case 'window':
      text = `Every ${durationWords(parseDuration(spec.every) ?? 0)} from ${spec.from} until before ${spec.to}, ${daysWords(parseDaysOfWeek(spec.daysOfWeek, ''))}`;
      break;
    case 'interval':
      text = `Every ${durationWords(parseDuration(spec.every) ?? 0)}${spec.startAt ? ` from ${spec.startAt}` : ', counted from 1970-01-01T00:00:00Z'}`;
      if (spec.repeatCount !== undefined) text += `, ${spec.repeatCount + 1} time${spec.repeatCount === 0 ? '' : 's'} in all`;
      return bounds(text, { ...spec, startAt: undefined });
    case 'once':
      return `Once, at ${spec.at}`;
    case 'recurrence': {
      const n = spec.interval ?? 1;
      text = `Every ${n === 1 ? '' : `${n} `}${spec.frequency}${n === 1 ? '' : 's'}`;
      const s = spec.schedule ?? {};
      if (s.weekDays?.length) text += ` on ${listWords(s.weekDays.map((d) => d.charAt(0).toUpperCase() + d.slice(1).toLowerCase()))}`;
      if (s.monthDays?.length) {
        text += ` on the ${listWords(s.monthDays.map((d) => (d < 0 ? `${ordinal(d)} day` : `${ordinalNumber(d)}`)))} of the month`;
      }
      if (s.monthlyOccurrences?.length) {
        text += ` on the ${listWords(s.monthlyOccurrences.map((o) => `${ordinal(o.occurrence)} ${o.day}`))} of the month`;
      }
      if (s.hours?.length) text += ` at hour${s.hours.length > 1 ? 's' : ''} ${listWords(s.hours.map(String))}`;
      if (s.minutes?.length) text += ` at minute${s.minutes.length > 1 ? 's' : ''} ${listWords(s.minutes.map(String))}`;
      // A count is added by the compiled schedule that enforces it.
      if (spec.endTime) text += `, until ${spec.endTime}`;
      break;
    }
    case 'manual':
      return 'Only when triggered';
  }
  return bounds(`${text} (${c.timeZone})`, spec);
}

function bounds(text: string, spec: { startAt?: string | undefined; endAt?: string | undefined }): string {
  if (spec.startAt) text += `, from ${spec.startAt}`;
  if (spec.endAt) text += `, until ${spec.endAt}`;
  return text;
}

function describeCronText(expression: string, dialect: 'unix' | 'quartz'): string {
  try {
    return describeCron(expandMacro(expression), {
      use24HourTimeFormat: true,
      dayOfWeekStartIndexZero: dialect === 'unix',
      throwExceptionOnParseError: true,
      verbose: false,
    });
  } catch {
    // cronstrue does not know every Quartz form (e.g. L-3W); the expression is its own description.
    return `Cron '${expression.trim()}' (${dialect})`;
  }
}

function ordinal(n: number): string {
  if (n === -1) return 'last';
  if (n < 0) return `${ordinal(-n)}-to-last`;
  return ['first', 'second', 'third', 'fourth', 'fifth'][n - 1] ?? ordinalNumber(n);
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st, 22nd, 31st. */
function ordinalNumber(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function daysWords(mask: number): string {
  if (mask === 0x7f) return 'every day';
  if (mask === 0b0111110) return 'Monday through Friday';
  if (mask === 0b1000001) return 'on Saturday and Sunday';
  return `on ${listWords(DAY_WORDS.filter((_, i) => mask & (1 << i)))}`;
}

/** `5 minutes`, `1 hour 30 minutes`, `2 days`. */
export function durationWords(ms: number): string {
  const units: [number, string][] = [
    [604_800_000, 'week'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(n === 1 && parts.length === 0 && rest === size ? name : `${n} ${name}${n === 1 ? '' : 's'}`);
      rest -= n * size;
    }
  }
  if (rest > 0) parts.push(`${rest} ms`);
  return parts.length ? parts.join(' ') : formatDuration(ms);
}
