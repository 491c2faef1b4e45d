/**
 * End-to-end, cluster: three `sked server` processes (nodes a, b, c) on one PostgreSQL schema fire 200
 * jobs every second (Quartz cron `* * * * * ?` and interval PT1S; `noop` steps, and `/bin/sleep` exec
 * steps on 20 of them so that runs are always running; overlap allow or skip; catch-up all, none or
 * latest; some with a retry policy). After ~6 s the node running the most runs of retried jobs is
 * SIGKILLed; the two survivors go on for ~8 s (TTL 3 s: they declare it dead and take over its work).
 * Then, on the live cluster: `GET /nodes` lists the survivors only, `GET /triggers?state=acquired`
 * answers for the whole cluster, standby and pause-all requested on one survivor stop firing on both
 * within a second. Both survivors are SIGTERMed and must exit 0. The store is then read back:
 *
 * - every job's ledger holds every whole second from its first fire to its last exactly once, with an
 *   outcome that its lateness and policies explain (see support/ledger-checks.ts), no instant has two
 *   scheduled runs, nothing is pending and no run is left running;
 * - the killed node's running runs are `interrupted`, and retried once by a survivor when the job has
 *   a retry policy (never otherwise);
 * - every fire and run after the kill is a survivor's;
 * - the survivors' p99 lateness (startedAt - scheduledFor) outside the takeover, standby and pause is
 *   bounded (generously: tests do not assert tight timings; the numbers are printed).
 *
 * SKED_TEST_KEEP_DIR=1 keeps the temp folder and the schema.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  assertBuilt,
  killStartedProcesses,
  sleep,
  waitFor,
  type SkedServerProcess,
} from '../../support/process.js';
import {
  assertPostgresReachable,
  clusterSchemaName,
  dropSchema,
  justAfterAcquisition,
  readStore,
  SHARED_PG_URL,
  startNode,
  stopAll,
  storeUrlOf,
  type JobRecord,
  withNodeLogs,
} from './support/cluster.js';
import { CATCH_UPS, jobBody, type CatchUp, type JobSpec } from './support/cluster-jobs.js';
import { checkJobLedger, checkRunsSettled, totalOf } from './support/ledger-checks.js';
import {
  checkInterruptedAndRetried,
  checkLateness,
  checkStandbyAndPause,
  checkSurvivorsOnly,
  eachJob,
  type ApiRun,
  type ClusterResult,
  type Observed,
} from './support/three-nodes-checks.js';

const NODE_IDS = ['a', 'b', 'c'] as const;
const MISFIRE_MS = 5000;
const TTL_MS = 3000;
const NODE_ARGS = [
  '--node-ttl',
  'PT3S',
  '--heartbeat',
  'PT0.5S',
  '--misfire-threshold',
  'PT5S',
  '--lookahead',
  'PT2S',
  '--poll-interval',
  'PT0.5S',
  '--shutdown-grace',
  'PT10S',
];
const JOB_COUNT = 200;

/** 200 jobs: 20 exec (10 retried allow 0.5 s, 5 skip 1.5 s, 5 allow 0.5 s), 180 noop; every policy mixed. */
function specOf(i: number): JobSpec {
  const id = `j${String(i).padStart(3, '0')}`;
  const kind = i % 2 === 0 ? 'cron' : 'interval';
  const catchUp = CATCH_UPS[i % 3] as CatchUp;
  if (i % 20 === 0)
    return { id, kind, overlap: 'allow', catchUp, maxAttempts: 3, step: { type: 'sleep', seconds: 0.5 } };
  if (i % 40 === 10)
    return { id, kind, overlap: 'skip', catchUp, maxAttempts: null, step: { type: 'sleep', seconds: 1.5 } };
  if (i % 10 === 0)
    return { id, kind, overlap: 'allow', catchUp, maxAttempts: null, step: { type: 'sleep', seconds: 0.5 } };
  const overlap = i % 7 === 3 ? 'skip' : 'allow';
  return { id, kind, overlap, catchUp, maxAttempts: i % 10 === 5 ? 3 : null, step: { type: 'noop' } };
}

const SPECS: JobSpec[] = Array.from({ length: JOB_COUNT }, (_, i) => specOf(i));
const SPEC_BY_ID = new Map(SPECS.map((s) => [s.id, s]));
const isExec = (s: JobSpec | undefined): boolean => s !== undefined && s.step.type !== 'noop';

const schema = clusterSchemaName();
const storeUrl = storeUrlOf(SHARED_PG_URL, schema);
let dir = '';
const nodes = new Map<string, SkedServerProcess>();

beforeAll(async () => {
  assertBuilt();
  await assertPostgresReachable(SHARED_PG_URL);
  dir = mkdtempSync(join(tmpdir(), 'sked-e2e-cluster3-'));
});

