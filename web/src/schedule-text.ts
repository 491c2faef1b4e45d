/**
 * Schedules in words. The words come from the server's preview (`POST /api/v1/preview`, the one place
 * that knows cron); until they arrive, or if the preview fails, a plain summary of the fields stands in.
 */

import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import type { Preview, Schedule } from './types';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function days(v: unknown): string {
  return Array.isArray(v) && v.length && v.length < 7
    ? ` on ${v.map((d) => DAYS[Number(d)] ?? String(d)).join(', ')}`
    : '';
}

const zone = (s: Schedule): string => (typeof s['timeZone'] === 'string' ? ` (${s['timeZone']})` : '');

/** A summary of the schedule's own fields, without asking the server. */
export function summarizeSchedule(s: Schedule): string {
  switch (s.type) {
    case 'cron':
      return `cron ${String(s['expression'])}${zone(s)}`;
    case 'interval':
      return `every ${String(s['every'])}`;
    case 'once':
      return `once at ${String(s['at'])}`;
    case 'daily':
      return `at ${Array.isArray(s['times']) ? s['times'].join(', ') : ''}${days(s['daysOfWeek'])}${zone(s)}`;
    case 'window':
      return `every ${String(s['every'])} from ${String(s['from'])} to ${String(s['to'])}${days(s['daysOfWeek'])}${zone(s)}`;
    case 'recurrence':
      return `every ${String(s['interval'] ?? 1)} ${String(s['frequency'])}(s)${zone(s)}`;
    case 'manual':
      return 'manual: only when triggered';
    default:
      return s.type;
  }
}

const cache = new Map<string, Promise<string | null>>();
let active = 0;
const waiting: (() => void)[] = [];

/** At most a few previews at once, so a long job list never floods the API (or its rate limit). */
async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (active >= 4) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  try {
    return await task();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

/** The server's description of a schedule (cached per schedule); null when it has none. */
export function describeSchedule(s: Schedule): Promise<string | null> {
  const key = JSON.stringify(s);
  let p = cache.get(key);
  if (!p) {
    p = limited(() => api<Preview>('POST', '/preview', { body: { schedule: s, count: 1 } })).then(
      (r) => r.description,
      () => null,
    );
    cache.set(key, p);
    if (cache.size > 500) cache.delete(cache.keys().next().value as string);
  }
  return p;
}

/** The words for a schedule: the summary at once, the server's description when it arrives. */
export function useScheduleWords(s: Schedule): string {
  const summary = summarizeSchedule(s);
  const [words, setWords] = useState<{ key: string; text: string } | null>(null);
  const key = JSON.stringify(s);
  useEffect(() => {
    let live = true;
    void describeSchedule(s).then((text) => {
      if (live && text) setWords({ key, text });
    });
    return () => {
      live = false;
    };
    // the key stands for the schedule's content
  }, [key]);
  return words?.key === key ? words.text : summary;
}
