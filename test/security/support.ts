/**
 * Helpers for the security suite: a sked whose requests go exactly as given (no key is added), keys
 * of every kind made through the API, the route table read from the app itself, a local echo server,
 * and problem+json checks.
 *
 * The route table comes from Fastify's own `onRoute` hook, installed by wrapping the Fastify factory
 * (see route-recorder.ts for why and how): every test file that calls `registeredRoutes` needs the one
 * `vi.mock('fastify', ...)` line shown there.
 */

import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.js';
import type { ServerOptions } from '../../src/server.js';
import { TEST_KEY, testSked, type TestSked } from '../support/app-harness.js';
import { recordedRoutes } from './route-recorder.js';

export { TEST_KEY } from '../support/app-harness.js';
export type Res = LightMyRequestResponse;
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A sked with TEST_KEY as its admin key, given explicitly, so `inject` sends requests exactly as
 * built (a request without a key really has none). No shutdown grace: closing kills running steps.
 */
export function securitySked(
  flags: Record<string, unknown> = {},
  options: ServerOptions = {},
): Promise<TestSked> {
  return testSked({ 'api-key': TEST_KEY, 'shutdown-grace': 'PT0S', ...flags }, options);
}

/** Headers that present `key` as a bearer token (or nothing for null). */
export const bearer = (key: string | null): Record<string, string> =>
  key === null ? {} : { authorization: `Bearer ${key}` };

/** A JSON client over inject() that authenticates with `key` (null: no key at all). */
export function clientFor(sked: () => { app: FastifyInstance }, key: string | null) {
  const send = (
    method: Method,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
    remoteAddress?: string,
  ): Promise<Res> => {
    const opts: InjectOptions = { method, url, headers: { ...bearer(key), ...headers } };
    if (remoteAddress !== undefined) opts.remoteAddress = remoteAddress;
    if (body !== undefined) {
      opts.payload = typeof body === 'string' ? body : JSON.stringify(body);
      opts.headers = { 'content-type': 'application/json', ...opts.headers };
    }
    return sked().app.inject(opts);
  };
  return {
    send,
    get: (url: string, headers?: Record<string, string>) => send('GET', url, undefined, headers),
    post: (url: string, body?: unknown, headers?: Record<string, string>) => send('POST', url, body, headers),
    put: (url: string, body?: unknown, headers?: Record<string, string>) => send('PUT', url, body, headers),
    patch: (url: string, body?: unknown, headers?: Record<string, string>) =>
      send('PATCH', url, body, headers),
    del: (url: string, headers?: Record<string, string>) => send('DELETE', url, undefined, headers),
  };
}
export type Client = ReturnType<typeof clientFor>;

export interface CreatedKey {
  key: string;
  id: string;
  role: string;
}

/** Creates an API key through the API (with `admin`), expecting 201. */
export async function createKey(
  admin: Client,
  role: 'admin' | 'operator' | 'viewer',
  extra: Record<string, unknown> = {},
): Promise<CreatedKey> {
  const res = await admin.post('/api/v1/keys', { name: `${role} key`, role, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  expect(body.key).toMatch(/^sked_[0-9a-f]{8}_[A-Za-z0-9]{32}$/);
  return { key: body.key, id: body.id, role };
}

/** Revokes a key through the API, expecting 200. */
export async function revokeKey(admin: Client, id: string): Promise<void> {
  const res = await admin.del(`/api/v1/keys/${id}`);
  expect(res.statusCode, res.body).toBe(200);
}

/** The id under which the server stores TEST_KEY (it is not in the sked_<8hex>_<32> format). */
export async function keyIdOfTestKey(admin: Client): Promise<string> {
  const res = await admin.get('/api/v1/keys?limit=1000');
  expect(res.statusCode, res.body).toBe(200);
  const mine = res.json().items.find((k: { name: string }) => k.name === 'SKED_API_KEY');
  expect(mine, res.body).toBeDefined();
  return mine.id as string;
}

export interface RouteInfo {
  method: Method;
  /** The path as registered, e.g. `/api/v1/jobs/:id`. */
  url: string;
}

export const routeKey = (r: RouteInfo): string => `${r.method} ${r.url}`;

/** Every route the app serves, as Fastify registered them (see route-recorder.ts). */
export function registeredRoutes(app: FastifyInstance): RouteInfo[] {
  const recorded = recordedRoutes(app);
  if (!recorded)
    throw new Error("no route table: this test file needs vi.mock('fastify', ...) from route-recorder.ts");
  const seen = new Set<string>();
  const out: RouteInfo[] = [];
  for (const r of recorded) {
    const route = { method: r.method as Method, url: r.url };
    if (seen.has(routeKey(route))) continue;
    seen.add(routeKey(route));
    out.push(route);
  }
  // A table that lost its API routes would make every generated test vacuous.
  expect(out.filter((r) => r.url.startsWith('/api/')).length).toBeGreaterThan(20);
  return out.sort((a, b) => routeKey(a).localeCompare(routeKey(b)));
}

/**
 * Compatibility surfaces that live under /api (JIM's /api/v1/schedules and /schedule-executions): the
 * native hook authenticates them, but they answer in their own error shape, not problem+json.
 */
export const JIM_ROUTE = /^\/api\/v1\/(schedules|schedule-executions)(\/|$)/;

/** The native API's routes (compatibility surfaces under /api included). */
export const apiRoutes = (app: FastifyInstance): RouteInfo[] =>
  registeredRoutes(app).filter((r) => r.url.startsWith('/api/'));

/** `/api/v1/jobs/:id/runs` with `{ id: 'x' }` → `/api/v1/jobs/x/runs` (values percent-encoded). */
export function fillPath(url: string, params: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)|\*/g, (whole: string, name: string | undefined) => {
    if (whole === '*') return params['*'] ?? 'anything';
    const v = params[name as string];
    if (v === undefined) throw new Error(`no value for :${name} in ${url}`);
    return v;
  });
}

