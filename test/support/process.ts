/**
 * Real processes for CLI and end-to-end tests: the built `sked` binary (`dist/cli/sked.js`, made by
 * `npm run build`), run as a one-shot command or as a long-lived server, plus polling helpers.
 *
 * Every process started here is tracked; `killStartedProcesses()` (call it in afterEach/afterAll)
 * SIGKILLs whatever is still alive, so a failing test never leaves a server behind.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI; SKED_TEST_BIN points the tests at another build (e.g. a patched copy while investigating). */
export const SKED_BIN = process.env['SKED_TEST_BIN'] ?? join(REPO_ROOT, 'dist', 'cli', 'sked.js');

/** Fails loudly when the binary has not been built (the tests drive the build output, not the sources). */
export function assertBuilt(): void {
  if (!existsSync(SKED_BIN))
    throw new Error(`${SKED_BIN} is missing: run 'npm run build' first (npm test does)`);
}

/** The admin key every test server and CLI call uses unless a test sets its own (SKED_API_KEY). */
export const TEST_API_KEY = 'sked_7e57ab1e_TestKeyForTheSuiteOnlyNotARealKey1';

/**
 * This process's environment without any SKED_* variable (so the caller's settings never leak in), with
 * SKED_API_KEY set to the test key, plus `extra` (undefined removes a variable).
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('SKED_')) env[key] = value;
  env['SKED_API_KEY'] = TEST_API_KEY;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

const started = new Set<ChildProcess>();

function track(child: ChildProcess): void {
  started.add(child);
  child.once('exit', () => started.delete(child));
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGKILLs every process started through this module that is still running, and waits for them. */
export async function killStartedProcesses(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of started) {
    if (!alive(child)) continue;
    waits.push(new Promise((resolve) => child.once('exit', resolve)));
    child.kill('SIGKILL');
  }
  await Promise.all(waits);
  started.clear();
}

/** True while a process with this pid exists (zombies included). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than undefined/false/null, and returns that.
 * Throws with `what` and the last value (or error) seen when `timeoutMs` passes.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

/** A TCP port that was free a moment ago (nothing listens on it once this returns). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time, ms. */
  ms: number;
}

export interface CliOptions {
  /** Added to the cleaned environment (see childEnv); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
}

/** Runs `node dist/cli/sked.js ...args` to completion. */
export function runSked(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [SKED_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `sked ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** One parsed JSON log line of the server (pino). */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [key: string]: unknown;
}

export interface ServerStartOptions {
  /** `sqlite:` file the server stores into. */
  db: string;
  nodeId?: string;
  /** More `sked server` flags, e.g. ['--misfire-threshold', 'PT2S']. */
  args?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** How long to wait for "sked is listening" (start-up on a loaded machine). */
  readyTimeoutMs?: number;
  /** `--port`; 0 (default) lets the server pick and the URL is read from its log. */
  port?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When the process exited (epoch ms). */
  at: number;
}

/** A `sked server` child process on port 0; `url` is read from its "sked is listening" log line. */
export class SkedServerProcess {
  readonly logs: LogLine[] = [];
  /** Everything the process wrote that was not a JSON log line (stderr included). */
  raw = '';
  readonly exited: Promise<ExitInfo>;
  url = '';
  /** When "sked is listening" was read (epoch ms). */
  readyAt = 0;
  private exit: ExitInfo | null = null;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: Date.now() };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === null;
  }

  static async start(options: ServerStartOptions): Promise<SkedServerProcess> {
    const args = [
      SKED_BIN,
      'server',
      '--store',
      `sqlite:${options.db}`,
      '--port',
      String(options.port ?? 0),
      '--host',
      '127.0.0.1',
    ];
    if (options.nodeId) args.push('--node-id', options.nodeId);
    args.push(...(options.args ?? []));
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? dirname(options.db),
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    const server = new SkedServerProcess(child);
    server.consume();
    try {
      const line = await server.waitForLog(
        (l) => l.msg === 'sked is listening',
        options.readyTimeoutMs ?? 30_000,
      );
      server.url = String(line['url']);
      server.readyAt = Date.now();
    } catch (err) {
      child.kill('SIGKILL');
      await server.exited;
      throw err;
    }
    return server;
  }

  private consume(): void {
    let pending = '';
    const stdout = this.child.stdout;
    stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.addLine(line);
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.raw += chunk));
  }

  private addLine(line: string): void {
    if (!line.trim()) return;
    try {
      const parsed = JSON.parse(line) as LogLine;
      if (typeof parsed === 'object' && parsed !== null && typeof parsed.msg === 'string') {
        this.logs.push(parsed);
        return;
      }
    } catch {
      // not JSON: kept as raw output
    }
    this.raw += `${line}\n`;
  }

  /** The last log lines and raw output, for failure messages. */
  tail(lines = 30): string {
    return [...this.logs.slice(-lines).map((l) => JSON.stringify(l)), this.raw.slice(-4000)].join('\n');
  }

  /** Resolves with the first log line (past or future) matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.logs.find(predicate);
        if (found) return resolve(found);
        if (this.exit)
          return reject(
            new Error(
              `sked server exited (${JSON.stringify(this.exit)}) before the expected log line\n${this.tail()}`,
            ),
          );
        if (Date.now() > deadline)
          return reject(new Error(`timed out after ${timeoutMs} ms waiting for a log line\n${this.tail()}`));
        setTimeout(check, 50);
      };
      check();
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Waits for the exit; throws when it takes longer than `timeoutMs` (the process is then SIGKILLed). */
  async waitForExit(timeoutMs = 30_000): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`sked server did not exit within ${timeoutMs} ms\n${this.tail()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<ExitInfo> {
    this.signal(signal);
    return this.waitForExit(timeoutMs);
  }
}

/** A JSON call to a server's API with the test key; throws on a non-2xx answer. */
export async function apiCall<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const auth = { authorization: `Bearer ${TEST_API_KEY}` };
  const res = await fetch(base + path, {
    method,
    headers:
      body === undefined
        ? { accept: 'application/json', ...auth }
        : { accept: 'application/json', 'content-type': 'application/json', ...auth },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
