/**
 * What the kill/restart end-to-end test asserts on the store it reads back after the scenario; each
 * check names the job and instant it fails on.
 */

import { expect } from 'vitest';
import type { Fire, Job, Run } from '../../../src/domain/types.js';
import { LOOKAHEAD_MS, MISFIRE_MS, SPECS, type Hit, type Spec } from './kill-restart-jobs.js';

export interface JobData {
  job: Job;
  fires: Fire[];
  runs: Run[];
}

/** What the scenario observed, in the test process's clock (the server runs on the same machine). */
export interface Timeline {
  firstReadyAt: number;
  runningAtKill: { id: string; jobId: string }[];
  killAt: number;
  restartSpawnAt: number;
  restartReadyAt: number;
  sigtermAt: number;
  exit: { code: number | null; signal: string | null; at: number };
}

/** Everything the scenario observed and read back. */
export interface ScenarioResult {
  timeline: Timeline;
  data: Map<string, JobData>;
  /** "<job> <run> <step label>" lines written by exec and shell steps. */
  marks: string[][];
  /** Requests the local HTTP server received. */
  hits: Hit[];
}

/** Runs `check` for every job on the data the scenario read back. */
export function eachJob(r: ScenarioResult, check: (spec: Spec, d: JobData, t: Timeline) => void): void {
  const t = r.timeline;
  for (const spec of SPECS) {
    const d = r.data.get(spec.id);
    expect(d, spec.id).toBeDefined();
    check(spec, d as JobData, t);
  }
}

/** The ledger has no duplicate and no gap: every whole second from the first fire to the last. */
export function checkLedgerContinuity(r: ScenarioResult): void {
  eachJob(r, (spec, { fires }, t) => {
    const instants = fires.map((f) => f.scheduledFor);
    expect(new Set(instants).size, spec.id).toBe(instants.length);
    for (const at of instants) expect(at % 1000, `${spec.id} ${new Date(at).toISOString()}`).toBe(0);
    const gaps = instants
      .slice(1)
      .map((at, i) => [instants[i] as number, at])
      .filter(([a, b]) => (b as number) - (a as number) !== 1000);
    expect(
      gaps.map(([a, b]) => `${new Date(a as number).toISOString()} → ${new Date(b as number).toISOString()}`),
      spec.id,
    ).toEqual([]);
    // the ledger spans the whole scenario, across the downtime
    expect(instants[0] as number, spec.id).toBeLessThan(t.killAt - 3000);
    const resolved = fires.filter((f) => f.outcome !== 'pending');
    expect((resolved.at(-1) as Fire).scheduledFor, spec.id).toBeGreaterThanOrEqual(t.restartReadyAt + 4000);
  });
}

/** Every fire has an outcome; only the fires acquired ahead at the graceful stop stay pending. */
export function checkOutcomes(r: ScenarioResult): void {
  eachJob(r, (spec, { fires }, t) => {
    const firstPending = fires.findIndex((f) => f.outcome === 'pending');
    if (firstPending >= 0) {
      // pending rows are a tail, all due after the SIGTERM (taken back by the next start)
      expect(
        fires.slice(firstPending).every((f) => f.outcome === 'pending'),
        spec.id,
      ).toBe(true);
      // (a fire due just before the signal may not have been resolved yet on a loaded machine)
      expect((fires[firstPending] as Fire).scheduledFor, spec.id).toBeGreaterThan(
        t.sigtermAt - MISFIRE_MS - 1000,
      );
      expect(fires.at(-1)!.scheduledFor, spec.id).toBeLessThanOrEqual(t.exit.at + LOOKAHEAD_MS + 1000);
    }
    const allowed =
      spec.overlap === 'allow' ? ['run', 'missed', 'pending'] : ['run', 'skipped', 'missed', 'pending'];
    for (const f of fires)
      expect(allowed, `${spec.id} ${new Date(f.scheduledFor).toISOString()} ${f.outcome}`).toContain(
        f.outcome,
      );
    if (spec.overlap === 'skip')
      expect(
        fires.some((f) => f.outcome === 'skipped'),
        `${spec.id} skips while its step runs`,
      ).toBe(true);
  });
}

