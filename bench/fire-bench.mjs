#!/usr/bin/env node
/**
 * Firing throughput and lateness: sked (a real server process on a fresh SQLite file) against BullMQ's
 * job schedulers (a Worker process on the local Redis), in one run.
 *
 *   npm run build && node bench/fire-bench.mjs [--n=1000,5000,20000] [--http-n=1000,5000]
 *       [--warmup=5] [--window=25] [--concurrency=256] [--systems=sked,bullmq] [--steps=noop,http]
 *       [--redis=redis://127.0.0.1:6379/9] [--profile] [--profile-dir=/tmp/sked-bench-profiles]
 *       [--create-timeout=180] [--create-parallel=32] [--no-standby] [--max-minutes=60]
 *
 * Each of N jobs fires every second, all aligned on the second boundary:
 * - sked: cron `* * * * * ?`, `overlap: allow`, one step (`noop`, or `http` GET to a local server),
 *   `startAt` = the first boundary after creation, created by parallel PUT /api/v1/jobs/{id} with the
 *   scheduler in standby (`--no-standby` to create while it runs), then POST /scheduler/start. After
 *   `--warmup` s of firing, a `--window` s window is measured; the runs are then read from the SQLite
 *   file (read-only): fires/s sustained = runs started in the window / window; lateness = startedAt −
 *   scheduledFor of `trigger = schedule` runs started in the window. sked stamps startedAt when it
 *   resolves a fire (before the run's row is committed and its step starts), so "end" lateness
 *   (finishedAt − scheduledFor, for a noop ≈ when it really ran) is shown too.
 * - BullMQ: `queue.upsertJobScheduler(id, {every: 1000, startDate: <same boundary>})`, a Worker
 *   (concurrency as sked's) in a child process; lateness = processor start − the job's nominal instant
 *   (the `nextMillis` in its id `repeat:<id>:<millis>`).
 * - http steps: both call the same tiny node:http server in this process, which also records arrival −
 *   nominal instant ("at target"), measured on one clock for both systems.
 * RSS is the peak VmRSS of the sked server / the BullMQ worker during the window; CPU is the process's
 * CPU time over the window (for BullMQ, the Redis server's CPU is added: its Lua scripts do the work).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../dist/store/sqlite/sqlite-driver.js';
import { Pool } from 'undici';
import {
  fmtInt,
  fmtNum,
  intList,
  makeTempDir,
  onCleanup,
  parseArgs,
  printHeader,
  printTable,
  removeTempDir,
  rssMB,
  runCleanups,
  sleep,
  sleepUntil,
  startSkedServer,
  stopChild,
  summarize,
} from './lib/common.mjs';
import {
  createAll as createAllJobs,
  creationNote as creationNoteOf,
  measureWindow,
  runBullmq,
  skedJob,
  startHttpTarget,
  windowAfter as windowAfterCreation,
} from './lib/firing.mjs';
import { connectInspector, printProfileSummary, startProfiling, summarizeProfile } from './lib/profile.mjs';

const args = parseArgs();
const NOOP_NS = intList(args.n, [1000, 5000, 20000]);
const HTTP_NS = intList(args['http-n'], [1000, 5000]);
const WARMUP_S = Number(args.warmup ?? 5);
const WINDOW_S = Number(args.window ?? 25);
const CONCURRENCY = Number(args.concurrency ?? 256);
const SYSTEMS = (args.systems ?? 'sked,bullmq').split(',');
const STEPS = (args.steps ?? 'noop,http').split(',');
const REDIS_URL = new URL(args.redis ?? 'redis://127.0.0.1:6379/9');
const REDIS = {
  host: REDIS_URL.hostname,
  port: Number(REDIS_URL.port || 6379),
  db: Number(REDIS_URL.pathname.slice(1) || 9),
};
const PROFILE = args.profile === 'true';
const PROFILE_DIR = args['profile-dir'] ?? '/tmp/sked-bench-profiles';
const CREATE_PARALLEL = Number(args['create-parallel'] ?? 32);
/** Create sked's jobs with the scheduler in standby (then POST /scheduler/start): creation is measured alone. */
const STANDBY = args['no-standby'] !== 'true';
/** --spread: each job fires every second at its own phase (job i at i·1000/N ms past the second) instead of all on the boundary. */
const SPREAD = args['spread'] === 'true';

