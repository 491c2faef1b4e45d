/**
 * The one place where SQLite driver errors become registry errors, so callers see the same SkedError
 * codes from either backend (postgres-errors.ts maps the same cases from SQLSTATEs).
 */

import { SkedError, toError } from '../../domain/errors.js';

/** The extended result code of a better-sqlite3 error (`SQLITE_CONSTRAINT_UNIQUE`), if it is one. */
function sqliteCode(thrown: unknown): string | null {
  if (!(thrown instanceof Error)) return null;
  const code: unknown = (thrown as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

/**
 * Maps anything a SQLite call threw:
 * - a duplicate primary key or unique value → CONFLICT (`<what> already exists`);
 * - a foreign key to a missing row (a run for a deleted job) → NOT_FOUND;
 * - the database busy or locked past the busy timeout → UNAVAILABLE, worth retrying;
 * - anything else → INTERNAL through toError(); SkedErrors pass through unchanged.
 * `what` names the row being written, for the message: `job 'nightly'`.
 */
export function toStoreError(thrown: unknown, what = 'row'): SkedError {
  if (thrown instanceof SkedError) return thrown;
  const code = sqliteCode(thrown);
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new SkedError('CONFLICT', `${what} already exists`, { cause: thrown });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new SkedError('NOT_FOUND', `${what} refers to a row that does not exist`, { cause: thrown });
  }
  if (code !== null && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
    return new SkedError('UNAVAILABLE', 'the SQLite store is busy: another process holds its write lock', {
      cause: thrown,
    });
  }
  return toError(thrown);
}