/** The downtime follows each job's catch-up policy. */
export function checkCatchUp(r: ScenarioResult): void {
  eachJob(r, (spec, { fires, runs }, t) => {
    const missed = fires.filter((f) => f.outcome === 'missed').map((f) => f.scheduledFor);
    const catchUps = runs.filter((r) => r.trigger === 'catchUp');
    // only instants of the downtime can be missed (fires acquired before the kill included)
    for (const at of [...missed, ...catchUps.map((r) => r.scheduledFor as number)]) {
      expect(at, `${spec.id} ${new Date(at).toISOString()}`).toBeGreaterThan(t.killAt - MISFIRE_MS);
      expect(at, `${spec.id} ${new Date(at).toISOString()}`).toBeLessThan(t.restartReadyAt);
    }
    // instants more than the threshold before the restart were certainly late
    const surelyLate = fires.filter(
      (f) => f.scheduledFor > t.killAt && f.scheduledFor < t.restartSpawnAt - MISFIRE_MS,
    );
    expect(surelyLate.length, spec.id).toBeGreaterThanOrEqual(1);
    switch (spec.catchUp) {
      case 'all':
        // every missed instant still runs (trigger catchUp); nothing is recorded missed
        expect(missed, spec.id).toEqual([]);
        for (const f of surelyLate) {
          expect(f.outcome, spec.id).toBe('run');
          expect(runs.find((r) => r.id === f.runId)?.trigger, spec.id).toBe('catchUp');
        }
        break;
      case 'none':
        expect(catchUps, spec.id).toEqual([]);
        for (const f of surelyLate)
          expect(f.outcome, `${spec.id} ${new Date(f.scheduledFor).toISOString()}`).toBe('missed');
        break;
      case 'latest':
        // the latest missed instant runs; older ones are missed
        expect(catchUps.length, spec.id).toBeGreaterThanOrEqual(1);
        expect(missed.length, spec.id).toBeGreaterThanOrEqual(1);
        expect(Math.max(...catchUps.map((r) => r.scheduledFor as number)), spec.id).toBeGreaterThan(
          Math.max(...missed),
        );
        break;
    }
  });
}

/** Each run fire points at its run and back; at most one scheduled run per instant. */
export function checkRunLinks(r: ScenarioResult): void {
  eachJob(r, (spec, { fires, runs }) => {
    const byId = new Map(runs.map((r) => [r.id, r]));
    const fired = runs.filter((r) => r.trigger === 'schedule' || r.trigger === 'catchUp');
    const perInstant = new Map<number, number>();
    for (const r of fired)
      perInstant.set(r.scheduledFor as number, (perInstant.get(r.scheduledFor as number) ?? 0) + 1);
    expect(
      [...perInstant].filter(([, n]) => n > 1),
      spec.id,
    ).toEqual([]);
    const schedulePer = new Map<number, number>();
    for (const r of runs.filter((x) => x.trigger === 'schedule'))
      schedulePer.set(r.scheduledFor as number, (schedulePer.get(r.scheduledFor as number) ?? 0) + 1);
    expect(Math.max(0, ...schedulePer.values()), spec.id).toBeLessThanOrEqual(1);
    const runFires = fires.filter((f) => f.outcome === 'run');
    for (const f of runFires) {
      const run = byId.get(f.runId as string);
      expect(run, `${spec.id} ${new Date(f.scheduledFor).toISOString()} → ${f.runId}`).toBeDefined();
      expect(run?.scheduledFor, spec.id).toBe(f.scheduledFor);
      expect(['schedule', 'catchUp'], spec.id).toContain(run?.trigger);
    }
    for (const f of fires.filter((x) => x.outcome !== 'run')) expect(f.runId, spec.id).toBeNull();
    expect(new Set(runFires.map((f) => f.runId)).size, spec.id).toBe(fired.length);
    expect(
      runs.filter((r) => r.trigger === 'manual' || r.trigger === 'backfill'),
      spec.id,
    ).toEqual([]);
  });
}

