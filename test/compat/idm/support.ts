/**
 * Helpers for the IDM surface tests: a client that authenticates as IDM clients do (X-OpenIDM-Username /
 * X-OpenIDM-Password with the test key as the password) and a local dispatch target that records the
 * `dispatch` POSTs of IDM jobs and can hold them open (so a run stays "running").
 */

import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { TEST_KEY, type TestSked } from '../../support/app-harness.js';

export type Res = LightMyRequestResponse;

export const IDM_AUTH = { 'x-openidm-username': 'openidm-admin', 'x-openidm-password': TEST_KEY };

/**
 * The test harness adds the admin key as a Bearer token to requests naming no key; IDM ignores
 * X-API-Key, so naming one keeps a request's credentials exactly as written.
 */
export const AS_WRITTEN = { 'x-api-key': 'ignored-by-idm' };

/** A client of `/openidm/...`; `version` sets Accept-API-Version (none: the server's default). */
export function idmClient(sked: () => TestSked, version?: '1.0' | '2.0') {
  const send = (
    method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res> => {
    const h: Record<string, string> = {
      ...AS_WRITTEN,
      ...IDM_AUTH,
      'content-type': 'application/json',
      ...(version ? { 'accept-api-version': `protocol=2.1,resource=${version}` } : {}),
      ...headers,
    };
    const opts: InjectOptions = { method, url, headers: h };
    if (body !== undefined) opts.payload = typeof body === 'string' ? body : JSON.stringify(body);
    return sked().app.inject(opts);
  };
  return {
    get: (url: string, headers?: Record<string, string>) => send('GET', url, undefined, headers),
    put: (url: string, body: unknown, headers?: Record<string, string>) => send('PUT', url, body, headers),
    post: (url: string, body?: unknown, headers?: Record<string, string>) => send('POST', url, body, headers),
    del: (url: string, headers?: Record<string, string>) => send('DELETE', url, undefined, headers),
    patch: (url: string, body: unknown, headers?: Record<string, string>) =>
      send('PATCH', url, body, headers),
  };
}
export type IdmClient = ReturnType<typeof idmClient>;

/** IDM's error body, exactly. */
export function expectIdmError(res: Res, code: number, reason: string, message?: RegExp | string): void {
  if (res.statusCode !== code) throw new Error(`expected ${code}, got ${res.statusCode}: ${res.body}`);
  const body = res.json() as Record<string, unknown>;
  if (Object.keys(body).sort().join(',') !== 'code,message,reason')
    throw new Error(`not IDM's error shape: ${res.body}`);
  if (body['code'] !== code || body['reason'] !== reason)
    throw new Error(`expected ${code} ${reason}: ${res.body}`);
  if (typeof body['message'] !== 'string') throw new Error(`message must be a string: ${res.body}`);
  if (
    message !== undefined &&
    !(typeof message === 'string' ? body['message'] === message : message.test(body['message']))
  ) {
    throw new Error(`message ${JSON.stringify(body['message'])} does not match ${String(message)}`);
  }
}

/** A sample schedule as IDM's documentation writes them. */
export function scriptSchedule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    persisted: true,
    type: 'cron',
    schedule: '0 0 12 1 1 ? 2099',
    misfirePolicy: 'fireAndProceed',
    invokeService: 'script',
    invokeContext: {
      script: {
        type: 'text/javascript',
        source:
          "java.lang.System.out.println('Job executing on ' + identityServer.getProperty('openidm.node.id'));",
      },
    },
    ...overrides,
  };
}

export interface DispatchTarget {
  url: string;
  /** The JSON bodies received, in order. */
  received: Record<string, any>[];
  /** Answers every held request and answers new ones at once from now on. */
  releaseAll(): void;
  close(): Promise<void>;
}

/** A local HTTP endpoint for SKED_DISPATCH_IDM_URL; `hold`: keep requests open until released. */
export async function startDispatchTarget(hold: boolean): Promise<DispatchTarget> {
  const received: Record<string, any>[] = [];
  const held: ServerResponse[] = [];
  let holding = hold;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      received.push(JSON.parse(text));
      if (holding) held.push(res);
      else res.end('done');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dispatch`,
    received,
    releaseAll() {
      holding = false;
      for (const res of held.splice(0)) res.end('released');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held.splice(0)) res.end('closing');
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The next instant after `now` that is a multiple of `periodMs` (a `0 0/N * * * ?` fire, in UTC). */
export function nextMultiple(now: number, periodMs: number): number {
  return (Math.floor(now / periodMs) + 1) * periodMs;
}
