/**
 * End-to-end: SIGTERM to a real `sked server` process.
 *
 * - A step shorter than `--shutdown-grace`: the server stops taking requests and stops firing, lets the
 *   step finish, and exits 0; a run still queued stays queued (it was never started).
 * - A step longer than the grace: its whole process tree is killed, the run becomes `interrupted`, a
 *   retry is queued per the job's policy and runs after the next start; the server exits 0.
 * In both, no `runs` row is left `running`.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fire, Run } from '../../src/domain/types.js';
import { openStore } from '../../src/store/store-factory.js';
import {
  apiCall,
  assertBuilt,
  killStartedProcesses,
  pidAlive,
  SkedServerProcess,
  waitFor,
} from '../support/process.js';

const dirs: string[] = [];
/** Step processes a test saw (pid files): killed in afterEach whatever happened. */
const stepPids: number[] = [];

beforeAll(() => assertBuilt());

afterEach(async () => {
  await killStartedProcesses();
  for (const pid of stepPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sked-e2e-term-'));
  dirs.push(dir);
  return dir;
}

async function readStore(
  db: string,
  jobIds: string[],
): Promise<{ runs: Run[]; fires: Map<string, Fire[]>; nodes: number }> {
  const store = await openStore(`sqlite:${db}`);
  try {
    const runs = (await store.listRuns({ limit: 10_000, offset: 0 })).items;
    const fires = new Map<string, Fire[]>();
    for (const id of jobIds) fires.set(id, (await store.listFires(id, { limit: 10_000, offset: 0 })).items);
    return { runs, fires, nodes: (await store.listNodes()).length };
  } finally {
    await store.close();
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

describe('SIGTERM with a step shorter than the grace period', () => {
  it('stops accepting and firing, lets the step finish, exits 0; a queued run stays queued', async () => {
    const dir = tempDir();
    const db = join(dir, 'sked.db');
    const started = join(dir, 'started');
    const done = join(dir, 'done');
    const server = await SkedServerProcess.start({
      db,
      nodeId: 'term-a',
      args: ['--shutdown-grace', 'PT20S', '--concurrency', '2', '--poll-interval', 'PT0.2S'],
    });
    const url = server.url;
    await apiCall(url, 'PUT', '/api/v1/jobs/ticker', {
      name: 'ticker',
      schedule: { type: 'cron', expression: '* * * * * ?' },
      steps: [{ stepIndex: 0, type: 'exec', command: '/bin/echo', args: ['tick'] }],
    });
    await apiCall(url, 'PUT', '/api/v1/jobs/long', {
      name: 'long',
      schedule: { type: 'manual' },
      overlap: 'allow',
      steps: [
        {
          stepIndex: 0,
          type: 'shell',
          script: `echo $$ >> '${started}'\nsleep 3\necho "$SKED_RUN_ID" >> '${done}'`,
        },
      ],
    });
    // the ticker fires (so "stops firing" below means something)
    await waitFor(
      'two ticker runs',
      async () =>
        (await apiCall(url, 'GET', '/api/v1/jobs/ticker/runs?status=succeeded')).pagination.total >= 2,
      { timeoutMs: 20_000, intervalMs: 200 },
    );

    const first = (await apiCall(url, 'POST', '/api/v1/jobs/long/trigger', {})).runId as string;
    await waitFor('the long step to start', () => existsSync(started), { timeoutMs: 20_000, intervalMs: 50 });
    stepPids.push(...readFileSync(started, 'utf8').trim().split('\n').map(Number));
    // a second run fills the pool; a third waits in the queue
    const second = (await apiCall(url, 'POST', '/api/v1/jobs/long/trigger', {})).runId as string;
    await waitFor(
      'the second long run to start',
      () => readFileSync(started, 'utf8').trim().split('\n').length >= 2,
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const third = (await apiCall(url, 'POST', '/api/v1/jobs/long/trigger', {})).runId as string;
    expect((await apiCall(url, 'GET', `/api/v1/runs/${third}`)).status).toBe('queued');

    const sigtermAt = Date.now();
    server.signal('SIGTERM');
    // the HTTP server closes at once, while the process is still waiting for the steps
    await waitFor('the API to stop answering', async () => !(await healthy(url)), {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    expect(server.running, 'the process waits for its steps').toBe(true);
    const exit = await server.waitForExit(40_000);

    expect(exit.code, server.tail()).toBe(0);
    expect(exit.signal).toBeNull();
    expect(exit.at - sigtermAt).toBeLessThan(20_000);
    // it waited for both steps: they wrote their last line before the process exited
    const finished = readFileSync(done, 'utf8').trim().split('\n');
    expect(finished.sort()).toEqual([first, second].sort());
    expect(statSync(done).mtimeMs).toBeLessThanOrEqual(exit.at);
    expect(server.logs.some((l) => l.msg === 'grace period over: interrupting running runs')).toBe(false);

    const { runs, fires, nodes } = await readStore(db, ['ticker', 'long']);
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    const byId = new Map(runs.map((r) => [r.id, r]));
    for (const id of [first, second]) {
      expect(byId.get(id)).toMatchObject({
        status: 'succeeded',
        steps: [{ status: 'succeeded', exitCode: 0 }],
      });
    }
    // never started: still queued for the next start
    expect(byId.get(third)).toMatchObject({ status: 'queued', startedAt: null, nodeId: null });
    // no fire was resolved, and no ticker run started, after the shutdown began (a little slack for
    // the instant the signal raced with)
    const tickerFires = fires.get('ticker') ?? [];
    expect(tickerFires.filter((f) => f.outcome === 'run').length).toBeGreaterThanOrEqual(2);
    const lateFires = tickerFires.filter((f) => f.firedAt !== null && f.firedAt > sigtermAt + 1000);
    expect(lateFires).toEqual([]);
    expect(runs.filter((r) => r.jobId === 'ticker' && (r.startedAt ?? 0) > sigtermAt + 1000)).toEqual([]);
    // nothing acquired beyond what the lookahead (2 s) held at the signal
    expect(Math.max(...tickerFires.map((f) => f.scheduledFor))).toBeLessThanOrEqual(sigtermAt + 2000 + 1500);
    expect(nodes).toBe(0);
  }, 90_000);
});

describe('SIGTERM with a step longer than the grace period', () => {
  it("kills the step's process tree, marks the run interrupted, exits 0; the retry runs after the next start", async () => {
    const dir = tempDir();
    const db = join(dir, 'sked.db');
    const pids = join(dir, 'pids');
    const retried = join(dir, 'retried');
    const args = ['--shutdown-grace', 'PT1S', '--poll-interval', 'PT0.2S'];
    let server = await SkedServerProcess.start({ db, nodeId: 'term-b', args });
    await apiCall(server.url, 'PUT', '/api/v1/jobs/too-long', {
      name: 'too long',
      schedule: { type: 'manual' },
      retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT1S' },
      steps: [
        {
          stepIndex: 0,
          type: 'shell',
          // attempt 1: a shell with a background child, both far longer than the grace; attempt 2: quick
          script: `if [ "$SKED_ATTEMPT" = 1 ]; then sleep 120 & echo "$$ $!" > '${pids}'; wait; else echo "$SKED_RUN_ID" > '${retried}'; fi`,
        },
      ],
    });
    const runId = (await apiCall(server.url, 'POST', '/api/v1/jobs/too-long/trigger', {})).runId as string;
    const tree = await waitFor(
      'the step tree to start',
      () =>
        existsSync(pids) &&
        readFileSync(pids, 'utf8')
          .trim()
          .split(' ')
          .map(Number)
          .filter((n) => n > 0),
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(tree).toHaveLength(2);
    stepPids.push(...tree);
    expect(tree.every(pidAlive)).toBe(true);

    const sigtermAt = Date.now();
    const exit = await server.stop('SIGTERM', 30_000);
    expect(exit.code, server.tail()).toBe(0);
    // grace (1 s) + the executor's TERM→KILL escalation (2 s) + slack for a loaded machine
    expect(exit.at - sigtermAt).toBeLessThan(12_000);
    expect(server.logs.some((l) => l.msg === 'grace period over: interrupting running runs')).toBe(true);
    // the shell and its background child are gone
    await waitFor('the step process tree to be killed', () => tree.every((pid) => !pidAlive(pid)), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });

    const after = await readStore(db, ['too-long']);
    expect(after.runs.filter((r) => r.status === 'running')).toEqual([]);
    const run = after.runs.find((r) => r.id === runId);
    expect(run).toMatchObject({ status: 'interrupted', attempt: 1 });
    expect(run?.error).toMatch(/shut down/);
    expect(run?.finishedAt as number).toBeLessThanOrEqual(exit.at);
    expect(after.nodes).toBe(0);

    // the interruption is retried per the job's policy: queued now, run by the next start
    const retry = after.runs.find((r) => r.retryOf === runId);
    expect(retry, 'a retry of the interrupted run is queued').toMatchObject({
      trigger: 'retry',
      attempt: 2,
      status: 'queued',
    });

    server = await SkedServerProcess.start({ db, nodeId: 'term-b', args });
    await waitFor('the retry to run after the restart', () => existsSync(retried), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const done = await waitFor('the retry to finish', async () => {
      const r = await apiCall(server.url, 'GET', `/api/v1/runs/${retry?.id}`);
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(readFileSync(retried, 'utf8').trim()).toBe(done.id);
    const final = await server.stop('SIGTERM', 30_000);
    expect(final.code).toBe(0);
    const last = await readStore(db, ['too-long']);
    expect(last.runs.filter((r) => r.status === 'running')).toEqual([]);
    expect(last.runs.map((r) => `${r.attempt}:${r.status}`).sort()).toEqual(['1:interrupted', '2:succeeded']);
  }, 90_000);
});
