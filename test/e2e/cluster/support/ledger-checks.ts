/**
 * Checks on what a cluster left in the store, shared by the cluster end-to-end tests. Each names the
 * job and instant it fails on.
 *
 * Lateness decides a fire's fate exactly, so the checks need no knowledge of when things happened:
 * a fire resolved more than the misfire threshold after its instant (`firedAt - scheduledFor >
 * threshold`) follows the job's catch-up policy (`missed`, or a `catchUp` run); one resolved within it
 * is an ordinary `schedule` run (or `skipped` per overlap). Both sides use the store's clock.
 */

import { expect } from 'vitest';
import type { Run } from '../../../../src/domain/types.js';
import { iso, type JobRecord } from './cluster.js';

export interface LedgerSummary {
  fires: number;
  run: number;
  skipped: number;
  missed: number;
  catchUpRuns: number;
  /** Scheduled runs resolved more than 1 s late but within the threshold. */
  lateWithinThreshold: number;
  first: number;
  last: number;
}

/**
 * The ledger of one job: every whole second from its first fire to its last exactly once, nothing
 * pending (every node stopped gracefully, handing back what it had acquired), outcomes per overlap and
 * catch-up policy, each `run` row linked to its run and back, at most one scheduled run per instant.
 */
export function checkJobLedger(id: string, rec: JobRecord, misfireMs: number): LedgerSummary {
  const { fires, runs, job } = rec;
  expect(fires.length, `${id}: the job fired`).toBeGreaterThan(0);
  const instants = fires.map((f) => f.scheduledFor);
  expect(new Set(instants).size, `${id}: one ledger row per instant`).toBe(instants.length);
  for (const at of instants) expect(at % 1000, `${id} ${iso(at)} is a whole second`).toBe(0);
  const gaps = instants
    .slice(1)
    .map((at, i) => [instants[i] as number, at] as const)
    .filter(([a, b]) => b - a !== 1000)
    .map(([a, b]) => `${iso(a)} → ${iso(b)}`);
  expect(gaps, `${id}: no instant missing from the ledger`).toEqual([]);
  expect(
    fires.filter((f) => f.outcome === 'pending').map((f) => iso(f.scheduledFor)),
    `${id}: nothing left pending after graceful stops`,
  ).toEqual([]);

  const allowed = job.overlap === 'allow' ? ['run', 'missed'] : ['run', 'skipped', 'missed'];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const summary: LedgerSummary = {
    fires: fires.length,
    run: 0,
    skipped: 0,
    missed: 0,
    catchUpRuns: 0,
    lateWithinThreshold: 0,
    first: instants[0] as number,
    last: instants.at(-1) as number,
  };
  for (const f of fires) {
    const what = `${id} ${iso(f.scheduledFor)} ${f.outcome} fired ${iso(f.firedAt)} by ${f.nodeId}`;
    expect(allowed, what).toContain(f.outcome);
    expect(f.firedAt, what).not.toBeNull();
    const lag = (f.firedAt as number) - f.scheduledFor;
    const late = lag > misfireMs;
    if (f.outcome === 'skipped') {
      summary.skipped++;
      expect(late, `${what}: skipped only on time`).toBe(false);
      expect(f.runId, what).toBeNull();
    } else if (f.outcome === 'missed') {
      summary.missed++;
      expect(late, `${what}: missed only past the threshold`).toBe(true);
      expect(job.catchUp.policy, `${what}: policy 'all' misses nothing`).not.toBe('all');
      expect(f.runId, what).toBeNull();
    } else {
      summary.run++;
      const run = byId.get(f.runId as string);
      expect(run, `${what}: its run ${f.runId} exists`).toBeDefined();
      expect(run?.scheduledFor, what).toBe(f.scheduledFor);
      expect(run?.trigger, `${what}: late fires follow the catch-up policy`).toBe(
        late ? 'catchUp' : 'schedule',
      );
      if (late) {
        summary.catchUpRuns++;
        expect(job.catchUp.policy, `${what}: policy 'none' runs nothing late`).not.toBe('none');
      } else if (lag > 1000) {
        summary.lateWithinThreshold++;
      }
    }
  }
  // runs of the schedule: one per instant, each named by its ledger row
  const fired = runs.filter((r) => r.trigger === 'schedule' || r.trigger === 'catchUp');
  const perInstant = new Map<number, Run[]>();
  for (const r of fired)
    perInstant.set(r.scheduledFor as number, [...(perInstant.get(r.scheduledFor as number) ?? []), r]);
  expect(
    [...perInstant]
      .filter(([, list]) => list.length > 1)
      .map(([at, list]) => `${iso(at)}: ${list.map((r) => `${r.id} ${r.trigger} ${r.nodeId}`).join(', ')}`),
    `${id}: no instant has two scheduled runs`,
  ).toEqual([]);
  const named = new Set(fires.filter((f) => f.outcome === 'run').map((f) => f.runId));
  expect(
    fired.filter((r) => !named.has(r.id)).map((r) => `${r.id} ${iso(r.scheduledFor)}`),
    `${id}: every scheduled run has its ledger row`,
  ).toEqual([]);
  return summary;
}

/** No run left `running`; queued ones are only retries or catch-ups waiting their turn. */
export function checkRunsSettled(id: string, runs: Run[]): void {
  expect(
    runs.filter((r) => r.status === 'running').map((r) => `${r.id} ${r.trigger} on ${r.nodeId}`),
    `${id}: no run left running`,
  ).toEqual([]);
  for (const r of runs.filter((x) => x.status === 'queued'))
    expect(['retry', 'catchUp'], `${id} ${r.id} queued`).toContain(r.trigger);
}

/** Adds up summaries. */
export function totalOf(summaries: LedgerSummary[]): Omit<LedgerSummary, 'first' | 'last'> {
  const total = { fires: 0, run: 0, skipped: 0, missed: 0, catchUpRuns: 0, lateWithinThreshold: 0 };
  for (const s of summaries) {
    total.fires += s.fires;
    total.run += s.run;
    total.skipped += s.skipped;
    total.missed += s.missed;
    total.catchUpRuns += s.catchUpRuns;
    total.lateWithinThreshold += s.lateWithinThreshold;
  }
  return total;
}

/** Lateness of scheduled runs that ran: startedAt - scheduledFor, ms. */
export function latenessOf(runs: Run[], keep: (r: Run) => boolean = () => true): number[] {
  return runs
    .filter((r) => r.trigger === 'schedule' && r.status === 'succeeded' && r.startedAt !== null && keep(r))
    .map((r) => (r.startedAt as number) - (r.scheduledFor as number));
}
