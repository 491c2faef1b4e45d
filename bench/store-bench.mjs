/**
 * The store's share of a fire, without the engine: N jobs firing every second, and for each simulated
 * second the writes the engine makes — claim triggers due within the lookahead (2 s) and commit their fires for twice that, resolve the
 * fires in transactions of --resolve fires (a run row each), finish the runs in batches of --finish
 * (a step result each). Prints microseconds of store work per fire, by phase, so schema and batching
 * changes can be compared in isolation.
 *
 *   node bench/store-bench.mjs [--n=20000] [--seconds=10] [--resolve=20] [--finish=500] [--store=sqlite:FILE]
 */

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { normalizeJobInput } from '../dist/service/job-input.js';
import { openStore } from '../dist/store/store-factory.js';
import { planAcquisition } from '../dist/engine/acquisition.js';
import { JobCache } from '../dist/engine/job-cache.js';
import { uuidv7 } from '../dist/domain/ids.js';
import { fmtInt, fmtNum, makeTempDir, parseArgs, printHeader, printTable, removeTempDir } from './lib/common.mjs';

const args = parseArgs(process.argv.slice(2));
const N = Number(args['n'] ?? 20000);
const SECONDS = Number(args['seconds'] ?? 10);
const RESOLVE = Number(args['resolve'] ?? 20);
const FINISH = Number(args['finish'] ?? 500);

printHeader('store-bench');
const dir = makeTempDir('sked-store-bench-');
const url = args['store'] ?? `sqlite:${join(dir, 'b.db')}`;
const store = await openStore(url);
try {
  const T0 = Math.ceil(Date.now() / 1000) * 1000 + 10_000;
  for (let i = 0; i < N; i++) {
    const { definition, schedule } = normalizeJobInput({ id: `j${i}`, name: `j${i}`, schedule: { type: 'cron', expression: '* * * * * ?' }, steps: [{ stepIndex: 0, type: 'noop' }] }, T0 - 1000);
    const job = { ...definition, id: `j${i}`, state: 'enabled', pause: null, status: { nextFireTime: null, lastFireTime: null, lastRun: null, runCount: 0, failureCount: 0 }, version: 1, createdAt: T0 - 1000, updatedAt: T0 - 1000 };
    await store.insertJob(job, schedule.nextAfter(T0 - 1));
  }
  const cache = new JobCache(store);
  const time = { acquire: 0, resolve: 0, finish: 0 };
  let fires = 0;
  const pending = [];
  for (let s = 0; s < SECONDS; s++) {
    const now = T0 + s * 1000;
    let t = performance.now();
    for (;;) {
      const claimed = await store.claimDueTriggers('n', now, now + 2000, 1000, now + 30_000);
      if (!claimed.length) break;
      const jobs = await cache.load(claimed.map((c) => ({ jobId: c.jobId, version: c.version })));
      const plans = claimed.map((c) => planAcquisition(c, jobs.get(c.jobId), now, now + 4000, { misfireThresholdMs: 5000, maxMissedFires: 10_000, maxFiresPerJob: 1000 }));
      pending.push(...(await store.commitAcquisitions('n', plans.map((p) => p.acquisition))));
    }
    time.acquire += performance.now() - t;
    const due = pending.filter((f) => f.scheduledFor <= now);
    pending.splice(0, pending.length, ...pending.filter((f) => f.scheduledFor > now));
    const finishes = [];
    t = performance.now();
    for (let i = 0; i < due.length; i += RESOLVE) {
      const chunk = due.slice(i, i + RESOLVE).map((f) => ({
        jobId: f.jobId, scheduledFor: f.scheduledFor, outcome: 'run', firedAt: now,
        run: { id: uuidv7(now), jobId: f.jobId, trigger: 'schedule', scheduledFor: f.scheduledFor, queuedAt: now, status: 'running', nodeId: 'n', startedAt: now, attempt: 1, retryOf: null, notBefore: null, payload: null, exclusive: false },
      }));
      const applied = await store.resolveFires('n', chunk);
      fires += applied.length;
      for (const r of applied) finishes.push({ id: r.run.id, jobId: r.jobId, status: 'succeeded', startedAt: now, finishedAt: now + 1, error: null, steps: [{ phase: 'main', position: 0, stepIndex: 0, name: null, type: 'noop', status: 'succeeded', attempt: 1, startedAt: now, finishedAt: now + 1, exitCode: null, httpStatus: null, output: '', error: null }], failed: false });
    }
    time.resolve += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < finishes.length; i += FINISH) await store.finishRuns(finishes.slice(i, i + FINISH));
    time.finish += performance.now() - t;
  }
  const per = (ms) => fmtNum((ms * 1000) / fires, 1);
  const total = time.acquire + time.resolve + time.finish;
  const titles = ['N', 'fires', 'resolve/tx', 'finish/tx', 'acquire µs/fire', 'resolve µs/fire', 'finish µs/fire', 'total µs/fire', 'fires/s of store work'];
  const values = [fmtInt(N), fmtInt(fires), RESOLVE, FINISH, per(time.acquire), per(time.resolve), per(time.finish), per(total), fmtInt((fires / total) * 1000)];
  printTable(titles.map((title, i) => ({ key: String(i), title })), [Object.fromEntries(values.map((v, i) => [String(i), String(v)]))]);
} finally {
  await store.close();
  removeTempDir(dir);
}
