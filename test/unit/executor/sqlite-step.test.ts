/** sql steps on a real SQLite file. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../../src/store/sqlite/sqlite-driver.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Step, StepResult } from '../../../src/domain/types.js';
import { Executor, type ExecutorOptions } from '../../../src/executor/index.js';
import { isAlive, makeRequest, useTempDir } from './support.js';

const tempDir = useTempDir();
let executor: Executor;
let file: string;

beforeEach(() => {
  file = join(tempDir(), 'data.db');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, big INTEGER, blob BLOB, price REAL);
    INSERT INTO items VALUES (1, 'one', 9007199254740993, x'00ff', 1.5), (2, 'two', 2, NULL, NULL);
  `);
  db.close();
});

afterEach(async () => {
  await executor.close();
});

function newExecutor(options: ExecutorOptions = {}): Executor {
  executor = new Executor({ killGraceMs: 300, ...options });
  return executor;
}

/** Live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) && isAlive(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}

function sql(statement: string, extra: Partial<Step> = {}): Step {
  return { stepIndex: 0, type: 'sql', connection: `sqlite:${file}`, sql: statement, ...extra } as Step;
}

async function runOne(
  step: Step,
  fields: Partial<Parameters<typeof makeRequest>[0]> = {},
): Promise<StepResult> {
  const result = await executor.execute(makeRequest({ steps: [step], ...fields }));
  return result.steps[0]!;
}

describe('sql steps on sqlite:', () => {
  it('a query outputs its rows as JSON lines (big integers as strings, blobs as hex)', async () => {
    newExecutor();
    const step = await runOne(sql('SELECT id, name, big, blob, price FROM items ORDER BY id'));
    expect(step).toMatchObject({ status: 'succeeded', attempt: 1, error: null, exitCode: null });
    expect(step.output).toBe(
      '{"id":1,"name":"one","big":"9007199254740993","blob":"\\\\x00ff","price":1.5}\n' +
        '{"id":2,"name":"two","big":2,"blob":null,"price":null}\n',
    );
    expect((await runOne(sql('SELECT * FROM items WHERE id > 99'))).output).toBe('');
  });

  it('a statement without rows outputs the number of rows changed', async () => {
    newExecutor();
    expect((await runOne(sql("UPDATE items SET name = name || '!'"))).output).toBe('2 rows changed');
    expect((await runOne(sql("INSERT INTO items (name) VALUES ('three')"))).output).toBe('1 row changed');
    const returning = await runOne(sql("INSERT INTO items (name) VALUES ('four') RETURNING id, name"));
    expect(returning.output).toBe('{"id":4,"name":"four"}\n');
  });

  it('runs several statements as a script and counts their changes', async () => {
    newExecutor();
    const step = await runOne(
      sql("CREATE TABLE log (t TEXT); INSERT INTO log VALUES ('a'), ('b'); DELETE FROM items WHERE id = 1;"),
    );
    expect(step).toMatchObject({ status: 'succeeded', output: '3 rows changed' });
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM log').get()).toEqual({ n: 2 });
    db.close();
  });

  it('a driver error fails the step with the driver message', async () => {
    newExecutor();
    const step = await runOne(sql('SELECT * FROM nope', { name: 'report' }));
    expect(step.status).toBe('failed');
    expect(step.error).toBe("step 0 'report' (sql): no such table: nope");
    const syntax = await runOne(sql('SELEC 1'));
    expect(syntax.error).toMatch(/^step 0 \(sql\): near "SELEC": syntax error/);
  });

  it('bounds the output of a huge result', async () => {
    newExecutor({ maxOutputBytes: 2048 });
    const step = await runOne(
      sql('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x FROM c'),
    );
    expect(step.status).toBe('succeeded');
    expect(step.output.startsWith('{"x":1}\n{"x":2}\n')).toBe(true);
    expect(step.output.endsWith('{"x":199999}\n{"x":200000}\n')).toBe(true);
    expect(step.output).toMatch(/…\[\d+ bytes omitted\]…/);
    expect(step.output.length).toBeLessThan(2100);
  });

  it('a step timeout stops an endless query, whether it streams rows or computes one', async () => {
    newExecutor({ maxOutputBytes: 1024 });
    const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)';
    const streaming = await runOne(sql(`${endless} SELECT x FROM c`, { timeout: 'PT0.5S' }));
    expect(streaming.status).toBe('timedOut');
    expect(streaming.error).toBe('step 0 (sql): timed out after PT0.5S');
    expect(streaming.output.startsWith('{"x":1}\n')).toBe(true);
    const computing = await runOne(sql(`${endless} SELECT count(*) FROM c`, { timeout: 'PT0.5S' }));
    expect(computing.status).toBe('timedOut');
    // Nothing is left running on the database (the helper process names the file in its arguments).
    expect(processesMentioning(file)).toEqual([]);
  });

  it('refuses unsupported connections without echoing a password', async () => {
    newExecutor();
    const step = await runOne({
      stepIndex: 0,
      type: 'sql',
      connection: 'mysql://u:secret@h/db',
      sql: 'SELECT 1',
    });
    expect(step.error).toBe(
      "step 0 (sql): unsupported connection 'mysql://u:***@h/db': use sqlite:PATH or postgres://...",
    );
  });
});
