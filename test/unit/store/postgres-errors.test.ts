/** Errors from real PostgreSQL failures map onto the registry codes callers rely on. */

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkedError } from '../../../src/domain/errors.js';
import { isRetryable, toStoreError } from '../../../src/store/postgres/postgres-errors.js';
import { connectAdmin, PG_URL, testSchemaName } from '../../contract/support/postgres.js';

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('toStoreError on PostgreSQL failures', () => {
  const schema = testSchemaName();
  let db: pg.Client;

  beforeAll(async () => {
    db = await connectAdmin();
    await db.query(`
      CREATE SCHEMA ${schema};
      SET search_path TO ${schema};
      CREATE TABLE parent (id TEXT PRIMARY KEY, email TEXT UNIQUE, doc JSONB);
      CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent (id));
      INSERT INTO parent VALUES ('p', 'a@example.com', NULL), ('q', 'b@example.com', NULL);
    `);
  });
  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  });

  it('maps a duplicate primary key to CONFLICT naming the row', async () => {
    const error = toStoreError(
      await thrownBy(db.query("INSERT INTO parent VALUES ('p', 'c@example.com')")),
      "job 'p'",
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe("job 'p' already exists");
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('maps a duplicate unique value to CONFLICT', async () => {
    const thrown = await thrownBy(db.query("INSERT INTO parent VALUES ('r', 'a@example.com')"));
    expect(toStoreError(thrown).code).toBe('CONFLICT');
  });

  it('maps a foreign key to a missing row to NOT_FOUND', async () => {
    const thrown = await thrownBy(db.query("INSERT INTO child VALUES ('c', 'missing')"));
    expect(toStoreError(thrown, "run 'c'").code).toBe('NOT_FOUND');
  });

  it('maps a deadlock to UNAVAILABLE, and says it may be retried', async () => {
    const other = await connectAdmin();
    try {
      await other.query(`SET search_path TO ${schema}`);
      await db.query('BEGIN');
      await other.query('BEGIN');
      await db.query("UPDATE parent SET email = 'x1' WHERE id = 'p'");
      await other.query("UPDATE parent SET email = 'y1' WHERE id = 'q'");
      // each now waits for the row the other holds: PostgreSQL aborts one of them
      const results = await Promise.allSettled([
        db.query("UPDATE parent SET email = 'x2' WHERE id = 'q'"),
        other.query("UPDATE parent SET email = 'y2' WHERE id = 'p'"),
      ]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed).toBeDefined();
      const error = toStoreError(failed?.reason);
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toMatch(/deadlock/);
      expect(isRetryable(failed?.reason)).toBe(true);
    } finally {
      await db.query('ROLLBACK');
      await other.query('ROLLBACK');
      await other.end();
    }
  });

  it('maps a serialization failure to UNAVAILABLE', async () => {
    const other = await connectAdmin();
    try {
      await other.query(`SET search_path TO ${schema}`);
      await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await db.query('SELECT * FROM parent');
      await other.query("UPDATE parent SET doc = '{}' WHERE id = 'p'");
      const thrown = await thrownBy(db.query("UPDATE parent SET doc = '[]' WHERE id = 'p'"));
      expect((thrown as { code?: string }).code).toBe('40001');
      expect(toStoreError(thrown).code).toBe('UNAVAILABLE');
      expect(isRetryable(thrown)).toBe(true);
    } finally {
      await db.query('ROLLBACK');
      await other.end();
    }
  });

  it('maps a connection terminated by the server (57P01) to UNAVAILABLE', async () => {
    const victim = await connectAdmin();
    victim.on('error', () => undefined);
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await db.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    const thrown = await thrownBy(victim.query('SELECT 1'));
    await victim.end().catch(() => undefined);
    const error = toStoreError(thrown);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/PostgreSQL/);
  });

  it('maps a refused connection to UNAVAILABLE with the address', async () => {
    const url = new URL(PG_URL);
    url.port = '1';
    const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 2000 });
    const thrown = await thrownBy(client.connect());
    const error = toStoreError(thrown);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it('maps pg’s own lost-connection and closed-pool errors to UNAVAILABLE', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'timeout exceeded when trying to connect',
      'Cannot use a pool after calling end on the pool',
    ]) {
      expect(toStoreError(new Error(message)).code).toBe('UNAVAILABLE');
    }
  });

  it('maps text PostgreSQL cannot store (NUL) to VALIDATION_ERROR', async () => {
    const inJson = await thrownBy(
      db.query("INSERT INTO parent VALUES ('n', 'n@x', $1::jsonb)", ['{"a":"\\u0000"}']),
    );
    expect(toStoreError(inJson, 'run').code).toBe('VALIDATION_ERROR');
    const inText = await thrownBy(db.query("INSERT INTO parent VALUES ('m', $1)", ['a\u0000b']));
    expect(toStoreError(inText).code).toBe('VALIDATION_ERROR');
  });

  it('maps other errors to INTERNAL, and keeps SkedErrors', async () => {
    const syntax = await thrownBy(db.query('SELEC 1'));
    expect(toStoreError(syntax).code).toBe('INTERNAL');
    expect(isRetryable(syntax)).toBe(false);
    expect(toStoreError(new TypeError('boom')).code).toBe('INTERNAL');
    expect(toStoreError('text').code).toBe('INTERNAL');
    const original = new SkedError('PRECONDITION_FAILED', 'stale');
    expect(toStoreError(original)).toBe(original);
  });
});
