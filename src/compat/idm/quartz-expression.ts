/**
 * Any sked schedule as a Quartz cron expression (seconds first), for the Quartz-based surfaces (IDM,
 * Infinni) showing jobs they did not create. Unix expressions gain a seconds field and Quartz's `?`;
 * daily, window and recurrence schedules use the schedule module's equivalent cron when one exists.
 * Null when none does (intervals, one-time and manual schedules).
 */

import type { ScheduleSpec } from '../../domain/types.js';
import { compileSchedule } from '../../schedule/compile.js';
import { detectDialect } from '../../schedule/cron-parse.js';

/** Unix day-of-week numbers (0/7 = Sunday) as Quartz's (1 = Sunday); names and `L`/`#` suffixes stay. */
function quartzDow(field: string): string {
  return field
    .split(',')
    .map((part) => {
      const [range, step] = part.split('/') as [string, string | undefined];
      const days = range.replace(/\d+/g, (n) => String((Number(n) % 7) + 1));
      return step === undefined ? days : `${days}/${step}`;
    })
    .join(',');
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 ?',
  '@annually': '0 0 0 1 1 ?',
  '@monthly': '0 0 0 1 * ?',
  '@weekly': '0 0 0 ? * 1',
  '@daily': '0 0 0 * * ?',
  '@midnight': '0 0 0 * * ?',
  '@hourly': '0 0 * * * ?',
};

/**
 * A Unix expression (5 fields, or 6 with leading seconds, or a macro) in Quartz syntax. When both day
 * fields are restricted Unix ORs them, which Quartz cannot say: the fields are shown as they are.
 */
export function unixToQuartz(expression: string): string {
  const trimmed = expression.trim();
  const macro = MACROS[trimmed.toLowerCase()];
  if (macro) return macro;
  const f = trimmed.split(/\s+/);
  const seconds = f.length === 6 ? (f.shift() as string) : '0';
  if (f.length !== 5) return trimmed;
  const [minute, hour, dom, month, dow] = f as [string, string, string, string, string];
  if (dow === '*' || dow === '?') return `${seconds} ${minute} ${hour} ${dom} ${month} ?`;
  if (dom === '*' || dom === '?') return `${seconds} ${minute} ${hour} ? ${month} ${quartzDow(dow)}`;
  return `${seconds} ${minute} ${hour} ${dom} ${month} ${quartzDow(dow)}`;
}

export function quartzExpressionOf(schedule: ScheduleSpec): string | null {
  if (schedule.type === 'cron') {
    const dialect =
      schedule.dialect === 'unix' || schedule.dialect === 'quartz'
        ? schedule.dialect
        : safeDetect(schedule.expression);
    return dialect === 'unix' ? unixToQuartz(schedule.expression) : schedule.expression.trim();
  }
  if (schedule.type !== 'daily' && schedule.type !== 'window' && schedule.type !== 'recurrence') return null;
  try {
    return compileSchedule(schedule).toCron();
  } catch {
    return null;
  }
}

function safeDetect(expression: string): 'unix' | 'quartz' {
  try {
    return detectDialect(expression);
  } catch {
    return 'quartz';
  }
}
