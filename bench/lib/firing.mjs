/**
 * What the firing benchmarks (fire-bench, cluster-bench) share: creating N jobs so that none fires
 * before all exist, the measurement window after them, reading CPU and RSS of processes over the
 * window, and the BullMQ side (job schedulers on the local Redis, Worker processes running
 * lib/bullmq-worker.mjs).
 */

import { createServer } from 'node:http';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Column } from './column.mjs';
import {
  BENCH_DIR,
  cpuSeconds,
  fmtNum,
  mapLimit,
  onCleanup,
  sampleRss,
  sleep,
  sleepUntil,
  spawnTracked,
  stopChild,
  summarize,
} from './common.mjs';

/** Job i's phase in ms past the second: 0 when aligned, i·1000/n when spread. */
export function phaseOf(i, n, spread) {
  return spread ? Math.floor((i * 1000) / n) : 0;
}

/**
 * The sked job i of n as the benchmarks create it: firing every second from `startAt` (ms), on the
 * boundary (`* * * * * ?`) or, with `spread`, at its own phase (an `interval` PT1S); a noop step, or an
 * http step calling `targetUrl` with its nominal instant and job id. Overlap is allowed.
 */
export function skedJob(i, n, { stepType, startAt, targetUrl, spread }) {
  const step =
    stepType === 'http'
      ? {
          stepIndex: 0,
          type: 'http',
          request: { method: 'GET', url: `${targetUrl}?s={{scheduledFor}}&j={{jobId}}` },
        }
      : { stepIndex: 0, type: 'noop' };
  return {
    name: `bench ${i}`,
    schedule: spread
      ? { type: 'interval', every: 'PT1S', startAt: new Date(startAt + phaseOf(i, n, true)).toISOString() }
      : {
          type: 'cron',
          expression: '* * * * * ?',
          timeZone: 'UTC',
          startAt: new Date(startAt).toISOString(),
        },
    steps: [step],
    overlap: 'allow',
  };
}

/**
 * Creates n jobs so that none fires before all exist: a calibration batch (created with a start a day
 * away, then removed) measures the creation rate, the real jobs then all start at the first second
 * boundary after their expected creation time × 1.5 + 3 s. Creation stops at `createTimeoutS`.
 * `create(i, startAt, id)` makes one, `remove(id)` deletes a calibration one.
 */
export async function createAll(n, parallel, create, remove, { createTimeoutS = 180 } = {}) {
  const k = Math.min(200, Math.max(20, Math.floor(n / 20)));
  const far = Date.now() + 86_400_000;
  const k0 = Date.now();
  await mapLimit(k, parallel, (i) => create(i, far, `calib-${i}`));
  const perJobMs = Math.max(0.05, (Date.now() - k0) / k);
  await mapLimit(k, parallel, (i) => remove(`calib-${i}`));
  const t0 = Math.ceil((Date.now() + n * perJobMs * 1.5 + 3000) / 1000) * 1000;
  const c0 = Date.now();
  const deadline = c0 + createTimeoutS * 1000;
  let created = 0;
  await mapLimit(n, parallel, async (i) => {
    if (Date.now() > deadline) return;
    await create(i, t0, `bench-${i}`);
    created++;
  });
  const createdAt = Date.now();
  return { t0, created, createMs: createdAt - c0, createdAt, overrunMs: Math.max(0, createdAt - t0) };
}

/** Firing starts at `t0` (or the next boundary after creation, if later); then warm-up, then window. */
export function windowAfter(t0, createdAt, warmupS, windowS) {
  const firing = Math.max(t0, Math.ceil(createdAt / 1000) * 1000);
  const w0 = firing + warmupS * 1000;
  return { firing, w0, w1: w0 + windowS * 1000 };
}

export function creationNote(c, n, createTimeoutS = 180) {
  const parts = [];
  if (c.created < n) parts.push(`ONLY ${c.created} of ${n} jobs created within ${createTimeoutS} s`);
  if (c.overrunMs > 0)
    parts.push(
      `creation overran the planned first fire by ${fmtNum(c.overrunMs / 1000, 1)} s (jobs were already firing)`,
    );
  return parts.join('; ');
}

