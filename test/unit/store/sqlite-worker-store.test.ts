/**
 * The SQLite store on a worker thread: calls sent together are committed as one group, yet each keeps
 * its own outcome (a failing call changes nothing and fails alone), errors keep their codes across the
 * thread, and a closed store says so. The contract suite (test/contract/) covers the rest.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkedError } from '../../../src/domain/errors.js';
import { openStore } from '../../../src/store/store-factory.js';
import type { Store } from '../../../src/store/store.js';
import { makeJob, T0 } from '../../contract/support/fixtures.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sked-worker-store-'));
  store = await openStore(`sqlite:${join(dir, 'sked.db')}`, { sqliteWorker: true });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sqlite store on a worker thread', () => {
  it('commits calls sent together, and a failing one fails alone without undoing the others', async () => {
    await store.insertJob(makeJob('taken'), T0);
    // Sent without waiting: they queue behind each other and the worker takes them as one group.
    const calls = Array.from({ length: 200 }, (_, i) => store.insertJob(makeJob(i === 100 ? 'taken' : `job-${i}`), T0 + i));
    const outcomes = await Promise.allSettled(calls);
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [{ i, reason: o.reason as unknown }] : []));
    expect(failed.map((f) => f.i)).toEqual([100]);
    expect(failed[0]?.reason).toBeInstanceOf(SkedError);
    expect((failed[0]?.reason as SkedError).code).toBe('CONFLICT');
    const counted = await store.countJobs();
    expect(counted.total).toBe(200); // 'taken' and the 199 others
    expect((await store.getJob('taken'))?.name).toBe('Job taken');
    expect(await store.getJob('job-99')).not.toBeNull();
  });

  it('answers in the order the calls were made: a read sent after a write sees it', async () => {
    const write = store.insertJob(makeJob('a'), T0);
    const read = store.getJob('a');
    const [, job] = await Promise.all([write, read]);
    expect(job?.id).toBe('a');
  });

  it('keeps a write whose group mate failed (a grouped delete of a missing job, an update with a stale version)', async () => {
    await store.insertJob(makeJob('a'), T0);
    const job = await store.getJob('a');
    if (!job) throw new Error('no job');
    const [stale, fresh, gone] = await Promise.allSettled([
      store.updateJob({ ...job, name: 'stale', version: 3 }, 2, { nextFireAt: T0 }),
      store.updateJob({ ...job, name: 'fresh', version: 2 }, 1, { nextFireAt: T0 }),
      store.deleteJob('missing'),
    ]);
    expect(stale.status).toBe('rejected');
    expect(fresh.status).toBe('fulfilled');
    expect(gone).toEqual({ status: 'fulfilled', value: false });
    expect((await store.getJob('a'))?.name).toBe('fresh');
  });

  it('refuses calls once closed, with UNAVAILABLE', async () => {
    await store.close();
    await expect(store.getJob('a')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
