/**
 * `sql` steps: the statement (or statements) of the step against `sqlite:PATH` or `postgres://...`.
 * The payload is deliberately not templated into SQL (that would be SQL injection by design).
 */
import type { SqlStep } from '../domain/types.js';
import { runPostgresStatement } from './postgres-step.js';
import { runSqliteStatement } from './sqlite-step.js';
import { failed, type AttemptContext, type AttemptOutcome } from './types.js';

export function runSqlStep(step: SqlStep, ctx: AttemptContext): Promise<AttemptOutcome> {
  const connection = step.connection;
  if (connection.startsWith('sqlite:')) {
    const path = sqlitePath(connection);
    if (path === '') return Promise.resolve(failed(`connection 'sqlite:' names no database file`));
    return runSqliteStatement(path, step.sql, ctx);
  }
  if (/^postgres(ql)?:\/\//.test(connection)) return runPostgresStatement(connection, step.sql, ctx);
  return Promise.resolve(
    failed(`unsupported connection '${redactPassword(connection)}': use sqlite:PATH or postgres://...`),
  );
}

/** `sqlite:PATH`, also written `sqlite://PATH` (so `sqlite:///abs/file.db` is `/abs/file.db`). */
function sqlitePath(connection: string): string {
  const rest = connection.slice('sqlite:'.length);
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

/** A connection string fit for an error message: `scheme://user:***@host`. */
export function redactPassword(connection: string): string {
  return connection.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
