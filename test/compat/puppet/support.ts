/**
 * Helpers for the Puppet orchestrator surface tests: a fresh sked per test, a client that authenticates as
 * Puppet's clients do (`X-Authentication: <token>`, here a sked API key), the Go client's JSON fixtures
 * and the docs' request bodies, and `{kind, msg, details}` assertions.
 */

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect } from 'vitest';
import { TEST_KEY, type TestSked } from '../../support/app-harness.js';
import { skedWithSurfaces } from './with-surfaces.js';

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

/** An orchestrator client: `X-Authentication: <token>` (TEST_KEY, an admin key, unless given; null: none). */
export function puppetClient(sked: () => TestSked, token: string | null = TEST_KEY) {
  const send = (method: Method, url: string, body?: unknown): Promise<Res> => {
    const opts: InjectOptions = { method, url, headers: { 'content-type': 'application/json', ...(token === null ? {} : { 'x-authentication': token }) } };
    if (body !== undefined) opts.payload = typeof body === 'string' ? body : JSON.stringify(body);
    return sked().app.inject(opts);
  };
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, body?: unknown) => send('POST', url, body),
    put: (url: string, body?: unknown) => send('PUT', url, body),
    del: (url: string) => send('DELETE', url),
  };
}
export type PuppetClient = ReturnType<typeof puppetClient>;

/** The native API (bearer TEST_KEY). */
export function nativeClient(sked: () => TestSked) {
  return (method: Method | 'PATCH', url: string, body?: unknown) =>
    sked().app.inject({ method, url, headers: { authorization: `Bearer ${TEST_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
}

/** An orchestrator error: `{kind, msg, details?}` with this status and kind. */
export function expectPuppetError(res: Res, status: number, kind: string): any {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(body.kind).toBe(kind);
  expect(typeof body.msg).toBe('string');
  expect(body.msg.length).toBeGreaterThan(0);
  expect(Object.keys(body).every((k) => ['kind', 'msg', 'details'].includes(k))).toBe(true);
  return body;
}

/** Creates an API key with a role through the native API; returns the key. */
export async function createKey(sked: () => TestSked, role: 'viewer' | 'operator' | 'admin'): Promise<{ key: string; id: string }> {
  const res = await nativeClient(sked)('POST', '/api/v1/keys', { name: `${role} key`, role });
  expect(res.statusCode, res.body).toBe(201);
  return { key: res.json().key, id: res.json().id };
}

/** `puppetlabs/go-pe-client` pkg/orch/testdata/apidocs/command-schedule_task-request.json (P1). */
export const GO_SCHEDULE_TASK_REQUEST = `{
  "environment" : "test-env-1",
  "task" : "package",
  "params" : {
    "action" : "install",
    "package" : "httpd"
  },
  "scope" : {
    "nodes" : ["node1.example.com"]
  },
  "scheduled_time" : "2027-05-05T19:50:08Z",
  "schedule_options": {
    "interval": {
      "units": "seconds",
      "value": 86400
    }
  }
}`;

/** The Go client's ScheduleTaskRequest as it marshals it (no interval; environment omitted when empty). */
export const GO_CLIENT_TASK = { task: 'package', params: { action: 'install', package: 'httpd' }, scope: { nodes: ['node1.example.com'] }, scheduled_time: '2027-05-05T19:50:08Z' };

/** help.puppet.com/pe/2023.8 POST /scheduled_jobs/environment_jobs request example (P3). */
export const ENVIRONMENT_JOB_EXAMPLE = `
{
  "description": "run facts plan once on node1 in my_environment",
  "input": {
    "name": "sensitive_params::scheduled_jobs_storage",
    "parameters": {
      "primary": {
        "value": "example.delivery.puppetlabs.net"
      },
      "param_one": {
        "value": "first_value"
      }
    }
  },
  "environment": "my_environment",
  "schedule": {
    "start_time": "2022-01-28T09:35:56-08:00",
    "interval": null
  },
  "userdata": {
    "snow_ticket": "INC0011211"
  },
  "type": "plan"
}
`;

/** An hour from now, as Puppet writes scheduled times. */
export const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
