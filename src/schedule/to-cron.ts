/**
 * Equivalent cron expressions (Quartz syntax, seconds first) for the kinds cron can express, so every
 * surface can show an expression: JIM's SpecificTimes and Interval patterns, Azure recurrences with
 * interval 1, intervals aligned to the clock, one-time fires.
 */

import { DAY_NAMES } from './cron-fields.js';
import type { CompiledSchedule } from './compiled.js';
import { RecurrenceMatcher } from './recurrence.js';
import { TimesOfDayMatcher } from './times-of-day.js';
import { parseDaysOfWeek } from './times-of-day.js';

/** `1,2,3,5` → `1-3,5`; names map values to text. */
export function compressList(values: number[], name: (v: number) => string = String): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    const a = sorted[i] as number;
    const b = sorted[j] as number;
    parts.push(j - i >= 2 ? `${name(a)}-${name(b)}` : j > i ? `${name(a)},${name(b)}` : name(a));
    i = j + 1;
  }
  return parts.join(',');
}

/** Quartz day-of-week field for a weekday mask (bit 0 = Sunday). */
function dowField(mask: number): string {
  if (mask === 0x7f) return '*';
  const days: number[] = [];
  for (let d = 0; d < 7; d++) if (mask & (1 << d)) days.push(d);
  return compressList(days, (d) => DAY_NAMES[d] as string);
}

/**
 * Times of day as `sec min hour` fields when they are a full product of minutes × hours; else null.
 * `periodic`: the hour field must read as "every real hour" (a `*` or a step), as a window's does.
 */
function timeFields(times: readonly number[], periodic = false): string | null {
  if (times.length === 0) return null;
  const seconds = new Set(times.map((t) => t % 60));
  if (seconds.size !== 1) return null;
  const hours = [...new Set(times.map((t) => Math.floor(t / 3600)))];
  const minutes = [...new Set(times.map((t) => Math.floor((t % 3600) / 60)))];
  if (hours.length * minutes.length !== times.length) return null;
  let hourField: string;
  if (hours.length === 24) {
    hourField = '*';
  } else if (!periodic) {
    hourField = compressList(hours);
  } else {
    // A step keeps the cron's DST reading equal to the window's (every real hour): 0/2, or 8-17/1.
    const stepped = stepOrList(hours, 24);
    const listed = compressList(hours);
    if (stepped.includes('/')) hourField = stepped;
    else if (/^\d+-\d+$/.test(listed)) hourField = `${listed}/1`;
    else if (/^\d+$/.test(listed)) hourField = `${listed}-${listed}/1`;
    else return null;
  }
  const minuteField = minutes.length === 60 ? '*' : stepOrList(minutes, 60);
  return `${[...seconds][0]} ${minuteField} ${hourField}`;
}

/** `0/15` for 0,15,30,45; a compressed list otherwise. */
function stepOrList(values: number[], size: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length > 1) {
    const step = (sorted[1] as number) - (sorted[0] as number);
    const first = sorted[0] as number;
    const regular = sorted.every((v, i) => v === first + i * step) && first + sorted.length * step >= size && first < step;
    if (regular) return `${first}/${step}`;
  }
  return compressList(sorted);
}

export function cronOfSpec(c: CompiledSchedule): string | null {
  const spec = c.spec;
  switch (spec.type) {
    case 'cron':
      return spec.expression.trim();
    case 'daily':
    case 'window': {
      const matcher = c.wall?.matcher;
      if (!(matcher instanceof TimesOfDayMatcher)) return null;
      const tf = timeFields(matcher.times, matcher.realHours);
      return tf === null ? null : `${tf} ? * ${dowField(parseDaysOfWeek(spec.daysOfWeek, ''))}`;
    }
    case 'recurrence': {
      const matcher = c.wall?.matcher;
      if (!(matcher instanceof RecurrenceMatcher) || (spec.interval ?? 1) !== 1 || spec.count !== undefined) return null;
      const r = matcher.rules;
      const tf = timeFields(r.times);
      if (tf === null) return null;
      if (r.frequency === 'hour' || r.frequency === 'day') return `${tf} * * ?`;
      if (r.frequency === 'week') return `${tf} ? * ${dowField(r.weekDaysMask)}`;
      if (r.frequency !== 'month') return null;
      if (r.occurrences.length === 0) {
        if (r.monthDays.every((d) => d > 0)) return `${tf} ${compressList(r.monthDays)} * ?`;
        if (r.monthDays.length === 1) return `${tf} ${r.monthDays[0] === -1 ? 'L' : `L-${-(r.monthDays[0] as number) - 1}`} * ?`;
        return null;
      }
      if (r.monthDays.length || r.occurrences.length !== 1) return null;
      const o = r.occurrences[0] as { weekday: number; occurrence: number };
      if (o.occurrence === -1) return `${tf} ? * ${o.weekday + 1}L`;
      return o.occurrence > 0 ? `${tf} ? * ${DAY_NAMES[o.weekday]}#${o.occurrence}` : null;
    }
    case 'interval': {
      if (spec.repeatCount !== undefined || spec.endAt !== undefined) return null;
      const s = c as unknown as { every: number; anchor: number };
      if (s.every % 1000 !== 0 || s.anchor % 1000 !== 0) return null;
      const e = s.every / 1000;
      const a = s.anchor / 1000;
      if (a % e !== 0) return null;
      if (e < 60 && 60 % e === 0) return e === 1 ? '* * * * * ?' : `0/${e} * * * * ?`;
      if (e % 60 === 0 && e < 3600 && 60 % (e / 60) === 0) return `0 ${e === 60 ? '*' : `0/${e / 60}`} * * * ?`;
      if (e % 3600 === 0 && e < 86_400 && 24 % (e / 3600) === 0) return `0 0 ${e === 3600 ? '*' : `0/${e / 3600}`} * * ?`;
      if (e === 86_400) return '0 0 0 * * ?';
      return null;
    }
    case 'once': {
      const d = new Date((c as unknown as { at: number }).at);
      if (d.getUTCMilliseconds() !== 0) return null;
      return `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} ? ${d.getUTCFullYear()}`;
    }
    case 'manual':
      return null;
  }
}