/** A problem+json answer with this status and a registry code matching it. */
export function expectProblem(res: Res, status: number, code?: string, what = ''): any {
  const label = `${what} → ${res.statusCode} ${res.body.slice(0, 400)}`;
  expect(res.statusCode, label).toBe(status);
  return expectProblemShape(res, label, code);
}

/** Any error answer: problem+json whose `status` is the HTTP status and whose code is in the registry. */
export function expectProblemShape(res: Res, label: string, code?: string): any {
  expect(res.headers['content-type'], label).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(Object.keys(ERROR_CODES), label).toContain(body.code);
  expect(body.status, label).toBe(res.statusCode);
  expect(ERROR_CODES[body.code as keyof typeof ERROR_CODES].status, label).toBe(res.statusCode);
  expect(
    typeof body.title === 'string' && typeof body.detail === 'string' && typeof body.type === 'string',
    label,
  ).toBe(true);
  if (code !== undefined) expect(body.code, label).toBe(code);
  return body;
}

/** A local HTTP server that records every request and answers with its headers as JSON. */
export interface EchoServer {
  url: string;
  port: number;
  requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

export async function startEchoServer(
  handler?: (req: { url: string }, res: ServerResponse) => boolean,
): Promise<EchoServer> {
  const requests: EchoServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (handler?.({ url: req.url ?? '' }, res)) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null, headers: req.headers }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Fields a job has when read that are not part of its definition (to write a read job back). */
export function definitionOf(job: Record<string, unknown>): Record<string, unknown> {
  const { state: _s, pause: _p, status: _st, version: _v, createdAt: _c, updatedAt: _u, ...definition } = job;
  return definition;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns something other than undefined (generous deadline, no fixed sleeps). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export const FINISHED = ['succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted'];

/** Waits for a run to finish and returns it (with its steps' output). */
export function waitForRunEnd(api: Client, runId: string): Promise<any> {
  return waitFor(`run ${runId} to finish`, async () => {
    const res = await api.get(`/api/v1/runs/${runId}`);
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json();
    return FINISHED.includes(run.status) ? run : undefined;
  });
}

/** Triggers a job (expecting 202) and returns the run id. */
export async function triggerJob(api: Client, jobId: string): Promise<string> {
  const res = await api.post(`/api/v1/jobs/${encodeURIComponent(jobId)}/trigger`, {});
  expect(res.statusCode, res.body).toBe(202);
  return res.json().runId as string;
}

/** A distinct loopback address per call (to send bad keys over a real socket from many addresses). */
let loopbackCounter = 0;
export function freshLoopback(): string {
  loopbackCounter++;
  return `127.${(loopbackCounter >> 16) & 255}.${(loopbackCounter >> 8) & 255}.${loopbackCounter & 255 || 1}`;
}

/** A distinct non-loopback address per call (the failed-authentication brake counts per address). */
let addressCounter = 0;
export function freshAddress(): string {
  addressCounter++;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

/** The status and headers of an answer over a real socket, then the connection is dropped (for streams). */
export interface HeadOnly {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** What arrived of the body within a moment (a problem body, or the start of a stream). */
  body: string;
}

/**
 * Sends one request to a listening server from `localAddress` (any 127.x.y.z works on Linux, so bad
 * keys can come from many addresses) and resolves once the status line and a first chunk have come.
 */
export function requestHead(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  localAddress = '127.0.0.1',
  timeoutMs = 10_000,
): Promise<HeadOnly> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = httpRequest(`${base}${path}`, { method, headers, localAddress }, (res) => {
      let body = '';
      const done = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        res.destroy();
        req.destroy();
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body });
      };
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        setTimeout(done, 50);
      });
      res.on('end', done);
      // A stream that sends nothing at first (or a HEAD answer) still has its status.
      setTimeout(done, 300);
    });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}
