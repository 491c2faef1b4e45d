/**
 * Shared helpers for the benchmarks: the machine header, tables, percentiles, /proc readings, child
 * processes of the sked server, temp folders and clean-up. Plain ESM, no build step.
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(BENCH_DIR, '..');
export const SKED_BIN = join(REPO_DIR, 'dist', 'cli', 'sked.js');

// --- header and tables ----------------------------------------------------------------------------

export function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    /* not Linux */
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** The lines every benchmark prints first: what ran, where, and how busy the machine was. */
export function printHeader(title) {
  const cmd = [
    'node',
    ...process.execArgv,
    ...process.argv.slice(1).map((a) => a.replace(REPO_DIR + '/', '')),
  ].join(' ');
  console.log(`# ${title}`);
  console.log(`command : ${cmd}   (cwd ${process.cwd()})`);
  console.log(
    `machine : ${cpuModel()}, ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `node    : ${process.version} (${process.platform}-${process.arch}), started ${new Date().toISOString()}`,
  );
  console.log('');
}

/**
 * Prints rows as an aligned table. `columns`: [{ key, title, align? ('l'|'r'), format?(value,row) }].
 */
export function printTable(columns, rows) {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const v = row[c.key];
      return c.format ? c.format(v, row) : v === undefined || v === null ? '' : String(v);
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i].length)));
  const line = (values) =>
    values
      .map((v, i) => (columns[i].align === 'l' ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(line(columns.map((c) => c.title)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) console.log(line(r));
}

/** 1234567 → "1,234,567"; null → "—". */
export function fmtInt(v) {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US');
}

export function fmtNum(v, digits = 1) {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);
}

// --- statistics -----------------------------------------------------------------------------------

/** Nearest-rank percentile of an ascending-sorted numeric array (p in 0..100); null when empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50/p99/max of a list of numbers (copied into a Float64Array and sorted). */
export function summarize(values) {
  const a = Float64Array.from(values).sort();
  return {
    count: a.length,
    p50: percentile(a, 50),
    p99: percentile(a, 99),
    max: a.length ? a[a.length - 1] : null,
  };
}

// --- /proc ----------------------------------------------------------------------------------------

/** Resident set size of a process in MB (VmRSS), or null when it is gone. */
export function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) of a process in seconds, or null. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (0-based after the command name), in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; reports peak and last. */
export function sampleRss(pid, everyMs = 500) {
  const samples = [];
  const take = () => {
    const v = rssMB(pid);
    if (v !== null) samples.push(v);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return {
        peak: samples.length ? Math.max(...samples) : null,
        last: samples.length ? samples[samples.length - 1] : null,
        samples: samples.length,
      };
    },
  };
}

// --- time -----------------------------------------------------------------------------------------

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sleeps until the epoch-ms instant `at`. */
export async function sleepUntil(at) {
  for (;;) {
    const d = at - Date.now();
    if (d <= 0) return;
    await sleep(Math.min(d, 1000));
  }
}

// --- processes and temp files ---------------------------------------------------------------------

const cleanups = [];
let cleaning = false;

/** Registers a clean-up step run at exit (also on SIGINT/SIGTERM and uncaught errors), last first. */
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export async function runCleanups() {
  if (cleaning) return;
  cleaning = true;
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (err) {
      console.error(`clean-up failed: ${err?.message ?? err}`);
    }
  }
  cleaning = false;
}

function syncCleanupsOnExit() {
  // Last resort on process exit: kill children synchronously (async steps cannot run here).
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

const liveChildren = new Set();
const tempDirs = new Set();
process.on('exit', syncCleanupsOnExit);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n${sig}: cleaning up`);
    void runCleanups().finally(() => process.exit(130));
  });
}

/** A fresh temp folder removed at exit. */
export function makeTempDir(prefix = 'sked-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  onCleanup(() => {
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  });
  return dir;
}

/** Removes a folder made by makeTempDir now (it would be removed at exit anyway). */
export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Spawns a child that is killed at exit; `child.exited` resolves with its exit code and signal. */
export function spawnTracked(cmd, args, options = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  liveChildren.add(child);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    }),
  );
  child.exited = exited;
  return child;
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const result = await child.exited;
  clearTimeout(timer);
  return result;
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; resolves with the epoch ms of that answer. */
export async function waitForOk(url, { timeoutMs = 30_000, everyMs = 20, child = null } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    try {
      const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000, reset: true });
      await res.body.dump();
      if (res.statusCode === 200) return Date.now();
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/**
 * Starts `sked server` as a child process; resolves once /readyz answers 200. The store is the SQLite
 * file `dbPath` (the default), or any store URL given as `store` (e.g. `postgres://…?schema=NAME`; give
 * such a node a `dataDir` of its own, else it writes ./sked-data in the repository). `apiKey` (default:
 * a random one) is the admin key installed at start-up: nodes of one cluster share theirs.
 * Returns { child, url, pid, spawnedAt, readyAt, command, apiKey, auth (headers), stderrTail(), inspectorUrl()
 * (with --inspect) }.
 */
export async function startSkedServer({
  dbPath,
  store = null,
  dataDir = null,
  apiKey = `bench_${randomBytes(16).toString('hex')}`,
  concurrency = 256,
  logLevel = 'warn',
  nodeArgs = [],
  env = {},
  readyTimeoutMs = 60_000,
  extraArgs = [],
}) {
  const port = await freePort();
  const args = [
    ...nodeArgs,
    SKED_BIN,
    'server',
    '--store',
    store ?? `sqlite:${dbPath}`,
    ...(dataDir ? ['--data-dir', dataDir] : []),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--concurrency',
    String(concurrency),
    '--log-level',
    logLevel,
    ...extraArgs,
  ];
  // An admin key of our own, installed by the server at start-up (SKED_API_KEY): the API requires one.
  const spawnedAt = Date.now();
  const child = spawnTracked(process.execPath, args, {
    cwd: REPO_DIR,
    // The bench is a bulk client: lift the per-key rate limit (an env var, ignored by builds without it).
    env: { ...process.env, SKED_API_KEY: apiKey, SKED_RATE_LIMIT: '1000000', ...env },
  });
  let tail = '';
  let inspectorUrl = null;
  const keep = (chunk) => {
    tail = (tail + chunk.toString()).slice(-4000);
    inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(tail)?.[1] ?? null;
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  try {
    const readyAt = await waitForOk(`${url}/readyz`, { timeoutMs: readyTimeoutMs, everyMs: 10, child });
    return {
      child,
      url,
      pid: child.pid,
      spawnedAt,
      readyAt,
      command: `node ${args.join(' ').replace(REPO_DIR + '/', '')}`,
      apiKey,
      /** Headers for /api/ requests. */
      auth: { authorization: `Bearer ${apiKey}` },
      stderrTail: () => tail,
      inspectorUrl: () => inspectorUrl,
    };
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n--- server output ---\n${tail}`);
  }
}

/** Runs `fn(i)` for i in [0, n) with at most `limit` in flight; resolves when all are done. */
export async function mapLimit(n, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/** Parses `--key=value` / `--flag` arguments into an object (values as strings). */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) out[m[1]] = m[2] ?? 'true';
  }
  return out;
}

/** A comma-separated list of integers (`1000,5000`), or the default. */
export function intList(text, fallback) {
  if (text === undefined) return fallback;
  return String(text)
    .split(',')
    .map((s) => Number(s.trim().replace(/_/g, '')))
    .filter((n) => Number.isFinite(n) && n > 0);
}
