/**
 * The one place where pg errors become registry errors, so callers see the same SkedError codes from
 * either backend (sqlite-errors.ts maps the same cases from SQLite's result codes). PostgreSQL names a
 * failure by its SQLSTATE; pg itself fails with Node's socket errors or plain messages when the
 * connection cannot be made or is lost.
 */

import { SkedError, toError } from '../../domain/errors.js';

/** SQLSTATEs that mean "the store cannot answer now": the connection or the server is going away. */
const UNAVAILABLE_STATES: Record<string, string> = {
  '57P01': 'the PostgreSQL server is shutting down (admin shutdown)',
  '57P02': 'the PostgreSQL server crashed (crash shutdown)',
  '57P03': 'the PostgreSQL server is starting up or shutting down and accepts no connections yet',
  '57P05': 'the PostgreSQL connection was closed as idle',
  '53300': 'the PostgreSQL server has no connection slot left (max_connections)',
  '53000': 'the PostgreSQL server is out of resources',
  '53100': 'the PostgreSQL server is out of disk space',
  '53200': 'the PostgreSQL server is out of memory',
  '57014': 'the PostgreSQL statement was cancelled (statement timeout or cancel request)',
  '3D000': 'the PostgreSQL database does not exist',
  '28000': 'PostgreSQL refused the connection (authorization)',
  '28P01': 'PostgreSQL refused the connection (password authentication failed)',
};

/** Node socket errors raised while connecting or on a dropped connection. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ECONNABORTED',
]);

/** pg's own messages for a connection that could not be made, was lost, or belongs to a closed pool. */
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|Cannot use a pool after calling end|Client was closed/i;

function codeOf(thrown: unknown): string | null {
  if (typeof thrown !== 'object' || thrown === null) return null;
  const code: unknown = (thrown as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node's happy-eyeballs connect fails with an AggregateError of one error per address tried
  const errors: unknown = (thrown as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 ? codeOf(errors[0]) : null;
}

function unavailable(message: string, thrown: unknown): SkedError {
  return new SkedError('UNAVAILABLE', message, { cause: thrown });
}

/**
 * Maps anything a pg call threw:
 * - 23505 unique violation → CONFLICT (`<what> already exists`);
 * - 23503 foreign key violation (a run for a deleted job) → NOT_FOUND;
 * - 40001 serialization failure, 40P01 deadlock → UNAVAILABLE, worth retrying (the store retries them
 *   itself a few times before giving up);
 * - a refused, dropped or timed-out connection, a server shutting down or out of connections →
 *   UNAVAILABLE, saying which;
 * - text PostgreSQL cannot store (a NUL character, invalid UTF-8) → VALIDATION_ERROR;
 * - anything else → INTERNAL through toError(); SkedErrors pass through unchanged.
 * `what` names the row being written, for the message: `job 'nightly'`.
 */
export function toStoreError(thrown: unknown, what = 'row'): SkedError {
  if (thrown instanceof SkedError) return thrown;
  const code = codeOf(thrown);
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  switch (code) {
    case '23505':
      return new SkedError('CONFLICT', `${what} already exists`, { cause: thrown });
    case '23503':
      return new SkedError('NOT_FOUND', `${what} refers to a row that does not exist`, { cause: thrown });
    case '40001':
    case '40P01':
      return unavailable(
        `the PostgreSQL store could not order concurrent writes (${code === '40P01' ? 'deadlock' : 'serialization failure'}): retry`,
        thrown,
      );
    case '22P05':
    case '22021':
      return new SkedError('VALIDATION_ERROR', `${what} holds text PostgreSQL cannot store: ${detail}`, {
        cause: thrown,
      });
  }
  if (code !== null) {
    const known = UNAVAILABLE_STATES[code];
    if (known !== undefined) return unavailable(`${known}: ${detail}`, thrown);
    // class 08: connection exceptions reported by the server
    if (code.startsWith('08')) return unavailable(`the PostgreSQL connection failed: ${detail}`, thrown);
    if (SOCKET_CODES.has(code)) return unavailable(`PostgreSQL is unreachable (${code}): ${detail}`, thrown);
  }
  if (LOST_CONNECTION.test(detail))
    return unavailable(`the PostgreSQL connection was lost: ${detail}`, thrown);
  return toError(thrown);
}

/** Whether a failed transaction was rolled back by PostgreSQL and may simply be run again. */
export function isRetryable(thrown: unknown): boolean {
  const code = codeOf(thrown);
  return code === '40001' || code === '40P01';
}
