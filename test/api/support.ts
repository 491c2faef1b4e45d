/**
 * Helpers for the native API tests: a fresh sked per test (STYLE.md), a tiny client over inject(),
 * problem+json assertions, "nothing was written" snapshots and polling with generous deadlines.
 */

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect } from 'vitest';
import { testSked, type TestSked } from '../support/app-harness.js';

export type Res = LightMyRequestResponse;
type Headers = Record<string, string>;

/**
 * Flags for every test sked: no shutdown grace, so closing a sked with a run still going (a `sleep`
 * step) kills it at once instead of waiting the default 10 s.
 */
export const TEST_FLAGS = { 'shutdown-grace': 'PT0S' } as const;

/** A fresh sked for every test of the file; the returned getter gives the running test's one. */
export function useSked(flags: Record<string, unknown> = {}): () => TestSked {
  let sked: TestSked | null = null;
  beforeEach(async () => {
    sked = await testSked({ ...TEST_FLAGS, ...flags });
  });
  afterEach(async () => {
    const s = sked;
    sked = null;
    await s?.close();
  });
  return () => {
    if (!sked) throw new Error('no sked: useSked() hooks did not run');
    return sked;
  };
}

/** A small client over `app.inject()`; bodies are sent as JSON unless a string is given. */
export function client(sked: () => TestSked) {
  const send = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Headers = {},
  ): Promise<Res> => {
    const opts: InjectOptions = { method, url, headers };
    if (body !== undefined) {
      if (typeof body === 'string') opts.payload = body;
      else {
        opts.payload = JSON.stringify(body);
        opts.headers = { 'content-type': 'application/json', ...headers };
      }
    }
    return sked().app.inject(opts);
  };
  return {
    get: (url: string, headers?: Headers) => send('GET', url, undefined, headers),
    post: (url: string, body?: unknown, headers?: Headers) => send('POST', url, body, headers),
    put: (url: string, body?: unknown, headers?: Headers) => send('PUT', url, body, headers),
    patch: (url: string, body?: unknown, headers?: Headers) => send('PATCH', url, body, headers),
    del: (url: string, headers?: Headers) => send('DELETE', url, undefined, headers),
    raw: (opts: InjectOptions) => sked().app.inject(opts),
  };
}
export type Client = ReturnType<typeof client>;

/** A minimal valid job body (manual schedule: nothing fires on its own). */
export function jobBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'a job', schedule: { type: 'manual' }, ...overrides };
}

/** Tomorrow, as an RFC 3339 instant: a `startAt` that keeps a frequent schedule from firing during a test. */
export const TOMORROW = new Date(Date.now() + 86_400_000).toISOString();

/** A daily cron job body: it has a next fire, but not during a test. */
export function cronJobBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'a cron job', schedule: { type: 'cron', expression: '0 0 1 1 *' }, ...overrides };
}

/** Creates (PUT) a job and returns its JSON. */
export async function putJob(
  api: Client,
  id: string,
  body: Record<string, unknown> = jobBody(),
): Promise<any> {
  const res = await api.put(`/api/v1/jobs/${id}`, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** A problem+json answer with this status and registry code; `pointers` must each appear in errors[]. */
export function expectProblem(res: Res, status: number, code: string, ...pointers: string[]): any {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({
    status,
    code,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  for (const pointer of pointers) {
    expect(body.errors, `errors[] should name ${pointer}: ${res.body}`).toEqual(
      expect.arrayContaining([expect.objectContaining({ pointer })]),
    );
  }
  if (body.errors !== undefined) {
    for (const e of body.errors)
      expect(e).toEqual({ pointer: expect.any(String), message: expect.any(String) });
  }
  return body;
}

/** A 400 VALIDATION_ERROR naming every pointer given. */
export function expectInvalid(res: Res, ...pointers: string[]): any {
  return expectProblem(res, 400, 'VALIDATION_ERROR', ...pointers);
}

/** What the store holds, as seen through the API: job ids with versions, and collections. */
export interface Snapshot {
  total: number;
  versions: Record<string, number>;
  collections: string[];
}

export async function snapshot(api: Client): Promise<Snapshot> {
  const list = await api.get('/api/v1/jobs?limit=1000');
  expect(list.statusCode, list.body).toBe(200);
  const body = list.json();
  const versions: Record<string, number> = {};
  for (const j of body.items) versions[j.id] = j.version;
  const colls = await api.get('/api/v1/collections');
  expect(colls.statusCode, colls.body).toBe(200);
  return {
    total: body.pagination.total,
    versions,
    collections: colls
      .json()
      .items.map((c: { name: string }) => c.name)
      .sort(),
  };
}

/** Nothing was written since `before`: same jobs at the same versions, same collections. */
export async function expectUnchanged(api: Client, before: Snapshot): Promise<void> {
  expect(await snapshot(api)).toEqual(before);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined; generous deadline, no fixed sleeps. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Waits until the run's status is one of `statuses`; returns the run. */
export async function waitForRun(
  api: Client,
  runId: string,
  statuses: string[],
  timeoutMs = 20_000,
): Promise<any> {
  let last = '';
  return waitFor(
    async () => {
      const res = await api.get(`/api/v1/runs/${runId}`);
      if (res.statusCode !== 200) throw new Error(`GET run ${runId}: ${res.statusCode} ${res.body}`);
      const run = res.json();
      last = run.status;
      return statuses.includes(run.status) ? run : undefined;
    },
    `run ${runId} to become ${statuses.join('|')} (last: ${last || 'none'})`,
    timeoutMs,
  );
}

export const FINISHED = ['succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted'];

/** Triggers a job and returns the run id. */
export async function trigger(api: Client, jobId: string, payload?: unknown): Promise<string> {
  const res = await api.post(`/api/v1/jobs/${jobId}/trigger`, payload === undefined ? {} : { payload });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().runId;
}

/** A manual job whose one exec step sleeps (for running and queued runs). */
export function sleeperBody(seconds = 30, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return jobBody({
    name: 'sleeper',
    steps: [{ stepIndex: 0, type: 'exec', command: 'sleep', args: [String(seconds)] }],
    ...overrides,
  });
}

/** Seeded PRNG (mulberry32): the fuzz is random but repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
