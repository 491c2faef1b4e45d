/** Chooses the cron dialect and parses an expression in it. */

import type { CronDialect } from '../domain/types.js';
import { CronSyntaxError, tokenize, type CronFields } from './cron-fields.js';
import { parseQuartz } from './cron-quartz.js';
import { parseUnix } from './cron-unix.js';

export interface ParsedCron {
  dialect: 'unix' | 'quartz';
  fields: CronFields;
}

/**
 * `auto`: a macro or 5 fields is Unix; 7 fields is Quartz; 6 fields is Quartz when a day field is `?`
 * (Quartz requires one), otherwise Unix with a leading seconds field.
 */
export function detectDialect(expression: string): 'unix' | 'quartz' {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) return 'unix';
  const tokens = tokenize(trimmed);
  if (tokens.length === 7) return 'quartz';
  if (tokens.length === 6) return tokens[3]?.text === '?' || tokens[5]?.text === '?' ? 'quartz' : 'unix';
  if (tokens.length === 5) return 'unix';
  throw new CronSyntaxError(
    `a cron expression has 5 fields (Unix: minute hour day-of-month month day-of-week), 6 or 7 (Quartz: seconds first, optional year); got ${tokens.length}`,
    null,
    0,
  );
}

export function parseCron(expression: string, dialect: CronDialect = 'auto'): ParsedCron {
  if (expression.trim() === '') throw new CronSyntaxError('the expression is empty', null, 0);
  const chosen = dialect === 'auto' ? detectDialect(expression) : dialect;
  const fields = chosen === 'quartz' ? parseQuartz(expression) : parseUnix(expression);
  return { dialect: chosen, fields };
}