// --- the local HTTP target (lib/firing.mjs) -------------------------------------------------------

let httpTarget = null;
const startTarget = async () => (httpTarget = await startHttpTarget());
const targetLateness = (w0, w1) => httpTarget.lateness(w0, w1);

// --- timing plan ----------------------------------------------------------------------------------

const CREATE_TIMEOUT_S = Number(args['create-timeout'] ?? 180);

const createAll = (n, parallel, create, remove) =>
  createAllJobs(n, parallel, create, remove, { createTimeoutS: CREATE_TIMEOUT_S });
const windowAfter = (t0, createdAt) => windowAfterCreation(t0, createdAt, WARMUP_S, WINDOW_S);
const creationNote = (c, n) => creationNoteOf(c, n, CREATE_TIMEOUT_S);

// --- sked -----------------------------------------------------------------------------------------

async function runSked(n, stepType, targetUrl) {
  const dir = makeTempDir('sked-fire-');
  const dbPath = join(dir, 'b.db');
  const nodeArgs = PROFILE ? ['--inspect=127.0.0.1:0'] : [];
  const server = await startSkedServer({ dbPath, concurrency: CONCURRENCY, logLevel: 'warn', nodeArgs });
  const stopServer = onCleanup(() => stopChild(server.child));
  try {
    const pool = new Pool(server.url, { connections: 8, pipelining: 1 });
    const scheduler = async (verb) => {
      const { statusCode, body } = await pool.request({
        path: `/api/v1/scheduler/${verb}`,
        method: 'POST',
        headers: server.auth,
      });
      const text = await body.text();
      if (statusCode !== 200)
        throw new Error(`POST /api/v1/scheduler/${verb}: ${statusCode} ${text.slice(0, 200)}`);
    };
    if (STANDBY) await scheduler('standby');
    let failed = 0;
    let firstError = null;
    const check = async ({ statusCode, body }, okCodes) => {
      const text = await body.text();
      if (!okCodes.includes(statusCode)) {
        failed++;
        firstError ??= `${statusCode} ${text.slice(0, 300)}`;
      }
    };
    const c = await createAll(
      n,
      CREATE_PARALLEL,
      async (i, startAt, id) =>
        check(
          await pool.request({
            path: `/api/v1/jobs/${id}`,
            method: 'PUT',
            headers: { 'content-type': 'application/json', ...server.auth },
            body: JSON.stringify(skedJob(i, n, { stepType, startAt, targetUrl, spread: SPREAD })),
          }),
          [200, 201],
        ),
      async (id) =>
        check(
          await pool.request({ path: `/api/v1/jobs/${id}`, method: 'DELETE', headers: server.auth }),
          [204],
        ),
    );
    if (STANDBY) await scheduler('start');
    await pool.close();
    if (failed) throw new Error(`${failed} job creations failed, first: ${firstError}`);
    const { firing, w0, w1 } = windowAfter(c.t0, c.createdAt);

    let profiler = null;
    let session = null;
    if (PROFILE) {
      const url = server.inspectorUrl();
      if (!url) console.error('[fire-bench] --profile: no inspector URL in the server output; not profiling');
      if (url) {
        await sleepUntil(w0);
        session = await connectInspector(url);
        profiler = await startProfiling(session);
      }
    }
    const usage = await measureWindow([server.pid], w0, w1);
    let profileSummary = null;
    if (profiler) {
      const profile = await profiler.stop();
      session.close();
      mkdirSync(PROFILE_DIR, { recursive: true });
      const file = join(
        PROFILE_DIR,
        `sked-${stepType}-${n}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`,
      );
      writeFileSync(file, JSON.stringify(profile));
      profileSummary = { file, ...summarizeProfile(profile, 25) };
    }
    await sleep(2000); // finished runs are written in batches: let the last ones land
    const result = readSkedRuns(dbPath, c.created, w0, w1);
    const rss = rssMB(server.pid);
    return {
      system: 'sked',
      n,
      created: c.created,
      createMs: c.createMs,
      creationNote: creationNote(c, n),
      firingFrom: firing,
      w0,
      w1,
      ...usage,
      rssAfter: rss,
      ...result,
      target: stepType === 'http' ? targetLateness(w0, w1) : null,
      profileSummary,
      serverLog: server
        .stderrTail()
        .split('\n')
        .filter((l) => l.trim() && !/Debugger|For help|inspector|FSTDEP|trace-warnings/i.test(l))
        .slice(-3)
        .join(' | '),
    };
  } finally {
    await stopChild(server.child);
    stopServer();
    removeTempDir(dir);
  }
}

