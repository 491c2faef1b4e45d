/**
 * SQLite-only: several processes on one database file. SQLite serialises writers; this proves the
 * store relies on that correctly (BEGIN IMMEDIATE, busy timeout): processes claiming, committing and
 * resolving the same due triggers at the same time fire every instant exactly once.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { buildStoreForChildren, type ChildStoreBuild } from './support/child-store.js';
import { makeJob, T0 } from './support/fixtures.js';

const JOBS = 2000;
const PROCESSES = 3;

/** Each process: wait for the common start, then claim → commit one fire → resolve it, until none is due. */
const FIRE_SCRIPT = `
import { SqliteStore } from './src/store/sqlite/sqlite-store.js';
const [path, t0, jobs, index, startAt] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a)));
const node = 'node-' + index;
const store = new SqliteStore(path);
await store.migrate();
while (Date.now() < startAt) {}
const claimedIds = [];
let rounds = 0;
for (;;) {
  const claimed = await store.claimDueTriggers(node, t0, t0 + jobs, 5, t0 + 3600000);
  if (claimed.length === 0) break;
  rounds++;
  claimedIds.push(...claimed.map((c) => c.jobId));
  const pending = await store.commitAcquisitions(node, claimed.map((c) => ({
    jobId: c.jobId, version: c.version, fires: [c.nextFireAt], nextFireAt: null, completed: false,
  })));
  await store.resolveFires(node, pending.map((f) => ({
    jobId: f.jobId, scheduledFor: f.scheduledFor, outcome: 'run', firedAt: Date.now(),
    run: { id: node + ':' + f.jobId, jobId: f.jobId, trigger: 'schedule', scheduledFor: f.scheduledFor,
           queuedAt: t0, status: 'queued', nodeId: null, startedAt: null, attempt: 1, retryOf: null,
           notBefore: null, payload: null, exclusive: false },
  })));
  // an engine does not claim in a tight loop: yielding lets the other processes take the lock
  await new Promise((resolve) => setTimeout(resolve, 1));
}
await store.close();
process.stdout.write(JSON.stringify({ claimedIds, rounds }));
`;

describe('sqlite: several processes on one file', () => {
  let build: ChildStoreBuild;
  let dir: string;
  beforeAll(() => {
    build = buildStoreForChildren();
    dir = mkdtempSync(join(tmpdir(), 'sked-processes-'));
  });
  afterAll(() => {
    build.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${PROCESSES} processes firing ${JOBS} due triggers at once claim each once and write each fire once`, async () => {
    const path = join(dir, 'fire.db');
    const store = new SqliteStore(path);
    await store.migrate();
    for (let i = 0; i < JOBS; i++) await store.insertJob(makeJob(`job-${i}`), T0 + i);

    const results = (await build.runConcurrently(FIRE_SCRIPT, PROCESSES, [
      path,
      String(T0),
      String(JOBS),
    ])) as {
      claimedIds: string[];
      rounds: number;
    }[];

    const claimed = results.flatMap((r) => r.claimedIds);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(JOBS);
    // the processes really overlapped: more than one of them claimed triggers
    expect(results.filter((r) => r.claimedIds.length > 0).length).toBeGreaterThan(1);
    expect(await store.listPendingFires(10)).toEqual([]);
    expect((await store.listRuns({ limit: 1, offset: 0 })).total).toBe(JOBS);
    for (const id of ['job-0', `job-${JOBS - 1}`]) {
      const fires = await store.listFires(id, { limit: 10, offset: 0 });
      expect(fires.items.map((f) => f.outcome)).toEqual(['run']);
    }
    await store.close();
  });
});