/**
 * Sleeps until w0, then reads the CPU time and samples the RSS of `pids` until w1. Returns the peak RSS
 * of pids[0] and the summed CPU % (`rssPeak`, `cpuPct`, as fire-bench prints them), and per process
 * `perPid: [{ pid, cpuPct, rssPeak }]`.
 */
export async function measureWindow(pids, w0, w1) {
  await sleepUntil(w0);
  const cpu0 = pids.map((p) => cpuSeconds(p));
  const samplers = pids.map((p) => sampleRss(p, 500));
  await sleepUntil(w1);
  const rss = samplers.map((s) => s.stop());
  const cpu1 = pids.map((p) => cpuSeconds(p));
  const seconds = (w1 - w0) / 1000;
  const perPid = pids.map((pid, i) => ({
    pid,
    cpuPct: cpu0[i] === null || cpu1[i] === null ? null : ((cpu1[i] - cpu0[i]) / seconds) * 100,
    rssPeak: rss[i].peak,
  }));
  return {
    rssPeak: perPid[0]?.rssPeak ?? null,
    cpuPct: perPid.reduce((s, p) => (p.cpuPct === null ? s : s + p.cpuPct), 0),
    perPid,
  };
}

// --- the local HTTP target ------------------------------------------------------------------------

/**
 * A tiny node:http server that http steps of both systems call (`GET <url>?s=<nominal>&j=<job>`, the
 * nominal instant as epoch ms or ISO): it records arrival − nominal on this process's clock.
 * Returns { server, url, lateness(w0, w1) (summary of the arrivals in [w0, w1)), reset() }; closed at exit.
 */
