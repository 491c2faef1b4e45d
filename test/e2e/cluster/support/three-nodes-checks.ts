/**
 * What the three-node test (three-nodes.test.ts) asserts on the store it reads back after its
 * scenario, beyond the ledger checks every cluster test shares (ledger-checks.ts). Each check names the
 * job, run or instant it fails on.
 */

import { expect } from 'vitest';
import type { Run } from '../../../../src/domain/types.js';
import { iso, percentile, type JobRecord } from './cluster.js';
import type { JobSpec } from './cluster-jobs.js';
import { latenessOf } from './ledger-checks.js';

/** A run as `GET /api/v1/runs` lists it. */
export interface ApiRun {
  id: string;
  jobId: string;
  nodeId: string | null;
  trigger: string;
  startedAt: string | null;
}

/** Everything the scenario observed, in the test process's clock (the nodes run on the same machine). */
export interface Observed {
  victim: string;
  survivors: [string, string];
  /** The victim's runs listed running just before the SIGKILL. */
  runningAtKill: ApiRun[];
  killAt: number;
  /** When the killed process was seen gone. */
  deadAt: number;
  /** The first survivor's "took over the work of dead nodes" log line. */
  takeoverAt: number;
  /** When standby was answered, and when start was asked. */
  standbyAt: number;
  restartAt: number;
  /** When pause-all was asked, and answered. */
  pauseAt: number;
  pausedAt: number;
  exitCodes: Map<string, number | null>;
}

export interface ClusterResult {
  specs: JobSpec[];
  jobs: Map<string, JobRecord>;
  observed: Observed;
}

/** Runs `check` on every job's record. */
export function eachJob(
  result: ClusterResult,
  check: (spec: JobSpec, rec: JobRecord, o: Observed) => void,
): void {
  for (const spec of result.specs) {
    const rec = result.jobs.get(spec.id);
    expect(rec, spec.id).toBeDefined();
    check(spec, rec as JobRecord, result.observed);
  }
}

/** The killed node's running runs are `interrupted` and retried once by a survivor when the job has a retry policy (never otherwise). */
export function checkInterruptedAndRetried(result: ClusterResult): void {
  const o = result.observed;
  let interruptedTotal = 0;
  let retriedTotal = 0;
  eachJob(result, (spec, { runs }) => {
    const byId = new Map(runs.map((r) => [r.id, r]));
    const interrupted = runs.filter((r) => r.status === 'interrupted');
    interruptedTotal += interrupted.length;
    for (const r of interrupted) {
      const what = `${spec.id} ${r.id} (${r.trigger}, started ${iso(r.startedAt)})`;
      expect(r.nodeId, `${what}: only the killed node's runs are interrupted`).toBe(o.victim);
      expect(r.error, what).toMatch(/stopped/);
      expect(r.startedAt as number, what).toBeLessThanOrEqual(o.deadAt);
      expect(r.finishedAt as number, `${what}: interrupted at the takeover`).toBeGreaterThanOrEqual(o.deadAt);
    }
    for (const seen of o.runningAtKill.filter((r) => r.jobId === spec.id)) {
      const run = byId.get(seen.id);
      expect(run, seen.id).toBeDefined();
      // interrupted, or it finished in the instant between the listing and the kill
      if (run?.status !== 'interrupted') {
        expect(run?.status, seen.id).toBe('succeeded');
        expect(run?.finishedAt as number, seen.id).toBeLessThanOrEqual(o.deadAt);
      }
    }
    const retries = runs.filter((r) => r.trigger === 'retry');
    if (spec.maxAttempts === null) {
      expect(retries, `${spec.id} has no retry policy`).toEqual([]);
      return;
    }
    for (const r of interrupted) {
      const next = retries.filter((x) => x.retryOf === r.id);
      expect(next, `${spec.id}: one retry of ${r.id}`).toHaveLength(1);
      expect(next[0], spec.id).toMatchObject({
        attempt: r.attempt + 1,
        scheduledFor: r.scheduledFor,
        status: 'succeeded',
      });
      expect(o.survivors, `${spec.id}: the retry of ${r.id} ran on a survivor`).toContain(next[0]?.nodeId);
      retriedTotal++;
    }
    for (const r of retries)
      expect(byId.get(r.retryOf as string)?.status, `${spec.id} ${r.id} retries a failure`).toBe(
        'interrupted',
      );
  });
  const seenRetried = o.runningAtKill.filter(
    (r) => result.specs.find((s) => s.id === r.jobId)?.maxAttempts !== null,
  );
  expect(seenRetried.length, 'the killed node was running runs of retried jobs').toBeGreaterThan(0);
  expect(interruptedTotal, 'runs were interrupted').toBeGreaterThan(0);
  expect(retriedTotal, 'interrupted runs were retried').toBeGreaterThan(0);
  console.log(
    `[three-nodes] victim ${o.victim}: ${o.runningAtKill.length} runs listed running at the kill, ${interruptedTotal} interrupted, ${retriedTotal} retried by survivors`,
  );
}