function readSkedRuns(dbPath, n, w0, w1) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db
      .prepare(
        `SELECT started_at - scheduled_for AS s, finished_at - scheduled_for AS e
         FROM runs WHERE trigger_kind = 'schedule' AND started_at >= ? AND started_at < ?`,
      )
      .raw()
      .all(w0, w1);
    const startLate = rows.map((r) => r[0]);
    const endLate = rows.filter((r) => r[1] !== null).map((r) => r[1]);
    const due = db
      .prepare(
        `SELECT COUNT(*) FROM runs WHERE trigger_kind = 'schedule' AND scheduled_for >= ? AND scheduled_for < ?
          AND started_at IS NOT NULL AND started_at < ?`,
      )
      .pluck()
      .get(w0, w1, w1 + 1000);
    const outcomes = Object.fromEntries(
      db
        .prepare(
          `SELECT outcome, COUNT(*) FROM fire_ledger WHERE scheduled_for >= ? AND scheduled_for < ? GROUP BY outcome`,
        )
        .raw()
        .all(w0, w1),
    );
    const other = db
      .prepare(
        `SELECT trigger_kind || '/' || status, COUNT(*) FROM runs WHERE COALESCE(scheduled_for, queued_at) >= ? AND COALESCE(scheduled_for, queued_at) < ? GROUP BY 1`,
      )
      .raw()
      .all(w0, w1);
    return {
      started: rows.length,
      start: summarize(startLate),
      end: summarize(endLate),
      dueStartedBy: due,
      due: n * ((w1 - w0) / 1000),
      notes: `ledger ${Object.entries(outcomes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}; runs ${other.map(([k, v]) => `${k}=${v}`).join(' ')}`,
    };
  } finally {
    db.close();
  }
}

// --- BullMQ (lib/firing.mjs) ----------------------------------------------------------------------

const runBull = (n, stepType, targetUrl) =>
  runBullmq({
    n,
    stepType,
    targetUrl,
    redis: REDIS,
    concurrency: CONCURRENCY,
    spread: SPREAD,
    warmupS: WARMUP_S,
    windowS: WINDOW_S,
    createTimeoutS: CREATE_TIMEOUT_S,
    queueName: `fire-bench-${stepType}-${n}`,
  });

// --- main -----------------------------------------------------------------------------------------

