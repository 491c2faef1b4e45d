/**
 * `sql` steps on a `postgres://` connection: one pg Client per attempt (connect, query, end). A stop
 * (timeout, cancel) asks the server to cancel the running statement (`pg_cancel_backend` from a second
 * connection), so it does not keep running there, and drops the connection if that does not end it
 * within the kill grace period. Rows are read whole by the driver (pg has no cursor without pg-cursor);
 * only the kept output is bounded.
 */
import pg from 'pg';
import { messageOf } from '../domain/errors.js';
import { changedLine, rowLine } from './sql-rows.js';
import { settleWithin } from './stop.js';
import { failed, succeeded, type AttemptContext, type AttemptOutcome } from './types.js';

/** How long connecting may take before the attempt fails (the step timeout still applies). */
const CONNECT_TIMEOUT_MS = 30_000;

interface Result {
  rows: Record<string, unknown>[];
  fields: unknown[];
  rowCount: number | null;
}

export async function runPostgresStatement(
  url: string,
  sql: string,
  ctx: AttemptContext,
): Promise<AttemptOutcome> {
  if (ctx.signal.aborted) return failed('stopped before start');
  const graceMs = ctx.settings.killGraceMs;
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'sked',
  });
  // Errors of an idle or dropped connection surface through the pending call; never as a crash.
  client.on('error', () => undefined);
  let backendPid: number | null = null;
  let running: Promise<unknown> | null = null;
  try {
    await abortable(client.connect(), ctx.signal);
    const pidResult = await abortable(
      client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
      ctx.signal,
    );
    backendPid = pidResult.rows[0]?.pid ?? null;
    running = client.query(sql);
    const raw = await abortable(running, ctx.signal);
    // Several statements in one string answer with one result per statement.
    const results = (Array.isArray(raw) ? raw : [raw]) as Result[];
    const withRows = results.filter((result) => result.fields.length > 0);
    if (withRows.length > 0) {
      for (const result of withRows) {
        for (const row of result.rows) ctx.output.write(`${rowLine(row)}\n`, 'rows');
      }
    } else {
      ctx.output.write(changedLine(results.reduce((sum, result) => sum + (result.rowCount ?? 0), 0)));
    }
    return succeeded();
  } catch (error) {
    return failed(messageOf(error));
  } finally {
    if (ctx.signal.aborted && running !== null && backendPid !== null) {
      await cancelBackend(url, backendPid, graceMs);
      // The statement now ends with "canceling statement due to user request".
      await settleWithin(running, graceMs);
    }
    // Destroys the connection if a statement is still running on it.
    await settleWithin(client.end(), graceMs);
  }
}

/** Asks the server to cancel the statement running on another connection. */
async function cancelBackend(url: string, backendPid: number, graceMs: number): Promise<void> {
  const canceller = new pg.Client({ connectionString: url, connectionTimeoutMillis: graceMs });
  canceller.on('error', () => undefined);
  const cancel = (async () => {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [backendPid]);
  })();
  await settleWithin(cancel, graceMs);
  await settleWithin(canceller.end(), graceMs);
}

/** Rejects as soon as the signal aborts (the operation itself is stopped by stopStatement). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