export async function startHttpTarget() {
  const arrivals = new Column();
  const arrivalLate = new Column();
  const server = createServer((req, res) => {
    const now = Date.now();
    const q = req.url.indexOf('s=');
    if (q >= 0) {
      const raw = decodeURIComponent(req.url.slice(q + 2).split('&')[0]);
      const nominal = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
      if (Number.isFinite(nominal)) {
        arrivals.push(now);
        arrivalLate.push(now - nominal);
      }
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  );
  return {
    server,
    url: `http://127.0.0.1:${server.address().port}/hit`,
    lateness(w0, w1) {
      const late = [];
      for (let i = 0; i < arrivals.length; i++)
        if (arrivals.data[i] >= w0 && arrivals.data[i] < w1) late.push(arrivalLate.data[i]);
      return summarize(late);
    },
    reset() {
      arrivals.reset();
      arrivalLate.reset();
    },
  };
}

// --- BullMQ ---------------------------------------------------------------------------------------

export async function redisPid(redis) {
  const info = await redis.info('server');
  const m = /process_id:(\d+)/.exec(info);
  return m ? Number(m[1]) : null;
}

/**
 * One BullMQ run: N job schedulers (`every: 1000`, `startDate` = the planned first boundary, plus the
 * job's phase when spread) on a flushed Redis db, `workers` Worker processes (each with
 * `concurrency`), a window of start lateness (processor start − nominal) and end lateness. CPU is the
 * workers' plus the Redis server's (its Lua scripts do the work); RSS is the first worker's peak.
 * `duplicates`: job ids (`repeat:<scheduler>:<millis>`) processed more than once over the whole run.
 */
export async function runBullmq({
  n,
  stepType = 'noop',
  targetUrl = null,
  redis: redisConfig,
  concurrency,
  workers = 1,
  spread = false,
  warmupS,
  windowS,
  createTimeoutS = 180,
  createParallel = 64,
  queueName = `fire-bench-${stepType}-${n}`,
  countDuplicates = false,
}) {
  const redis = new IORedis({ ...redisConfig, maxRetriesPerRequest: null });
  await redis.flushdb();
  const procs = [];
  let workerErr = '';
  const messages = [];
  const waiters = [];
  for (let w = 0; w < workers; w++) {
    const worker = spawnTracked(process.execPath, [join(BENCH_DIR, 'lib', 'bullmq-worker.mjs')], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      env: {
        ...process.env,
        BENCH_CONFIG: JSON.stringify({
          queue: queueName,
          redis: redisConfig,
          concurrency,
          mode: stepType,
          target: targetUrl,
        }),
      },
    });
    worker.stderr.on('data', (c) => {
      workerErr = (workerErr + c.toString()).slice(-2000);
    });
    worker.on('message', (m) => {
      const i = waiters.findIndex((x) => x.type === m.type && x.worker === w);
      if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
      else messages.push({ ...m, worker: w });
    });
    procs.push(worker);
  }
  const waitMessage = (w, type, timeoutMs) =>
    new Promise((resolve, reject) => {
      const i = messages.findIndex((m) => m.type === type && m.worker === w);
      if (i >= 0) return resolve(messages.splice(i, 1)[0]);
      const timer = setTimeout(
        () => reject(new Error(`BullMQ worker ${w}: no '${type}' within ${timeoutMs} ms ${workerErr}`)),
        timeoutMs,
      );
      waiters.push({
        type,
        worker: w,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  const queue = new Queue(queueName, { connection: { ...redisConfig, maxRetriesPerRequest: null } });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const worker of procs) if (worker.connected) worker.send({ cmd: 'stop' });
    await queue.close().catch(() => undefined);
    await Promise.all(procs.map((worker) => stopChild(worker, 5000)));
    await redis.flushdb().catch(() => undefined);
    redis.disconnect();
  };
  const unregister = onCleanup(cleanup);
  try {
    await Promise.all(procs.map((_, w) => waitMessage(w, 'ready', 30_000)));
    const c = await createAll(
      n,
      createParallel,
      // The phase goes into startDate: BullMQ 5's `offset` option does not delay an `every` scheduler's
      // jobs (its scripts compute delay = nextMillis − now), so with it the jobs all ran on the second
      // boundary. The job id's nextMillis is then the nominal instant itself.
      (i, startAt, id) =>
        queue.upsertJobScheduler(
          id,
          { every: 1000, startDate: startAt + phaseOf(i, n, spread) },
          { name: 'tick', data: {} },
        ),
      (id) => queue.removeJobScheduler(id),
      { createTimeoutS },
    );
    const { firing, w0, w1 } = windowAfter(c.t0, c.createdAt, warmupS, windowS);
    const rpid = await redisPid(redis);
    const usage = await measureWindow([...procs.map((p) => p.pid), ...(rpid ? [rpid] : [])], w0, w1);
    const redisMem = /used_memory:(\d+)/.exec(await redis.info('memory'))?.[1];
    await sleep(2000);
    const got = await Promise.all(
      procs.map((worker, w) => {
        worker.send({ cmd: 'collect', w0, w1, ids: countDuplicates });
        return waitMessage(w, 'collected', 60_000);
      }),
    );
    let duplicates = null;
    if (countDuplicates) {
      const seen = new Set();
      duplicates = 0;
      for (const g of got)
        for (const id of g.ids ?? []) {
          if (seen.has(id)) duplicates++;
          else seen.add(id);
        }
    }
    const startLate = got.flatMap((g) => g.startLate);
    return {
      system: 'BullMQ',
      n,
      created: c.created,
      createMs: c.createMs,
      creationNote: creationNote(c, n, createTimeoutS),
      firingFrom: firing,
      w0,
      w1,
      ...usage,
      workerCpu: usage.perPid.slice(0, workers).map((p) => p.cpuPct),
      workerRss: usage.perPid.slice(0, workers).map((p) => p.rssPeak),
      redisCpu: rpid ? usage.perPid[workers].cpuPct : null,
      started: startLate.length,
      start: summarize(startLate),
      end: summarize(got.flatMap((g) => g.endLate)),
      dueStartedBy: got.reduce((s, g) => s + g.dueStartedBy, 0),
      due: c.created * ((w1 - w0) / 1000),
      duplicates,
      notes: `redis used_memory ${redisMem ? fmtNum(Number(redisMem) / 1048576, 0) : '?'} MB${rpid ? '' : ' (redis pid unknown: CPU is the workers only)'}; failures ${got.reduce((s, g) => s + g.failures, 0)}`,
    };
  } finally {
    await cleanup();
    unregister();
  }
}
