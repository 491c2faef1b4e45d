/**
 * Helpers for the JIM surface tests: a fresh sked per test, a client that speaks as JIM's clients do
 * (X-API-Key, JSON bodies, Content-Type application/json even without a body, as the PowerShell module
 * sends), the seed's curl examples replayed with a sked key, and JIM error-body assertions.
 */

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect } from 'vitest';
import { TEST_KEY, type TestSked } from '../../support/app-harness.js';
import { skedWithSurfaces } from '../puppet/with-surfaces.js';
import { SEED_CURL, type SeedExampleName } from './seed-curl.js';

export type Res = LightMyRequestResponse;

export function useSked(flags: Record<string, unknown> = {}): () => TestSked {
  let sked: TestSked | null = null;
  beforeEach(async () => {
    sked = await skedWithSurfaces({ 'shutdown-grace': 'PT0S', ...flags });
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

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A JIM client: every request carries `X-API-Key: <key>` (TEST_KEY, an admin key, unless given). */
export function jimClient(sked: () => TestSked, key: string | null = TEST_KEY) {
  const send = (method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> => {
    const opts: InjectOptions = {
      method,
      url,
      headers: { accept: 'application/json', 'content-type': 'application/json', ...(key === null ? {} : { 'x-api-key': key }), ...headers },
    };
    if (body !== undefined) opts.payload = typeof body === 'string' ? body : JSON.stringify(body);
    // Without a key, the harness would add TEST_KEY as a bearer token: bypass it with an empty bearer.
    if (key === null && !('authorization' in headers)) (opts.headers as Record<string, string>)['authorization'] = '';
    return sked().app.inject(opts);
  };
  return {
    get: (url: string, headers?: Record<string, string>) => send('GET', url, undefined, headers),
    post: (url: string, body?: unknown, headers?: Record<string, string>) => send('POST', url, body, headers),
    put: (url: string, body?: unknown, headers?: Record<string, string>) => send('PUT', url, body, headers),
    del: (url: string, headers?: Record<string, string>) => send('DELETE', url, undefined, headers),
  };
}
export type JimClient = ReturnType<typeof jimClient>;

/** Replays a seed curl example: its path and body verbatim, its X-Api-Key header with a sked key. */
export function replay(sked: () => TestSked, name: SeedExampleName, key: string = TEST_KEY): Promise<Res> {
  const example = SEED_CURL[name];
  return sked().app.inject({
    method: 'POST',
    url: new URL(example.url).pathname,
    headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
    payload: example.body,
  });
}

/** Creates a schedule from a seed example and returns its ScheduleDetailDto. */
export async function createFromSeed(sked: () => TestSked, name: SeedExampleName): Promise<any> {
  const res = await replay(sked, name);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** A JIM error body: `{code, message, details, validationErrors, timestamp}` with this status and code. */
export function expectJimError(res: Res, status: number, code: string, ...fields: string[]): any {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'message', 'timestamp', 'validationErrors']);
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  for (const field of fields) {
    expect(body.validationErrors, `validationErrors should name ${field}: ${res.body}`).toHaveProperty([field]);
    expect(body.validationErrors[field].length).toBeGreaterThan(0);
  }
  return body;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a value; generous deadline for a loaded machine, no fixed sleeps. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Waits for an execution to reach one of JIM's terminal statuses (as Start-JIMSchedule -Wait does). */
export async function waitForExecution(jim: JimClient, executionId: string, timeoutMs = 20_000): Promise<any> {
  return waitFor(
    async () => {
      const res = await jim.get(`/api/v1/schedule-executions/${executionId}`);
      expect(res.statusCode, res.body).toBe(200);
      const e = res.json();
      return ['Complete', 'Failed', 'Cancelled'].includes(e.status) ? e : undefined;
    },
    `execution ${executionId} to finish`,
    timeoutMs,
  );
}

/** Creates an API key with a role through the native API; returns the key. */
export async function createKey(sked: () => TestSked, role: 'viewer' | 'operator' | 'admin'): Promise<string> {
  const res = await sked().app.inject({ method: 'POST', url: '/api/v1/keys', headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' }, payload: JSON.stringify({ name: `${role} key`, role }) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().key;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A .NET UTC DateTime as JIM writes it. */
export const DOTNET_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/;
