/** Statements are prepared once per connection: the hot paths never re-prepare per call. */

import { Database } from '../../../src/store/sqlite/sqlite-driver.js';
import { describe, expect, it, vi } from 'vitest';
import { SqliteSession } from '../../../src/store/sqlite/sqlite-session.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { makeAcquisition, makeFinish, makeJob, runResolution, T0 } from '../../contract/support/fixtures.js';

describe('SqliteSession', () => {
  it('prepares a statement once and hands the same one back', () => {
    const db = new Database(':memory:');
    const prepare = vi.spyOn(db, 'prepare');
    const session = new SqliteSession(db);
    const first = session.statement('SELECT 1');
    expect(session.statement('SELECT 1')).toBe(first);
    expect(session.listStatement('SELECT 2')).toBe(session.listStatement('SELECT 2'));
    expect(prepare).toHaveBeenCalledTimes(2);
    db.close();
  });

  it('rolls a write back when its body throws', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (a INTEGER)');
    const session = new SqliteSession(db);
    expect(() =>
      session.write(() => {
        session.statement('INSERT INTO t VALUES (1)').run();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('SqliteStore hot paths', () => {
  it('prepare nothing after their first call', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const db = (store as unknown as { session: SqliteSession }).session.db;
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
    const prepare = vi.spyOn(db, 'prepare');
    for (let i = 1; i < 5; i++) await cycle(i);
    expect(prepare).not.toHaveBeenCalled();
    expect((await store.getJob('job-4'))?.status.runCount).toBe(1);
    await store.close();
  });
});
