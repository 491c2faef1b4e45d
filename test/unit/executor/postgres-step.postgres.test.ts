/**
 * sql steps on a real PostgreSQL: `SKED_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/test),
 * a fresh database per test file. No server means a failure, not a skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Step, StepResult } from '../../../src/domain/types.js';
import { Executor } from '../../../src/executor/index.js';
import { makeRequest, waitFor } from './support.js';

const adminUrl = process.env['SKED_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const database = `sked_exec_${randomBytes(4).toString('hex')}`;
let url: string;
let created = false;

async function withClient<T>(connection: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: connection, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  try {
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for this test file and is not usable at ${adminUrl}: ${(error as Error).message}. ` +
        'Start it, or point SKED_TEST_PG_URL at one.',
    );
  }
  created = true;
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${database}`;
  url = parsed.href;
  await withClient(url, (c) =>
    c.query(`CREATE TABLE items (id int PRIMARY KEY, name text, big bigint, data bytea, at timestamptz);
             INSERT INTO items VALUES (1, 'one', 9007199254740993, '\\x00ff', '2026-11-22T06:00:00Z'),
                                      (2, 'two', 2, NULL, NULL);`),
  );
});

afterAll(async () => {
  if (!created) return;
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
});

let executor: Executor;
afterEach(async () => {
  await executor?.close();
});

function sql(statement: string, extra: Partial<Step> = {}): Step {
  return { stepIndex: 0, type: 'sql', connection: url, sql: statement, ...extra } as Step;
}

async function runOne(step: Step, signal?: AbortSignal): Promise<StepResult> {
  const result = await executor.execute(makeRequest({ steps: [step], ...(signal ? { signal } : {}) }));
  return result.steps[0]!;
}

/** Statements of this test database still running on the server. */
async function activeStatements(pattern: string): Promise<string[]> {
  return withClient(adminUrl, async (c) => {
    const result = await c.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2`,
      [database, `%${pattern}%`],
    );
    return result.rows.map((r) => r.query);
  });
}

describe('sql steps on postgres://', () => {
  it('a query outputs its rows as JSON lines', async () => {
    executor = new Executor({ killGraceMs: 1000 });
    const step = await runOne(sql('SELECT id, name, big, data, at FROM items ORDER BY id', { name: 'q' }));
    expect(step).toMatchObject({ status: 'succeeded', error: null });
    expect(step.output).toBe(
      '{"id":1,"name":"one","big":"9007199254740993","data":"\\\\x00ff","at":"2026-11-22T06:00:00.000Z"}\n' +
        '{"id":2,"name":"two","big":"2","data":null,"at":null}\n',
    );
  });

  it('a statement without rows outputs the rows changed; several statements add up', async () => {
    executor = new Executor({ killGraceMs: 1000 });
    expect((await runOne(sql("UPDATE items SET name = name || '!'"))).output).toBe('2 rows changed');
    const script = await runOne(
      sql(
        "CREATE TABLE log (t text); INSERT INTO log VALUES ('a'), ('b'), ('c'); DELETE FROM log WHERE t = 'a'",
      ),
    );
    expect(script).toMatchObject({ status: 'succeeded', output: '4 rows changed' });
    const mixed = await runOne(sql("INSERT INTO log VALUES ('d'); SELECT t FROM log ORDER BY t"));
    expect(mixed.output).toBe('{"t":"b"}\n{"t":"c"}\n{"t":"d"}\n');
  });

  it('a server error fails the step with the server message', async () => {
    executor = new Executor({ killGraceMs: 1000 });
    const step = await runOne(sql('SELECT * FROM nope', { name: 'report' }));
    expect(step.status).toBe('failed');
    expect(step.error).toBe(`step 0 'report' (sql): relation "nope" does not exist`);
    const unreachable = await runOne(sql('SELECT 1', { connection: 'postgres://postgres@127.0.0.1:1/test' }));
    expect(unreachable.status).toBe('failed');
    expect(unreachable.error).toMatch(/ECONNREFUSED/);
  });

  it('a step timeout cancels the statement on the server', async () => {
    executor = new Executor({ killGraceMs: 2000 });
    const step = await runOne(sql('SELECT pg_sleep(60) AS sked_timeout_probe', { timeout: 'PT0.5S' }));
    expect(step.status).toBe('timedOut');
    expect(step.error).toBe('step 0 (sql): timed out after PT0.5S');
    await waitFor(
      async () =>
        (await activeStatements('sked_timeout_probe')).filter((q) => q.includes('pg_sleep')).length === 0,
    );
  });

  it('cancellation cancels the statement on the server', async () => {
    executor = new Executor({ killGraceMs: 2000 });
    const controller = new AbortController();
    const running = runOne(sql('SELECT pg_sleep(60) AS sked_cancel_probe'), controller.signal);
    await waitFor(async () =>
      (await activeStatements('sked_cancel_probe')).some((q) => q.includes('pg_sleep')),
    );
    controller.abort();
    const step = await running;
    expect(step.status).toBe('cancelled');
    await waitFor(
      async () =>
        (await activeStatements('sked_cancel_probe')).filter((q) => q.includes('pg_sleep')).length === 0,
    );
  });
});