function printResults(stepType, rows) {
  console.log(
    `## ${stepType} step: N jobs each firing every second (aligned), ${WARMUP_S} s warm-up, ${WINDOW_S} s window, concurrency ${CONCURRENCY}`,
  );
  const columns = [
    { key: 'system', title: 'system', align: 'l' },
    { key: 'n', title: 'N', format: fmtInt },
    { key: 'created', title: 'fires/s expected', format: fmtInt },
    { key: 'rate', title: 'fires/s sustained', format: fmtInt },
    { key: 'start', title: 'p50 ms', format: (v) => (v ? fmtInt(v.p50) : '—') },
    { key: 'start', title: 'p99 ms', format: (v) => (v ? fmtInt(v.p99) : '—') },
    { key: 'start', title: 'max ms', format: (v) => (v ? fmtInt(v.max) : '—') },
    { key: 'end', title: 'end p99 ms', format: (v) => (v ? fmtInt(v.p99) : '—') },
  ];
  if (stepType === 'http') {
    columns.push({ key: 'target', title: 'target p50 ms', format: (v) => (v ? fmtInt(v.p50) : '—') });
    columns.push({ key: 'target', title: 'target p99 ms', format: (v) => (v ? fmtInt(v.p99) : '—') });
  }
  columns.push(
    { key: 'kept', title: 'due→started %', format: (v) => fmtNum(v, 1) },
    { key: 'rssPeak', title: 'RSS MB', format: (v) => fmtNum(v, 0) },
    { key: 'cpuPct', title: 'CPU %', format: (v) => fmtNum(v, 0) },
    { key: 'createRate', title: 'create/s', format: fmtInt },
  );
  printTable(
    columns,
    rows.map((r) =>
      r.error
        ? {
            system: r.system,
            n: r.n,
            createRate: null,
            rate: null,
            kept: null,
            rssPeak: null,
            cpuPct: null,
            start: null,
            end: null,
            target: null,
          }
        : {
            ...r,
            rate: r.started / ((r.w1 - r.w0) / 1000),
            kept: (100 * r.dueStartedBy) / r.due,
            createRate: r.created / (r.createMs / 1000),
          },
    ),
  );
  for (const r of rows) {
    if (r.error) console.log(`  ${r.system} N=${r.n}: ERROR ${r.error}`);
    else
      console.log(
        `  ${r.system} N=${r.n}: created in ${fmtNum(r.createMs / 1000, 1)} s${r.creationNote ? ` (${r.creationNote})` : ''}; ${r.notes}${r.serverLog ? `; server log: ${r.serverLog.slice(0, 300)}` : ''}`,
      );
  }
  console.log('');
  for (const r of rows) {
    if (!r.profileSummary) continue;
    console.log(
      `### CPU profile of the sked server over the window (${stepType}, N=${r.n}): ${r.profileSummary.file}`,
    );
    printProfileSummary(r.profileSummary);
    console.log('');
  }
}

async function main() {
  printHeader('fire-bench: firing throughput and lateness, sked (SQLite) vs BullMQ job schedulers (Redis)');
  console.log(
    `systems ${SYSTEMS.join(', ')}; noop N = ${NOOP_NS.join(', ')}; http N = ${HTTP_NS.join(', ')}; Redis ${REDIS.host}:${REDIS.port} db ${REDIS.db} (flushed before and after each BullMQ run)${PROFILE ? '; sked server profiled over the window (inspector attached: numbers slightly lower)' : ''}`,
  );
  console.log(
    'columns: p50/p99/max = start lateness (sked: startedAt − scheduledFor as recorded; BullMQ: processor start − nominal); end p99 = run finished − nominal; target = request arrival at the local HTTP server − nominal; due→started % = fires due in the window that had started by its end + 1 s; RSS = peak during the window',
  );
  console.log('');
  const target = STEPS.includes('http') ? await startTarget() : null;
  const deadline = Date.now() + Number(args['max-minutes'] ?? 60) * 60_000;
  for (const stepType of STEPS) {
    const ns = stepType === 'http' ? HTTP_NS : NOOP_NS;
    const rows = [];
    for (const n of ns) {
      for (const system of SYSTEMS) {
        if (Date.now() > deadline) {
          rows.push({ system, n, error: 'skipped: --max-minutes reached' });
          continue;
        }
        process.stderr.write(`[fire-bench] ${stepType} ${system} N=${n} ...\n`);
        try {
          const r =
            system === 'sked'
              ? await runSked(n, stepType, target?.url)
              : await runBull(n, stepType, target?.url);
          rows.push(r);
          process.stderr.write(
            `[fire-bench]   → ${fmtInt(r.started / ((r.w1 - r.w0) / 1000))} fires/s, start p50/p99/max ${fmtInt(r.start.p50)}/${fmtInt(r.start.p99)}/${fmtInt(r.start.max)} ms, RSS ${fmtNum(r.rssPeak, 0)} MB${r.creationNote ? `; ${r.creationNote}` : ''}\n`,
          );
        } catch (err) {
          rows.push({
            system: system === 'sked' ? 'sked' : 'BullMQ',
            n,
            error: err.message.split('\n').slice(0, 6).join(' / '),
          });
        }
        httpTarget?.reset();
        await sleep(1000);
      }
    }
    printResults(stepType, rows);
  }
  console.log(
    'targets (issue 2): sked >= 20,000 fires/s sustained with p99 lateness < 25 ms on SQLite; process < 150 MB RSS (see startup-bench for 100,000 jobs)',
  );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => runCleanups());