/** After the kill, every fire and every run is a survivor's. */
export function checkSurvivorsOnly(result: ClusterResult): void {
  const o = result.observed;
  const firedBy = new Map<string, number>();
  eachJob(result, (spec, { fires, runs }) => {
    for (const f of fires) {
      if (f.firedAt === null) continue;
      const key = `${f.firedAt <= o.deadAt ? 'before' : 'after'} ${f.nodeId}`;
      firedBy.set(key, (firedBy.get(key) ?? 0) + 1);
      if (f.firedAt > o.deadAt)
        expect(o.survivors, `${spec.id} ${iso(f.scheduledFor)} fired ${iso(f.firedAt)}`).toContain(f.nodeId);
    }
    for (const r of runs)
      if ((r.startedAt ?? 0) > o.deadAt)
        expect(o.survivors, `${spec.id} run ${r.id} started ${iso(r.startedAt)}`).toContain(r.nodeId);
  });
  console.log('[three-nodes] fires by node', JSON.stringify(Object.fromEntries([...firedBy].sort())));
}

/** No fire resolved more than a second after standby (until the restart) or pause-all. */
export function checkStandbyAndPause(result: ClusterResult): void {
  const o = result.observed;
  let lastAfterStandby = -Infinity;
  let lastAfterPause = -Infinity;
  eachJob(result, (spec, { fires }) => {
    for (const f of fires) {
      const at = f.firedAt as number;
      if (at >= o.standbyAt && at < o.restartAt)
        lastAfterStandby = Math.max(lastAfterStandby, at - o.standbyAt);
      if (at >= o.pauseAt) lastAfterPause = Math.max(lastAfterPause, at - o.pausedAt);
    }
    const during = fires.filter(
      (f) => (f.firedAt as number) > o.standbyAt + 1000 && (f.firedAt as number) < o.restartAt,
    );
    expect(
      during.map((f) => `${iso(f.scheduledFor)} fired ${iso(f.firedAt)} by ${f.nodeId}`),
      `${spec.id} fired during standby`,
    ).toEqual([]);
    const afterPause = fires.filter((f) => (f.firedAt as number) > o.pausedAt + 1000);
    expect(
      afterPause.map((f) => `${iso(f.scheduledFor)} fired ${iso(f.firedAt)} by ${f.nodeId}`),
      `${spec.id} fired after pause-all`,
    ).toEqual([]);
    // it fired again between the restart and the pause
    expect(
      fires.some((f) => (f.firedAt as number) > o.restartAt && (f.firedAt as number) < o.pauseAt),
      `${spec.id} fired after the restart`,
    ).toBe(true);
  });
  const ms = (v: number): string => (v === -Infinity ? 'none' : `${v} ms`);
  console.log(
    `[three-nodes] last fire resolved after standby was answered: ${ms(lastAfterStandby)}; after pause-all was answered: ${ms(lastAfterPause)}`,
  );
}

/** The survivors' lateness outside the takeover, standby and pause: printed, and bounded generously. */
export function checkLateness(result: ClusterResult): void {
  const o = result.observed;
  const all: Run[] = [];
  eachJob(result, (_spec, { runs }) => all.push(...runs));
  const outside = (r: Run): boolean => {
    const t = r.scheduledFor as number;
    return (
      !(t >= o.killAt - 1000 && t <= o.takeoverAt + 1000) &&
      !(t >= o.standbyAt - 1000 && t <= o.restartAt + 2000) &&
      t < o.pauseAt
    );
  };
  const survivors = latenessOf(all, (r) => o.survivors.includes(r.nodeId as string) && outside(r));
  const everyone = latenessOf(all, outside);
  const takeover = latenessOf(
    all,
    (r) => (r.scheduledFor as number) >= o.killAt && (r.scheduledFor as number) <= o.takeoverAt,
  );
  const stats = (v: number[]) => ({
    n: v.length,
    p50: percentile(v, 50),
    p99: percentile(v, 99),
    max: Math.max(...v),
  });
  console.log(
    '[three-nodes] lateness ms',
    JSON.stringify({
      survivors: stats(survivors),
      allNodes: stats(everyone),
      takeoverWindow: stats(takeover),
      takeoverAfterDeathMs: o.takeoverAt - o.deadAt,
    }),
  );
  expect(survivors.length, 'runs measured').toBeGreaterThan(200);
  // (a few ms of slack: the nodes correct their clocks to the database's, measured by round trips)
  expect(Math.min(...survivors), 'no run starts before its instant').toBeGreaterThanOrEqual(-50);
  expect(percentile(survivors, 99), 'p99 lateness of the survivors').toBeLessThan(2000);
}
