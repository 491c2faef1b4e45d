/** The PostgreSQL session: statements prepared once per connection, deadlocked writes run again. */

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSession } from '../../../src/store/postgres/postgres-session.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { makeAcquisition, makeFinish, makeJob, runResolution, T0 } from '../../contract/support/fixtures.js';
import { connectAdmin, PG_URL, TestSchema } from '../../contract/support/postgres.js';

describe('PostgresSession', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await TestSchema.create();
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('runs a deadlocked write again until it commits', async () => {
    const admin = await connectAdmin();
    await admin.query(
      `CREATE TABLE "${schema.name}".pair (id INT PRIMARY KEY, v INT); INSERT INTO "${schema.name}".pair VALUES (1, 0), (2, 0)`,
    );
    await admin.end();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema.name}` });
    const session = new PostgresSession(pool);
    try {
      let attempts = 0;
      // both hold one row, then want the other's: PostgreSQL aborts one, which is run again
      let arrived = 0;
      const barrier = async () => {
        arrived++;
        while (arrived < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const swap = (first: number, second: number) =>
        session.write(async (q) => {
          attempts++;
          await q.changes('UPDATE pair SET v = v + 1 WHERE id = $1', [first]);
          await barrier();
          await q.changes('UPDATE pair SET v = v + 1 WHERE id = $1', [second]);
        });
      await Promise.all([swap(1, 2), swap(2, 1)]);
      expect(attempts).toBe(3);
      const { rows } = await pool.query('SELECT id, v FROM pair ORDER BY id');
      expect(rows).toEqual([
        { id: 1, v: 2 },
        { id: 2, v: 2 },
      ]);
    } finally {
      await pool.end();
    }
  });

  it('rolls a write back when its body throws, and does not run it again', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path=${schema.name}` });
    const session = new PostgresSession(pool);
    let attempts = 0;
    try {
      await expect(
        session.write(async (q) => {
          attempts++;
          await q.changes("INSERT INTO settings (key, value) VALUES ('k', '1')");
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(attempts).toBe(1);
      expect((await pool.query("SELECT 1 FROM settings WHERE key = 'k'")).rows).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('the store’s hot paths prepare nothing after their first call', async () => {
    await schema.reset();
    const store = new PostgresStore(PG_URL, { schema: schema.name, poolSize: 1 });
    const pool = (store as unknown as { pool: pg.Pool }).pool;
    const prepared = async () =>
      Number((await pool.query('SELECT count(*) AS n FROM pg_prepared_statements')).rows[0].n);
    try {
      const cycle = async (i: number) => {
        const at = T0 + i * 1000;
        await store.insertJob(makeJob(`job-${i}`), at);
        const claimed = await store.claimDueTriggers('n', at, at, 10, at + 30_000);
        await store.commitAcquisitions(
          'n',
          claimed.map((c) => makeAcquisition(c.jobId, c.version, [c.nextFireAt], null)),
        );
        await store.resolveFires('n', [runResolution(`job-${i}`, at, `run-${i}`, 'n')]);
        await store.claimQueuedRuns('n', at, 10);
        await store.finishRuns([makeFinish(`run-${i}`, `job-${i}`)]);
      };
      await cycle(0);
      const afterFirst = await prepared();
      expect(afterFirst).toBeGreaterThan(5);
      for (let i = 1; i < 5; i++) await cycle(i);
      expect(await prepared()).toBe(afterFirst);
      expect((await store.getJob('job-4'))?.status.runCount).toBe(1);
    } finally {
      await store.close();
    }
  });
});
