/**
 * PostgreSQL-only: real concurrency between nodes. Each "node" is a PostgresStore with its own pool,
 * so their statements run at the same time in separate server backends (unlike SQLite, which takes
 * turns). Proves, at scale, what the contract proves on a few rows: no trigger is claimed twice while
 * leased, every (job, instant) is written once even when stale nodes commit late, two nodes never start
 * two exclusive runs of one job, and wake-ups travel between nodes and survive a lost connection.
 */

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SkedError } from '../../src/domain/errors.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ClaimedTrigger, WakeTopic } from '../../src/store/store.js';
import { makeFinish, makeJob, makeRun, makeStep, runResolution, T0 } from './support/fixtures.js';
import { connectAdmin, TestSchema } from './support/postgres.js';

const NODES = 4;

let schema: TestSchema;
let nodes: PostgresStore[] = [];

beforeAll(async () => {
  schema = await TestSchema.create();
});
afterAll(async () => {
  await schema?.drop();
});
beforeEach(async () => {
  await schema.reset();
  nodes = Array.from({ length: NODES }, () => schema.open({ poolSize: 4 }));
});
afterEach(async () => {
  await Promise.all(nodes.map((node) => node.close()));
});

const nodeId = (i: number) => `node-${i}`;

/** Waits until `check` holds, polling, failing after `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('postgres: acquisition by several nodes at once', () => {
  const JOBS = 2000;
  const ROUNDS = 5;
  /** Logical time: a round is a step of the nodes' clock; a lease outlives no round. */
  const STEP = 10_000;
  const LEASE = 4_000;
  const BATCH = 64;

  it(`${NODES} nodes claiming and committing ${JOBS} triggers × ${ROUNDS} rounds write each fire once, with stale nodes committing late`, async () => {
    const jobs = Array.from({ length: JOBS }, (_, i) => `job-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < JOBS; i += 200) {
      await Promise.all(jobs.slice(i, i + 200).map((id) => nodes[0]!.insertJob(makeJob(id), T0)));
    }
    const claims: { jobId: string; at: number; node: number; now: number; until: number }[] = [];
    const written: string[] = [];
    // batches a node claimed and sat on past their lease, committed in the next round
    const stale: ClaimedTrigger[][][] = nodes.map(() => []);
    let staleCommits = 0;
    let dropped = 0;

    const commit = async (i: number, claimed: ClaimedTrigger[]) => {
      const inserted = await nodes[i]!.commitAcquisitions(
        nodeId(i),
        claimed.map((c) => ({
          jobId: c.jobId,
          version: c.version,
          fires: [c.nextFireAt],
          nextFireAt: c.nextFireAt + STEP,
          completed: false,
        })),
      );
      dropped += claimed.length - inserted.length;
      written.push(...inserted.map((f) => `${f.jobId}@${f.scheduledFor}`));
    };

    const runNode = async (i: number, round: number) => {
      const now = T0 + round * STEP;
      const late = stale[i]!.splice(0);
      const lateCommits = late.map(async (claimed) => {
        staleCommits++;
        await commit(i, claimed);
      });
      for (let batch = 0; ; batch++) {
        const claimed = await nodes[i]!.claimDueTriggers(nodeId(i), now, now, BATCH, now + LEASE);
        if (claimed.length === 0) break;
        for (const c of claimed)
          claims.push({ jobId: c.jobId, at: c.nextFireAt, node: i, now, until: now + LEASE });
        // every seventh batch of every node stalls past its lease (not in the last round)
        if (round < ROUNDS - 1 && (batch + i) % 7 === 3) stale[i]!.push(claimed);
        else await commit(i, claimed);
      }
      await Promise.all(lateCommits);
    };

    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(nodes.map((_, i) => runNode(i, round)));
    }
    await Promise.all(nodes.map((_, i) => Promise.all(stale[i]!.splice(0).map((c) => commit(i, c)))));

    // every node took part, and stale commits really raced with claims of the same triggers
    for (let i = 0; i < NODES; i++) expect(claims.some((c) => c.node === i)).toBe(true);
    expect(staleCommits).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);

    // no trigger was claimed while another node's lease on it was running
    const byFire = new Map<string, typeof claims>();
    for (const c of claims) {
      const key = `${c.jobId}@${c.at}`;
      byFire.set(key, [...(byFire.get(key) ?? []), c]);
    }
    for (const [key, list] of byFire) {
      list.sort((a, b) => a.now - b.now);
      for (let k = 1; k < list.length; k++) {
        expect(list[k]!.now, `${key} claimed again while leased`).toBeGreaterThan(list[k - 1]!.until);
      }
    }

    // each (job, instant) reported written once, and the ledger holds exactly those
    expect(new Set(written).size).toBe(written.length);
    expect(written.length).toBe(JOBS * ROUNDS);
    const admin = await connectAdmin();
    try {
      const { rows } = await admin.query<{ n: string; distinct_keys: string; per_job: string }>(
        `SELECT count(*) AS n, count(DISTINCT (job_id, scheduled_for)) AS distinct_keys,
                count(DISTINCT job_id) AS per_job FROM "${schema.name}".fire_ledger`,
      );
      expect(rows[0]).toEqual({
        n: String(JOBS * ROUNDS),
        distinct_keys: String(JOBS * ROUNDS),
        per_job: String(JOBS),
      });
    } finally {
      await admin.end();
    }

    // the nodes resolve what they hold, each fire into one run
    const pending = await Promise.all(nodes.map((node, i) => node.pendingFires([nodeId(i)])));
    expect(pending.flat()).toHaveLength(JOBS * ROUNDS);
    await Promise.all(
      nodes.map(async (node, i) => {
        const mine = pending[i]!;
        for (let k = 0; k < mine.length; k += 500) {
          const resolutions = mine
            .slice(k, k + 500)
            .map((f) => runResolution(f.jobId, f.scheduledFor, `${f.jobId}@${f.scheduledFor}`, nodeId(i)));
          expect(await node.resolveFires(nodeId(i), resolutions)).toHaveLength(resolutions.length);
        }
      }),
    );
    expect((await nodes[0]!.listRuns({ limit: 1, offset: 0 })).total).toBe(JOBS * ROUNDS);
    expect(await nodes[0]!.listPendingFires(10)).toEqual([]);
  });
});

describe('postgres: the last fires of exhausted schedules resolved by two nodes at once', () => {
  const JOBS = 300;

  it(`completes each of ${JOBS} jobs whose two last fires two nodes resolve at the same time`, async () => {
    const [a, b] = nodes as [PostgresStore, PostgresStore];
    const ids = Array.from({ length: JOBS }, (_, i) => `once-${i}`);
    for (const id of ids) await a.insertJob(makeJob(id), T0);
    // node-a acquires each job's fire at T0, node-b its last one at T0 + 1 s (schedule exhausted)
    const lease = T0 + 60_000;
    const first = await a.claimDueTriggers('node-a', T0, T0, JOBS, lease);
    await a.commitAcquisitions(
      'node-a',
      first.map((c) => ({
        jobId: c.jobId,
        version: 1,
        fires: [T0],
        nextFireAt: T0 + 1000,
        completed: false,
      })),
    );
    const last = await b.claimDueTriggers('node-b', T0, T0 + 1000, JOBS, lease);
    await b.commitAcquisitions(
      'node-b',
      last.map((c) => ({
        jobId: c.jobId,
        version: 1,
        fires: [T0 + 1000],
        nextFireAt: null,
        completed: true,
      })),
    );
    expect((await a.countJobs()).byState.enabled).toBe(JOBS);

    // both resolve at once, in small batches, so that many jobs' two fires resolve concurrently
    const resolveAll = async (store: PostgresStore, node: string, at: number) => {
      for (let i = 0; i < JOBS; i += 10) {
        const batch = ids.slice(i, i + 10).map((id) => ({
          jobId: id,
          scheduledFor: at,
          outcome: 'skipped' as const,
          firedAt: at,
          run: null,
        }));
        expect(await store.resolveFires(node, batch)).toHaveLength(batch.length);
      }
    };
    await Promise.all([resolveAll(a, 'node-a', T0), resolveAll(b, 'node-b', T0 + 1000)]);

    expect(await a.countJobs()).toEqual({
      total: JOBS,
      byState: { enabled: 0, paused: 0, completed: JOBS, faulted: 0 },
    });
  });
});

describe('postgres: deleting jobs while other nodes write their fires and runs', () => {
  const JOBS = 120;

  it(`leaves no fire, run or step of ${JOBS} deleted jobs behind (the hot tables have no foreign keys)`, async () => {
    const [a, b, c, d] = nodes as [PostgresStore, PostgresStore, PostgresStore, PostgresStore];
    const ids = Array.from({ length: JOBS }, (_, i) => `doomed-${i}`);
    for (const id of ids) await a.insertJob(makeJob(id), T0);
    const claimed = await a.claimDueTriggers('node-a', T0, T0, JOBS, T0 + 60_000);
    const fires = [0, 1, 2, 3, 4, 5].map((k) => T0 + k * 1000);
    await a.commitAcquisitions(
      'node-a',
      claimed.map((cl) => ({ jobId: cl.jobId, version: 1, fires, nextFireAt: T0 + 6000, completed: false })),
    );
    // two fires of each job already ran and are running on node-b
    await a.resolveFires(
      'node-a',
      ids.flatMap((id) => fires.slice(0, 2).map((at) => runResolution(id, at, `${id}@${at}`, 'node-b'))),
    );

    const ignoreMissing = (error: unknown) => {
      if ((error as SkedError).code !== 'NOT_FOUND') throw error;
    };
    // every operation starts after its own short delay, so that the deletion of each job lands at a
    // different point among its writers
    const after = <T>(ms: number, op: () => Promise<T>) =>
      new Promise((resolve) => setTimeout(resolve, ms)).then(op);
    await Promise.all(
      ids.flatMap((id, i) => [
        // resolving the other pending fires into runs
        after(i % 3, () =>
          a.resolveFires(
            'node-a',
            fires.slice(2).map((at) => runResolution(id, at, `${id}@${at}`, 'node-a')),
          ),
        ),
        // finishing the running runs, with steps
        after((i + 1) % 3, () =>
          b.finishRuns(
            fires
              .slice(0, 2)
              .map((at) => makeFinish(`${id}@${at}`, id, { steps: [makeStep(0), makeStep(1)] })),
          ),
        ),
        // a manual run, and missed fires written directly
        after((i + 2) % 3, () => c.insertRuns([makeRun(`${id}-manual`, id)]).catch(ignoreMissing)),
        after(i % 2, () =>
          d.insertFires(
            Array.from({ length: 100 }, (_, k) => ({
              jobId: id,
              scheduledFor: T0 - (k + 1) * 1000,
              outcome: 'missed' as const,
              firedAt: T0,
              run: null,
            })),
          ),
        ),
        after(i % 4, () => nodes[i % NODES]!.deleteJob(id)),
      ]),
    );

    const admin = await connectAdmin();
    try {
      const orphans = await admin.query<{ what: string; n: number }>(`
        SELECT 'fires' AS what, count(*)::int AS n FROM "${schema.name}".fire_ledger f
          WHERE NOT EXISTS (SELECT 1 FROM "${schema.name}".jobs j WHERE j.id = f.job_id)
        UNION ALL
        SELECT 'runs', count(*)::int FROM "${schema.name}".runs r
          WHERE NOT EXISTS (SELECT 1 FROM "${schema.name}".jobs j WHERE j.id = r.job_id)
        UNION ALL
        SELECT 'steps', count(*)::int FROM "${schema.name}".step_results s
          WHERE NOT EXISTS (SELECT 1 FROM "${schema.name}".runs r WHERE r.id = s.run_id)`);
      expect(orphans.rows).toEqual([
        { what: 'fires', n: 0 },
        { what: 'runs', n: 0 },
        { what: 'steps', n: 0 },
      ]);
      expect((await a.countJobs()).total).toBe(0);
    } finally {
      await admin.end();
    }
  });
});

describe('postgres: exclusive runs claimed by several nodes at once', () => {
  const JOBS = 40;
  const RUNS_PER_JOB = 15;

  it(`${NODES} nodes draining ${JOBS * RUNS_PER_JOB} exclusive runs never run two of one job at once`, async () => {
    // the oracle: the database itself refuses a second running run of a job (this schema only)
    const admin = await connectAdmin();
    await admin.query(
      `CREATE UNIQUE INDEX one_running_run_per_job ON "${schema.name}".runs (job_id) WHERE status = 'running'`,
    );
    try {
      for (let j = 0; j < JOBS; j++) await nodes[0]!.insertJob(makeJob(`job-${j}`), null);
      const runs = [];
      for (let k = 0; k < RUNS_PER_JOB; k++) {
        for (let j = 0; j < JOBS; j++) {
          runs.push(makeRun(`run-${j}-${k}`, `job-${j}`, { queuedAt: T0 + k * JOBS + j, exclusive: true }));
        }
      }
      await nodes[0]!.insertRuns(runs);

      const running = new Map<string, number>();
      const claimedBy: string[][] = nodes.map(() => []);
      let overlaps = 0;
      const work = async (i: number) => {
        for (let idle = 0; idle < 50;) {
          const claimed = await nodes[i]!.claimQueuedRuns(nodeId(i), Date.now(), 8).catch(
            (error: unknown) => {
              if ((error as SkedError).code !== 'CONFLICT') throw error;
              throw new Error(
                'two runs of one job were started at once: the one-running-run index refused the second',
              );
            },
          );
          if (claimed.length === 0) {
            idle++;
            await new Promise((resolve) => setTimeout(resolve, 2));
            continue;
          }
          idle = 0;
          const jobsInCall = claimed.map((run) => run.jobId);
          expect(new Set(jobsInCall).size, 'one exclusive run per job per call').toBe(jobsInCall.length);
          for (const run of claimed) {
            if (running.has(run.jobId)) overlaps++;
            running.set(run.jobId, i);
            claimedBy[i]!.push(run.id);
          }
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          // forgotten before the finish is sent: a claim seen after this may legitimately follow it
          for (const run of claimed) running.delete(run.jobId);
          await nodes[i]!.finishRuns(claimed.map((run) => makeFinish(run.id, run.jobId)));
        }
      };
      await Promise.all(nodes.map((_, i) => work(i)));

      expect(overlaps).toBe(0);
      const all = claimedBy.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBe(JOBS * RUNS_PER_JOB);
      expect(claimedBy.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
      expect(await nodes[0]!.activeRuns()).toEqual([]);
    } finally {
      await admin.query(`DROP INDEX IF EXISTS "${schema.name}".one_running_run_per_job`);
      await admin.end();
    }
  });
});

describe('postgres: wake-ups between nodes (LISTEN/NOTIFY)', () => {
  it('a notification from one node reaches another within a second, and not the sender', async () => {
    const [a, b] = nodes as [PostgresStore, PostgresStore];
    const heardByA: WakeTopic[] = [];
    const heardByB: WakeTopic[] = [];
    const stopA = await a.listen((topic) => heardByA.push(topic));
    const stopB = await b.listen((topic) => heardByB.push(topic));
    const sent = Date.now();
    await b.notify('runs');
    await eventually(() => heardByA.length > 0, 1000, 'the wake-up to reach node a');
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(heardByA).toEqual(['runs']);
    await a.notify('cancel');
    await eventually(() => heardByB.length > 0, 1000, 'the wake-up to reach node b');
    expect(heardByB).toEqual(['cancel']);
    // neither heard itself
    expect(heardByA).toEqual(['runs']);
    // unsubscribed, a hears nothing more; b never hears itself (a delivery takes milliseconds)
    await stopA();
    await b.notify('triggers');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heardByA).toEqual(['runs']);
    expect(heardByB).toEqual(['cancel']);
    await stopB();
  });

  it('the listener reconnects after its connection is terminated, and wakes its subscribers', async () => {
    const errors: SkedError[] = [];
    const listener = schema.open({ poolSize: 1, onBackgroundError: (error) => errors.push(error) });
    nodes.push(listener);
    const heard: WakeTopic[] = [];
    await listener.listen((topic) => heard.push(topic));
    const admin = await connectAdmin();
    try {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
        [`sked:${schema.name}`],
      );
      expect(rows).toHaveLength(1);
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await eventually(() => errors.length > 0, 2000, 'the lost connection to be reported');
      expect(errors[0]?.code).toBe('UNAVAILABLE');
      // back: subscribers hear every topic once, for what they may have missed
      await eventually(() => heard.length >= 4, 5000, 'the reconnection');
      expect([...heard].sort()).toEqual(['cancel', 'runs', 'scheduler', 'triggers']);
      heard.length = 0;
      await nodes[0]!.notify('triggers');
      await eventually(() => heard.length > 0, 1000, 'a wake-up after the reconnection');
      expect(heard).toEqual(['triggers']);
    } finally {
      await admin.end();
    }
  });
});
