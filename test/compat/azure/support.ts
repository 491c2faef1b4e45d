/** Helpers for the Azure Scheduler surface tests: classic and ARM clients over inject(), a local HTTP target. */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestSked } from '../../support/app-harness.js';
import { TEST_KEY } from '../../support/app-harness.js';

export type Res = LightMyRequestResponse;
type Headers = Record<string, string>;

export const SUB = 'f8b1c2d3-0000-4000-8000-000000000001';
export const CLASSIC = `/${SUB}/cloudservices/cs-west/resources/scheduler/~/jobcollections`;
export const ARM_RG = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Scheduler/jobCollections`;
export const API = 'api-version=2016-03-01';
export const CLASSIC_API = 'api-version=2014-04-01';
export const AUTH = { authorization: `Bearer ${TEST_KEY}` };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Classic requests carry x-ms-version (as the SDK does: 2013-03-01) and the test key. */
export function classic(sked: () => TestSked) {
  const send = (method: Method, url: string, body?: unknown, headers: Headers = {}): Promise<Res> => {
    const opts: InjectOptions = { method, url, headers: { 'x-ms-version': '2013-03-01', ...AUTH, ...headers } };
    if (typeof body === 'string') {
      opts.payload = body;
      opts.headers = { 'content-type': 'application/xml', ...opts.headers };
    } else if (body !== undefined) {
      opts.payload = JSON.stringify(body);
      opts.headers = { 'content-type': 'application/json; charset=utf-8', ...opts.headers };
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

/** ARM requests carry the JSON content type on every call, as the SDK's ms-rest does. */
export function arm(sked: () => TestSked) {
  const send = (method: Method, url: string, body?: unknown, headers: Headers = {}): Promise<Res> =>
    sked().app.inject({
      method,
      url,
      headers: { 'content-type': 'application/json; charset=utf-8', ...AUTH, ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  return {
    get: (url: string, headers?: Headers) => send('GET', url, undefined, headers),
    post: (url: string, body?: unknown, headers?: Headers) => send('POST', url, body, headers),
    put: (url: string, body?: unknown, headers?: Headers) => send('PUT', url, body, headers),
    patch: (url: string, body?: unknown, headers?: Headers) => send('PATCH', url, body, headers),
    del: (url: string, headers?: Headers) => send('DELETE', url, undefined, headers),
  };
}

/** The classic job collection body of the Create Job Collection page. */
export function collectionXml(plan = 'Standard', quota = ''): string {
  return (
    '<Resource xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/windowsazure">' +
    `<IntrinsicSettings><Plan>${plan}</Plan>${quota}</IntrinsicSettings></Resource>`
  );
}

/** `<Code>` and `<Message>` of a classic XML error. */
export function classicError(res: Res): { code: string; message: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(res.body)?.[1] ?? '';
  const message = /<Message>([^<]*)<\/Message>/.exec(res.body)?.[1] ?? '';
  return { code, message };
}

export const IN_AN_HOUR = () => new Date(Date.now() + 3_600_000).toISOString();
export const TOMORROW = () => new Date(Date.now() + 86_400_000).toISOString();

export interface Target {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  /** Paths answered with 500 (every other path gets 200). */
  failing: Set<string>;
  close: () => Promise<void>;
}

/** A local HTTP server that records what reaches it. */
export async function startTarget(): Promise<Target> {
  const target: Target = { url: '', requests: [], failing: new Set(), close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      target.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const status = target.failing.has(req.url ?? '') ? 500 : 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'pong' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return target;
}
