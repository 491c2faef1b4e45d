/**
 * The pool with the few ways the store talks through it: one statement, a write transaction, a
 * consistent read. Fixed statements (postgres-sql.ts) are named prepared statements: each connection
 * parses and plans one once, then only binds it; list queries built from filters run unnamed.
 *
 * A write that PostgreSQL aborted because it deadlocked or could not be serialised against a
 * concurrent one was rolled back entirely, so it is run again, a few times, before it fails as
 * UNAVAILABLE. Nothing else is retried: after a lost connection a write may or may not have committed.
 */

import { createHash } from 'node:crypto';
import type pg from 'pg';
import { isRetryable } from './postgres-errors.js';

/** What statements run on: the pool (each statement on its own) or one transaction's connection. */
export interface Queryable {
  /** Rows of a fixed statement, prepared once per connection. */
  rows<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Rows changed by a fixed statement. */
  changes(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Rows of a statement built per call (list filters), not kept prepared. */
  adhoc<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** Attempts of a write that keeps deadlocking or failing serialisation. */
const WRITE_ATTEMPTS = 4;
/** Upper bound of the random pause before running a retried write again. */
const RETRY_PAUSE_MS = 20;

const statementNames = new Map<string, string>();

/** A stable name per SQL text, so the same text is the same prepared statement on every connection. */
function nameOf(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `sked_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

type Runner = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

function queryable(runner: Runner): Queryable {
  const run = async (sql: string, params: readonly unknown[], named: boolean) =>
    runner.query({ ...(named ? { name: nameOf(sql) } : {}), text: sql, values: [...params] });
  return {
    async rows<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      return (await run(sql, params, true)).rows as R[];
    },
    async changes(sql: string, params: readonly unknown[] = []): Promise<number> {
      return (await run(sql, params, true)).rowCount ?? 0;
    },
    async adhoc<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      return (await run(sql, params, false)).rows as R[];
    },
  };
}

async function pause(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.random() * RETRY_PAUSE_MS));
}

export class PostgresSession implements Queryable {
  private readonly direct: Queryable;

  constructor(readonly pool: pg.Pool) {
    this.direct = queryable(pool);
  }

  rows<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.direct.rows<R>(sql, params);
  }

  changes(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.direct.changes(sql, params);
  }

  adhoc<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.direct.adhoc<R>(sql, params);
  }

  /**
   * Runs `body` as one statement's worth of work that may be retried: for a single data-modifying
   * statement (already atomic), run again when it deadlocked.
   */
  async retrying<T>(body: (q: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await body(this.direct);
      } catch (thrown) {
        if (attempt >= WRITE_ATTEMPTS || !isRetryable(thrown)) throw thrown;
        await pause();
      }
    }
  }

  /** Runs `body` in a READ COMMITTED transaction on one connection; rolls back on throw; retries deadlocks. */
  async write<T>(body: (q: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transaction('BEGIN', body);
      } catch (thrown) {
        if (attempt >= WRITE_ATTEMPTS || !isRetryable(thrown)) throw thrown;
        await pause();
      }
    }
  }

  /** Runs `body` in a read-only REPEATABLE READ transaction: its statements see one snapshot. */
  read<T>(body: (q: Queryable) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', body);
  }

  private async transaction<T>(begin: string, body: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // a connection whose rollback failed is in an unknown state: it is destroyed, not reused
    let broken: Error | undefined;
    // A checked-out client has no listener of the pool's: the server dropping the connection mid-
    // transaction (restart, pg_terminate_backend) must fail this transaction, not crash the process.
    const onLost = (error: Error): void => {
      broken = error;
    };
    client.on('error', onLost);
    try {
      await client.query(begin);
      const result = await body(queryable(client));
      await client.query('COMMIT');
      return result;
    } catch (thrown) {
      await client.query('ROLLBACK').catch((error: unknown) => {
        broken = error instanceof Error ? error : new Error(String(error));
      });
      throw thrown;
    } finally {
      client.removeListener('error', onLost);
      client.release(broken);
    }
  }
}