afterAll(async () => {
  await killStartedProcesses();
  if (!process.env['SKED_TEST_KEEP_DIR']) {
    await dropSchema(SHARED_PG_URL, schema);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

/** Adds every node's last log lines to a failure. */
const withLogs = <T>(work: Promise<T>): Promise<T> => withNodeLogs(nodes, work);

let observed: Observed | null = null;
let stored: Map<string, JobRecord> | null = null;

async function runningRuns(url: string): Promise<ApiRun[]> {
  return (await apiCall<{ items: ApiRun[] }>(url, 'GET', '/api/v1/runs?status=running&limit=1000')).items;
}

async function scenario(): Promise<Observed> {
  const started = await Promise.all(
    NODE_IDS.map((id) => startNode({ storeUrl, nodeId: id, dir, args: NODE_ARGS })),
  );
  NODE_IDS.forEach((id, i) => nodes.set(id, started[i] as SkedServerProcess));
  const urls = NODE_IDS.map((id) => (nodes.get(id) as SkedServerProcess).url);

  // the jobs, created through all three nodes, ten at a time
  for (let i = 0; i < SPECS.length; i += 10) {
    await Promise.all(
      SPECS.slice(i, i + 10).map((s, k) =>
        apiCall(urls[(i + k) % 3] as string, 'PUT', `/api/v1/jobs/${s.id}`, jobBody(s)),
      ),
    );
  }
  const createdAt = Date.now();

  // ~6 s of fires on every job (sampled on a few)
  await withLogs(
    waitFor(
      '6 s of fires',
      async () => {
        for (const id of ['j000', 'j001', 'j099', 'j199']) {
          const page = await apiCall<{ items: { scheduledFor: string; outcome: string }[] }>(
            urls[0] as string,
            'GET',
            `/api/v1/jobs/${id}/fires?limit=20`,
          );
          const resolved = page.items
            .filter((f) => f.outcome !== 'pending')
            .map((f) => Date.parse(f.scheduledFor));
          if (!resolved.length || Math.max(...resolved) < createdAt + 6000) return false;
        }
        return true;
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    ),
  );

  // the victim: the node running the most runs of exec jobs with a retry policy at this moment
  const pick = await withLogs(
    waitFor(
      'a node running runs of retried exec jobs',
      async () => {
        // just after an acquisition committed: the kill does not land between a claim and its commit
        await justAfterAcquisition(urls[0] as string);
        const running = await runningRuns(urls[0] as string);
        const counts = new Map<string, number>();
        for (const r of running) {
          const s = SPEC_BY_ID.get(r.jobId);
          if (r.nodeId && isExec(s) && s?.maxAttempts !== null)
            counts.set(r.nodeId, (counts.get(r.nodeId) ?? 0) + 1);
        }
        const best = [...counts].sort((x, y) => y[1] - x[1])[0];
        return best ? { victim: best[0], running } : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 10 },
    ),
  );
  const victim = pick.victim;
  const survivors = NODE_IDS.filter((id) => id !== victim) as [string, string];
  const victimNode = nodes.get(victim) as SkedServerProcess;
  const killAt = Date.now();
  const killed = await victimNode.stop('SIGKILL', 10_000);
  expect(killed.signal).toBe('SIGKILL');
  const deadAt = killed.at;
  const [s1, s2] = survivors.map((id) => nodes.get(id) as SkedServerProcess) as [
    SkedServerProcess,
    SkedServerProcess,
  ];

  // the survivors declare it dead (TTL 3 s) and take over its runs and fires
  const takeover = await withLogs(
    Promise.any(
      [s1, s2].map((n) =>
        n.waitForLog(
          (l) =>
            l.msg === 'took over the work of dead nodes' && (l['fromNodes'] as string[]).includes(victim),
          30_000,
        ),
      ),
    ).catch((err: unknown) => {
      throw err instanceof AggregateError ? (err.errors[0] as Error) : err;
    }),
  );
  const takeoverAt = takeover.time;
  // not before its TTL: its last heartbeat was at most one interval (0.5 s) before the kill
  expect(takeoverAt - killAt, 'the dead node was declared dead after its TTL').toBeGreaterThanOrEqual(
    TTL_MS - 500,
  );
  await sleep(Math.max(0, killAt + 8000 - Date.now()));

  // GET /nodes on either survivor: the two survivors, with heartbeat age and skew; the dead node gone
  for (const n of [s1, s2]) {
    const listed = await apiCall<{
      items: { id: string; heartbeatAgeMs: number; clockSkewMs: number; state: string; running: string[] }[];
    }>(n.url, 'GET', '/api/v1/nodes');
    expect(listed.items.map((x) => x.id).sort(), 'nodes listed').toEqual([...survivors].sort());
    for (const x of listed.items) {
      expect(x.heartbeatAgeMs, `${x.id} heartbeat age`).toBeLessThan(TTL_MS);
      expect(typeof x.clockSkewMs, `${x.id} skew`).toBe('number');
      // one machine, one clock: the skew measured against the database is small
      expect(Math.abs(x.clockSkewMs), `${x.id} skew`).toBeLessThan(1000);
      expect(x.state).toBe('active');
      expect(Array.isArray(x.running)).toBe(true);
    }
  }

  // GET /triggers?state=acquired answers for the cluster: some answer lists fires another node holds
  const seen = await withLogs(
    waitFor(
      "a node's answer listing another node's acquired fires",
      async () => {
        for (const n of [s1, s2]) {
          const me = n === s1 ? survivors[0] : survivors[1];
          const page = await apiCall<{
            items: { jobId: string; state: string; nodeId: string | null }[];
            pagination: { total: number };
          }>(n.url, 'GET', '/api/v1/triggers?state=acquired&limit=1000');
          for (const t of page.items) {
            expect(t.state).toBe('acquired');
            expect(survivors, `${t.jobId} acquired by a live node`).toContain(t.nodeId);
          }
          const others = page.items.filter((t) => t.nodeId !== me);
          if (others.length)
            return {
              asked: me,
              holders: [...new Set(page.items.map((t) => t.nodeId))],
              total: page.pagination.total,
            };
        }
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    ),
  );
  expect(seen.total).toBeGreaterThan(0);

  // standby asked on one survivor: both stop firing within a second (checked on the ledger below)
  await apiCall(s1.url, 'POST', '/api/v1/scheduler/standby');
  const standbyAt = Date.now();
  await waitFor(
    'the other survivor in standby',
    async () => (await apiCall<{ state: string }>(s2.url, 'GET', '/api/v1/scheduler')).state === 'standby',
    { timeoutMs: 5000 },
  );
  await sleep(2500);
  const restartAt = Date.now();
  await apiCall(s2.url, 'POST', '/api/v1/scheduler/start');
  await sleep(3000);

  // pause-all on one survivor: the other one's runs stop within a second of the answer
  const pauseAt = Date.now();
  const paused = await apiCall<{ count: number }>(s1.url, 'POST', '/api/v1/jobs/pause', {});
  const pausedAt = Date.now();
  expect(paused.count).toBe(JOB_COUNT);
  await sleep(2000);
  const lateRuns = (
    await apiCall<{ items: ApiRun[] }>(s2.url, 'GET', '/api/v1/runs?limit=1000')
  ).items.filter(
    (r) => r.trigger === 'schedule' && r.startedAt !== null && Date.parse(r.startedAt) > pausedAt + 1000,
  );
  expect(
    lateRuns.map((r) => `${r.jobId} ${r.startedAt} on ${r.nodeId}`),
    'scheduled runs started after pause-all',
  ).toEqual([]);

  const exitCodes = await stopAll(new Map(survivors.map((id) => [id, nodes.get(id) as SkedServerProcess])));
  return {
    victim,
    survivors,
    runningAtKill: pick.running.filter((r) => r.nodeId === victim),
    killAt,
    deadAt,
    takeoverAt,
    standbyAt,
    restartAt,
    pauseAt,
    pausedAt,
    exitCodes,
  };
}

/** What the scenario left, once it completed. */
function result(): ClusterResult {
  expect(stored && observed, 'the scenario did not complete').toBeTruthy();
  return { specs: SPECS, jobs: stored as Map<string, JobRecord>, observed: observed as Observed };
}

describe('three nodes on one PostgreSQL, 200 jobs every second, one node SIGKILLed', () => {
  it('runs the scenario; the survivors exit 0 on SIGTERM', async () => {
    observed = await scenario();
    for (const [id, code] of observed.exitCodes)
      expect(code, `survivor ${id} exit code\n${nodes.get(id)?.tail(20)}`).toBe(0);
    const read = await readStore(
      storeUrl,
      SPECS.map((s) => s.id),
    );
    stored = read.jobs;
    expect(read.nodes, 'graceful stops removed the survivors; the dead node was removed at takeover').toEqual(
      [],
    );
  }, 120_000);

  it('every instant of every job is in the ledger exactly once, with the outcome its lateness and policies give', () => {
    const done = result();
    const summaries = SPECS.map((s) => checkJobLedger(s.id, done.jobs.get(s.id) as JobRecord, MISFIRE_MS));
    eachJob(done, (spec, rec, o) => {
      checkRunsSettled(spec.id, rec.runs);
      // the window spans the kill and the takeover
      expect(rec.fires[0]?.scheduledFor as number, spec.id).toBeLessThan(o.killAt - 3000);
      expect(rec.fires.at(-1)?.scheduledFor as number, spec.id).toBeGreaterThan(o.takeoverAt + 2000);
      if (spec.overlap === 'skip' && isExec(spec))
        expect(
          rec.fires.some((f) => f.outcome === 'skipped'),
          `${spec.id} skips while its 1.5 s step runs`,
        ).toBe(true);
      // paused: the job is paused, and fired nothing after the pause settled
      expect(rec.job.state, spec.id).toBe('paused');
    });
    console.log('[three-nodes] ledger totals', JSON.stringify(totalOf(summaries)));
  });

  it("the killed node's running runs are interrupted, and retried by a survivor per the job's policy", () => {
    checkInterruptedAndRetried(result());
  });

  it("after the kill, every fire and every run is a survivor's", () => {
    checkSurvivorsOnly(result());
  });

  it('standby and pause-all asked on one survivor stop firing on every node within a second', () => {
    checkStandbyAndPause(result());
  });

  it("the survivors' lateness stays bounded outside the takeover, standby and pause", () => {
    checkLateness(result());
  });
});