/** Runs running at the SIGKILL are interrupted and retried per policy; none is left running. */
export function checkInterrupted(r: ScenarioResult): void {
  eachJob(r, (spec, { runs }, t) => {
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(
      runs.filter((r) => r.status === 'running'),
      spec.id,
    ).toEqual([]);
    for (const r of runs)
      expect(['succeeded', 'interrupted', 'queued'], `${spec.id} ${r.id} ${r.status} ${r.error}`).toContain(
        r.status,
      );
    // a queued run after the graceful stop can only be one that waits its turn (never a scheduled fire of the present)
    for (const r of runs.filter((x) => x.status === 'queued'))
      expect(['catchUp', 'retry'], spec.id).toContain(r.trigger);

    const interrupted = runs.filter((r) => r.status === 'interrupted');
    for (const r of interrupted) {
      expect(r.startedAt as number, `${spec.id} ${r.id}`).toBeLessThanOrEqual(t.killAt);
      expect(r.finishedAt as number, `${spec.id} ${r.id}`).toBeGreaterThanOrEqual(t.restartSpawnAt);
      expect(r.error, spec.id).toMatch(/stopped/);
    }
    for (const seen of t.runningAtKill.filter((r) => r.jobId === spec.id)) {
      const run = byId.get(seen.id);
      expect(run, seen.id).toBeDefined();
      // interrupted, or it finished in the instants between the listing and the kill
      if (run?.status !== 'interrupted') {
        expect(run?.status, seen.id).toBe('succeeded');
        expect(run?.finishedAt as number, seen.id).toBeLessThanOrEqual(t.killAt);
      }
    }
    if (spec.id === 'c-allow-exec' || spec.id === 'c-allow-http')
      expect(interrupted.length, `${spec.id} was running at the kill`).toBeGreaterThanOrEqual(1);

    const retries = runs.filter((r) => r.trigger === 'retry');
    if (spec.maxAttempts === null) {
      expect(retries, spec.id).toEqual([]);
      return;
    }
    for (const r of interrupted) {
      const next = retries.filter((x) => x.retryOf === r.id);
      if (r.attempt < spec.maxAttempts) {
        expect(next, `${spec.id}: one retry of ${r.id}`).toHaveLength(1);
        expect(next[0], spec.id).toMatchObject({
          attempt: r.attempt + 1,
          scheduledFor: r.scheduledFor,
          trigger: 'retry',
        });
        if (spec.overlap === 'allow') expect(next[0]?.status, spec.id).toBe('succeeded');
      } else {
        expect(next, spec.id).toEqual([]);
      }
    }
    // retries exist only for runs that ended badly
    for (const r of retries) expect(byId.get(r.retryOf as string)?.status, spec.id).toBe('interrupted');
  });
}

/** Every step did its work once: one mark per (run, process step), one request per run that reached the http step. */
export function checkSideEffects(r: ScenarioResult): void {
  const { hits, marks } = r;
  const allRuns = new Map<string, Run>();
  for (const d of r.data.values()) for (const run of d.runs) allRuns.set(run.id, run);

  // marks: never twice; only from known runs of the right job
  const markKeys = marks.map((m) => m.join(' '));
  expect(markKeys.filter((k, i) => markKeys.indexOf(k) !== i)).toEqual([]);
  for (const [job, run] of marks) expect(allRuns.get(run as string)?.jobId, `mark ${job} ${run}`).toBe(job);

  // http: never twice for a run; only from known runs of the right job
  const perRun = new Map<string, number>();
  for (const h of hits) perRun.set(h.run, (perRun.get(h.run) ?? 0) + 1);
  expect([...perRun].filter(([, n]) => n > 1)).toEqual([]);
  for (const h of hits) {
    expect(allRuns.get(h.run)?.jobId, `request ${h.job} ${h.run}`).toBe(h.job);
    expect(allRuns.get(h.run)?.attempt).toBe(h.attempt);
  }

  for (const spec of SPECS) {
    const { runs } = r.data.get(spec.id) as JobData;
    for (const run of runs) {
      const httpResults = run.steps.filter((s) => s.type === 'http');
      if (run.status === 'succeeded') {
        // every step ran once: one mark per process step, one request for the http step
        for (const label of spec.marks)
          expect(markKeys, `${spec.id} ${run.id} ${label}`).toContain(`${spec.id} ${run.id} ${label}`);
        expect(perRun.get(run.id) ?? 0, `${spec.id} ${run.id} requests`).toBe(spec.http ? 1 : 0);
        expect(httpResults.length, spec.id).toBe(spec.http ? 1 : 0);
        if (spec.http) expect(httpResults[0]).toMatchObject({ status: 'succeeded', httpStatus: 200 });
      } else {
        // interrupted at the kill (no step results were written) or never started: at most once each
        expect(perRun.get(run.id) ?? 0, `${spec.id} ${run.id}`).toBeLessThanOrEqual(spec.http ? 1 : 0);
        if (run.status === 'queued')
          expect(
            markKeys.some((k) => k.includes(run.id)),
            `${spec.id} ${run.id}`,
          ).toBe(false);
      }
    }
    const jobHits = hits.filter((h) => h.job === spec.id).length;
    if (spec.http) expect(jobHits, spec.id).toBeGreaterThanOrEqual(3);
    else expect(jobHits, spec.id).toBe(0);
  }
}
