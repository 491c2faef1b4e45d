/**
 * A seeded, bounded fuzz of EVERY /api route (the route table is read from the app through Fastify's
 * onRoute hook, as in the authorization matrix), with a valid admin key: malformed and hostile bodies, query strings,
 * headers (huge, duplicated, odd encodings, injection-looking values) and ids (path traversal, unicode,
 * overlong, percent garbage). Never a 5xx; every error is problem+json with a registry code (JIM's
 * routes under /api answer in JIM's own error body: JSON with a code and a message); no
 * partial write (every stored job reads back and validates, and the number of jobs is what the
 * successful creations and deletions say); the server answers normally afterwards.
 *
 * Repeatable: the seed is fixed (SKED_FUZZ_SEED overrides it) and printed with every failure.
 */

import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ValidateFunction } from 'ajv';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import type { Logger } from '../../src/domain/logger.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobInputSchema } from '../../src/api/schemas/job-schema.js';
import { validatorCompiler } from '../../src/api/validation.js';
import type { TestSked } from '../support/app-harness.js';
import { seededRandom } from '../api/support.js';
import {
  apiRoutes,
  clientFor,
  createKey,
  definitionOf,
  expectProblemShape,
  fillPath,
  JIM_ROUTE,
  requestHead,
  routeKey,
  securitySked,
  TEST_KEY,
  triggerJob,
  waitForRunEnd,
  type RouteInfo,
} from './support.js';

vi.mock('fastify', async (importOriginal) =>
  (await import('./route-recorder.js')).recordingFastify(await importOriginal()),
);

const SEED = Number(process.env['SKED_FUZZ_SEED'] || 0x5ec0_2026);
const MAX_REQUESTS = 1500;
const MAX_MS = 25_000;

/** Routes whose answer is an endless stream: fuzzed over a real socket and dropped after the status. */
const STREAMS = new Set(['GET /api/v1/events']);

let sked: TestSked;
let base: string;
const serverErrors: string[] = [];
const admin = clientFor(() => sked, TEST_KEY);

/** Real things for path parameters. */
const real = { job: 'victim', exec: 'exec-victim', run: '', collection: 'coll-victim', key: '' };

beforeAll(async () => {
  // Errors the server logs (a 5xx's cause) are kept to explain a failure.
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => void serverErrors.push(line.slice(0, 2000)) },
  ) as unknown as Logger;
  sked = await securitySked({ concurrency: 4 }, { logger });
  await sked.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(sked.app.server.address() as AddressInfo).port}`;
  expect(
    (
      await admin.put(`/api/v1/jobs/${real.job}`, {
        name: 'victim',
        schedule: { type: 'cron', expression: '0 0 1 1 *' },
        steps: [{ stepIndex: 0, type: 'noop' }],
      })
    ).statusCode,
  ).toBe(201);
  expect(
    (
      await admin.put(`/api/v1/jobs/${real.exec}`, {
        name: 'exec victim',
        schedule: { type: 'manual' },
        steps: [{ stepIndex: 0, type: 'exec', command: 'true', env: { A: { secret: 'fuzz-secret-value' } } }],
      })
    ).statusCode,
  ).toBe(201);
  expect((await admin.put(`/api/v1/collections/${real.collection}`, { description: 'c' })).statusCode).toBe(
    201,
  );
  real.run = await triggerJob(admin, real.job);
  await waitForRunEnd(admin, real.run);
  real.key = (await createKey(admin, 'viewer')).id;
});

afterAll(async () => {
  await sked?.close();
});

// prettier-ignore
const HOSTILE_STRINGS = [
  '', ' ', 'x', '\u0000', '\u0000abc', '💥', '\ud800', '\uffff', 'é', 'Ω≈ç√', '\u202e', 'a'.repeat(129), 'a'.repeat(5000),
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', '%2e%2e%2f', '%00', '%', '%zz', "' OR '1'='1", '"; DROP TABLE jobs; --',
  '<script>alert(1)</script>', '${jndi:ldap://x/a}', '{{payload}}', '{{constructor.constructor("x")()}}', '$(reboot)', '`id`',
  '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN', '-1', '1e309', '0x10', 'true', '[]', '{}',
  'PT1S', 'P', 'PT0S', 'P1M', 'P99999D', '2026-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-00-00T00:00:00Z', 'not-a-date',
  '* * * * *', '0 0 30 2 *', '0 25 * * *', '0 0 12 ? * MON#6', 'L W', 'Europe/London', 'Mars/Olympus', 'admin', 'operator',
  'cron', 'exec', 'shell', 'sql', 'noop', 'http', 'manual', 'sqlite::memory:', 'postgres://u:p@127.0.0.1:1/x', 'http://169.254.169.254/',
  'http://127.0.0.1:9/', 'file:///etc/passwd', 'javascript:alert(1)', 'name eq "x"', 'name eq', '(', ')', 'and', 'or',
  'enc:v1:', 'enc:v1:AAAA', 'enc:v1:not-base64!',
];
// prettier-ignore
const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE_STRINGS, null, true, false, 0, -1, 1.5, -0, 1e308, 2 ** 53 + 1, -(2 ** 31), 10_001, [], [1, 'a', null], {}, { a: 1 },
  { __proto__: { polluted: true } }, { constructor: { prototype: { polluted: true } } }, { secret: 'x' }, { secret: '***' }, '***',
  Array.from({ length: 300 }, (_, i) => i), Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])),
];
// prettier-ignore
const FIELDS = [
  'id', 'name', 'description', 'collection', 'labels', 'schedule', 'steps', 'onFailure', 'retry', 'overlap', 'catchUp', 'timeout',
  'enabled', 'extensions', 'type', 'expression', 'timeZone', 'every', 'at', 'stepIndex', 'command', 'args', 'env', 'request', 'url',
  'headers', 'auth', 'payload', 'reason', 'until', 'ids', 'filter', 'count', 'from', 'role', 'expiresAt', 'maxJobs', 'minInterval',
  '__proto__', 'constructor', '$where',
];

/** Valid bodies to mutate from, by route (`*` for any). */
function baseBodies(): Record<string, unknown[]> {
  const jobs = [
    {
      name: 'fuzz',
      schedule: { type: 'cron', expression: '0 0 1 1 *', timeZone: 'Europe/Paris' },
      labels: { team: 'x' },
      retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT1S' },
      steps: [
        {
          stepIndex: 0,
          type: 'exec',
          command: '/bin/true',
          args: ['a'],
          env: { K: { secret: 'v1' } },
          timeout: 'PT5S',
        },
      ],
    },
    {
      name: 'fuzz-http',
      schedule: { type: 'daily', times: ['09:00'], daysOfWeek: [1] },
      steps: [
        {
          stepIndex: 0,
          type: 'http',
          request: {
            method: 'POST',
            url: 'http://127.0.0.1:9/x',
            headers: { Authorization: 'Bearer t0k3n-fuzz', 'X-A': { secret: 's3' } },
            body: '{{payload}}',
            auth: { type: 'basic', username: 'u', password: 'p4ss' },
          },
        },
      ],
    },
    {
      name: 'fuzz-sql',
      schedule: { type: 'interval', every: 'PT1H' },
      steps: [
        { stepIndex: 0, type: 'sql', connection: 'postgres://u:pw@127.0.0.1:1/x', sql: 'select 1' },
        { stepIndex: 1, type: 'shell', script: 'true' },
      ],
      onFailure: [{ stepIndex: 0, type: 'noop' }],
    },
    {
      name: 'fuzz-window',
      collection: 'coll-victim',
      schedule: { type: 'window', every: 'PT30M', from: '09:00', to: '17:00' },
      steps: [{ stepIndex: 0, type: 'noop', delay: 'PT0S' }],
    },
    {
      name: 'fuzz-manual',
      schedule: { type: 'manual' },
      steps: [{ stepIndex: 0, type: 'noop' }],
      enabled: false,
    },
  ];
  const bulk = [{ ids: [real.job, 'ghost'] }, { filter: 'name eq "victim"', reason: 'r' }, {}];
  return {
    'POST /api/v1/jobs': jobs,
    'PUT /api/v1/jobs/:id': jobs,
    'PATCH /api/v1/jobs/:id': [
      { description: 'patched' },
      { labels: { a: 'b' } },
      { schedule: { type: 'manual' } },
      { steps: [{ stepIndex: 0, type: 'noop' }] },
    ],
    'POST /api/v1/jobs/:id/trigger': [{ payload: { a: [1, 2], s: 'x' } }, {}],
    'POST /api/v1/jobs/:id/pause': [{ reason: 'r', until: '2099-01-01T00:00:00Z' }, {}],
    'POST /api/v1/jobs/pause': bulk,
    'POST /api/v1/jobs/resume': bulk,
    'POST /api/v1/preview': [
      { schedule: { type: 'cron', expression: '0 0 * * *' }, count: 3, from: '2026-01-01T00:00:00Z' },
      { schedule: { type: 'recurrence', frequency: 'week', schedule: { weekDays: ['monday'], hours: [9] } } },
    ],
    'POST /api/v1/keys': [
      { name: 'k', role: 'viewer', expiresAt: '2099-01-01T00:00:00Z' },
      { name: 'k', role: 'operator' },
    ],
    'PUT /api/v1/collections/:name': [{ description: 'd', maxJobs: 10, minInterval: 'PT1M' }, {}],
    '*': [...jobs, { payload: 1 }, { ids: [] }, { name: 'k', role: 'admin' }],
  };
}

describe(`seeded fuzz of every API route (seed ${SEED})`, () => {
  it('never a 5xx, every error is problem+json, no partial write, and the server still serves', async () => {
    const rnd = seededRandom(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const chance = (p: number): boolean => rnd() < p;

    const routes = apiRoutes(sked.app);
    expect(routes.length).toBeGreaterThan(30);
    const bases = baseBodies();
    const basesFor = (route: RouteInfo): unknown[] =>
      (chance(0.8) ? bases[routeKey(route)] : undefined) ?? (bases['*'] as unknown[]);

    const mutate = (v: unknown, depth: number): unknown => {
      if (depth > 5 || chance(0.12)) return pick(HOSTILE_VALUES);
      if (Array.isArray(v)) {
        const out = v.map((x) => (chance(0.5) ? mutate(x, depth + 1) : x));
        if (chance(0.2)) out.push(mutate(pick(v.length ? v : HOSTILE_VALUES), depth + 1));
        if (chance(0.1)) out.splice(0, 1);
        return out;
      }
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
        for (const k of Object.keys(out)) {
          if (chance(0.1)) delete out[k];
          else if (chance(0.35)) out[k] = mutate(out[k], depth + 1);
        }
        if (chance(0.15)) out[pick(FIELDS)] = pick(HOSTILE_VALUES);
        return out;
      }
      return chance(0.5) ? pick(HOSTILE_VALUES) : v;
    };
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

    /** A body: mostly mutated JSON, sometimes broken, huge, deep, or of another media type. */
    const body = (route: RouteInfo): { payload?: string; type?: string } => {
      const r = rnd();
      const source = pick(basesFor(route));
      // Some requests go through unharmed, so the fuzz also walks the paths that write.
      const json = JSON.stringify(chance(0.2) ? source : mutate(source, 0)) ?? 'null';
      if (r < 0.6)
        return {
          payload: json,
          type: pick([
            'application/json',
            'application/json; charset=utf-8',
            'application/merge-patch+json',
            'APPLICATION/JSON',
          ]),
        };
      if (r < 0.68)
        return { payload: json.slice(0, Math.floor(rnd() * json.length)), type: 'application/json' };
      if (r < 0.72)
        return {
          payload: json,
          type: pick([
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'application/octet-stream',
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
          ]),
        };
      if (r < 0.76)
        return { payload: pick([deep(70), deep(3000), `{"a":${'['.repeat(100)}`]), type: 'application/json' };
      if (r < 0.79)
        return {
          payload: `{"name":"${'x'.repeat(pick([1000, 300_000]))}","schedule":{"type":"manual"}}`,
          type: 'application/json',
        };
      if (r < 0.84) return {};
      return {
        payload: pick([
          '',
          ' ',
          'null',
          '[]',
          '{}',
          '{"',
          '\u0000',
          '{"name":}',
          '{"__proto__":{"x":1}}',
          '{"a":1,"a":2}',
          '\ufeff{}',
          '1e999',
          '"str"',
          'NaN',
          '{"name":"\\ud800","schedule":{"type":"manual"}}',
        ]),
        type: 'application/json',
      };
    };

    /** A path parameter: a real id, or something hostile (encoded so the URL stays a URL). */
    const param = (name: string): string => {
      const reals: Record<string, string[]> = {
        id: [real.job, real.exec, real.run, real.key],
        name: [real.collection, 'default'],
      };
      if (chance(0.45)) return pick(reals[name] ?? [real.job]);
      const raw = pick([
        '..',
        '.',
        '%2e%2e',
        '..%2f..%2fetc%2fpasswd',
        '%2F',
        '%00',
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%AE',
        '%ff%fe',
        encodeURIComponent('é'),
        encodeURIComponent('💥'),
        encodeURIComponent('a b'),
        encodeURIComponent('x/y'),
        encodeURIComponent("' OR 1=1 --"),
        encodeURIComponent('<script>'),
        'a'.repeat(128),
        'a'.repeat(129),
        'z'.repeat(1024),
        'z'.repeat(1100),
        'ghost',
        'a.b_c-d',
        '__proto__',
        'constructor',
        'ext_0000000000000000',
        'sked_00000000',
        'sked_7e57ab1e',
      ]);
      return raw;
    };

    const QUERY_KEYS = [
      'limit',
      'offset',
      'state',
      'collection',
      'label',
      'q',
      'filter',
      'sort',
      'status',
      'jobId',
      'from',
      'to',
      'action',
      'targetType',
      'targetId',
      'actor',
      'types',
      'count',
      'follow',
      'zzz',
      '__proto__',
      'limit[]',
      'a.b',
    ];
    const QUERY_VALUES = [
      '99999999999999999999',
      '1',
      '0',
      '-1',
      '1000',
      '1001',
      '9007199254740993',
      'abc',
      '',
      'enabled',
      'paused',
      'team:x',
      'nocolon',
      'name',
      '-name,id',
      'bogus',
      'name eq "x"',
      'name eq',
      '(',
      'labels/team eq "x" and (',
      'steps/0/request/auth/token pr',
      '2026-01-01T00:00:00Z',
      'succeeded,failed',
      'running',
      'job.*',
      'false',
      '💥',
      'é',
      "' OR 1=1",
      'a'.repeat(5000),
    ];
    const query = (): string => {
      const parts: string[] = [];
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) {
        const key = pick(QUERY_KEYS);
        const value = pick(QUERY_VALUES);
        parts.push(
          chance(0.9)
            ? `${encodeURIComponent(key)}=${encodeURIComponent(value)}`
            : pick([
                `${key}=%`,
                `${key}=%zz`,
                `${key}`,
                `${key}=${value}&${key}=${value}`,
                '&&',
                '=x',
                `${key}=%E0%A4%A`,
              ]),
        );
      }
      return parts.length ? `?${parts.join('&')}` : '';
    };

    const headers = (): Record<string, string | string[]> => {
      const h: Record<string, string | string[]> = { authorization: `Bearer ${TEST_KEY}` };
      if (chance(0.1))
        h['if-match'] = pick([
          '"1"',
          'W/"2"',
          '*',
          'abc',
          '',
          '"999"',
          '"-1"',
          '"1", "2"',
          '"1e3"',
          '"99999999999999999999"',
        ]);
      if (chance(0.05)) h['x-huge'] = 'h'.repeat(pick([8_000, 64_000]));
      if (chance(0.05)) h['x-api-key'] = pick(['garbage', TEST_KEY, '', 'sked_00000000_' + 'x'.repeat(32)]);
      if (chance(0.04)) h['x-dup'] = ['a', 'b', 'c'];
      if (chance(0.01)) h['authorization'] = [`Bearer ${TEST_KEY}`, 'Bearer other'];
      if (chance(0.04))
        h['accept'] = pick(['application/xml', 'text/html', '*/*;q=0', '', 'application/problem+json']);
      if (chance(0.04)) h['accept-encoding'] = pick(['gzip', 'br;q=1, *;q=0', 'identity;q=0']);
      if (chance(0.04)) h['x-forwarded-for'] = pick(['10.0.0.1', '127.0.0.1, 10.0.0.1', "' OR 1=1"]);
      if (chance(0.03)) h['x-http-method-override'] = pick(['DELETE', 'PUT']);
      if (chance(0.03)) h['last-event-id'] = pick(['1', '-1', 'abc', '99999999999999999999']);
      if (chance(0.03))
        h['x-odd'] = pick(['\u00e9\u00e8', 'tab\there', '${jndi:ldap://x}', '() { :; }; echo pwned']);
      return h;
    };

    const jobIds = async (): Promise<Set<string>> => {
      const res = await admin.get('/api/v1/jobs?limit=1000');
      expect(res.statusCode, res.body).toBe(200);
      return new Set(res.json().items.map((j: { id: string }) => j.id));
    };
    const expectedIds = await jobIds();
    const statuses: Record<number, number> = {};
    const hit = new Set<string>();
    const failures: string[] = [];
    const started = Date.now();
    let sent = 0;
    for (; sent < MAX_REQUESTS && Date.now() - started < MAX_MS; sent++) {
      // Mostly the route's own method; sometimes another one on its path.
      const route: RouteInfo = pick(routes);
      hit.add(routeKey(route));
      const method = chance(0.05)
        ? pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const)
        : route.method;
      const path =
        fillPath(route.url, { id: param('id'), name: param('name') }) + (chance(0.5) ? query() : '');
      const h = headers();
      const b =
        method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'OPTIONS'
          ? chance(0.1)
            ? body(route)
            : {}
          : body(route);
      if (b.type) h['content-type'] = b.type;
      const what = `seed ${SEED} #${sent} ${method} ${path.slice(0, 300)} headers=${JSON.stringify(Object.keys(h))} body=${String(b.payload).slice(0, 200)}`;

      let statusCode: number;
      let contentType: string | undefined;
      let text: string;
      if (STREAMS.has(`${method} ${route.url}`) && method === route.method) {
        // Over a socket, headers past Node's 16 KiB limit get the parser's 431 (checked below).
        const sendable = Object.fromEntries(
          Object.entries(h).filter(
            ([k, v]) => typeof v === 'string' && !(k === 'x-huge' && v.length > 16_000),
          ),
        ) as Record<string, string>;
        const res = await requestHead(base, method, path, sendable);
        statusCode = res.statusCode;
        contentType = res.headers['content-type'];
        text = res.body;
      } else {
        const opts: InjectOptions = { method, url: path, headers: h };
        if (b.payload !== undefined) opts.payload = b.payload;
        const res = await sked.app.inject(opts);
        statusCode = res.statusCode;
        contentType = res.headers['content-type'] as string | undefined;
        text = res.body;
        // Bookkeeping of what was written, to check the store against at the end: jobs are created by
        // POST/PUT on the native API and POST on JIM's schedules, and deleted by DELETE on either.
        const bare = path.split('?')[0] ?? '';
        const one = /^\/api\/v1\/(jobs|schedules)\/([^/]+)$/.exec(bare);
        const created =
          statusCode === 201 &&
          ((method === 'POST' && /^\/api\/v1\/(jobs|schedules)$/.test(bare)) ||
            (method === 'PUT' && one?.[1] === 'jobs'));
        if (created) expectedIds.add(JSON.parse(text).id);
        if (method === 'DELETE' && one && statusCode === 204)
          expectedIds.delete(decodeURIComponent(one[2] as string));
      }
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      try {
        expect(
          statusCode,
          `${what} → ${statusCode} ${text.slice(0, 300)} | server log: ${serverErrors.slice(-1).join('')}`,
        ).toBeLessThan(500);
        const jimShaped =
          contentType?.startsWith('application/json') === true && JIM_ROUTE.test(path.split('?')[0] ?? '');
        if (statusCode >= 400 && jimShaped) {
          // A JIM route (or its scope's error handler) answered: JIM's error body.
          if (method !== 'HEAD')
            expect(JSON.parse(text), `${what} → ${statusCode} ${text.slice(0, 300)}`).toEqual(
              expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
            );
        } else if (statusCode >= 400) {
          if (method === 'HEAD' || text === '')
            expect(contentType, what).toMatch(/^application\/problem\+json/);
          else
            expectProblemShape(
              { statusCode, headers: { 'content-type': contentType }, json: () => JSON.parse(text) } as never,
              `${what} → ${statusCode} ${text.slice(0, 300)}`,
            );
        }
      } catch (err) {
        failures.push((err as Error).message.split('\n')[0] ?? what);
        if (failures.length >= 10) break;
      }
    }
    console.log(`fuzz: ${sent} requests in ${Date.now() - started} ms, statuses ${JSON.stringify(statuses)}`);
    expect(failures, `${failures.length} bad answers`).toEqual([]);
    // Every route was fuzzed (the pick is random; the seed and the count make it certain, and this says so).
    expect(routes.filter((r) => !hit.has(routeKey(r))).map(routeKey)).toEqual([]);
    // The fuzz did reach deep: requests were served and refused, in numbers.
    expect(sent, JSON.stringify(statuses)).toBeGreaterThanOrEqual(500);
    for (const s of [200, 400, 404])
      expect(statuses[s] ?? 0, `${s} ${JSON.stringify(statuses)}`).toBeGreaterThan(0);
    expect(
      Object.keys(statuses).some((s) => s === '201' || s === '202'),
      JSON.stringify(statuses),
    ).toBe(true);

    // No partial write: the jobs are exactly those created and not deleted, and each is whole.
    expect([...(await jobIds())].sort()).toEqual([...expectedIds].sort());
    const validate = validatorCompiler({
      schema: JobInputSchema,
      httpPart: 'body',
      method: 'PUT',
      url: '/api/v1/jobs/:id',
    }) as ValidateFunction;
    for (const id of expectedIds) {
      const res = await admin.get(`/api/v1/jobs/${encodeURIComponent(id)}`);
      expect(res.statusCode, `${id}: ${res.body}`).toBe(200);
      const definition = definitionOf(res.json());
      expect(
        validate(definition),
        `${id}: ${JSON.stringify(validate.errors)} ${res.body.slice(0, 500)}`,
      ).toBe(true);
      const preview = await admin.post('/api/v1/preview', { schedule: definition['schedule'] });
      expect(preview.json().valid, `${id}: ${JSON.stringify(definition['schedule'])}`).toBe(true);
      expect(res.body).not.toContain('fuzz-secret-value');
    }

    // The server still answers, and works normally.
    expect((await sked.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await admin.post('/api/v1/scheduler/start')).statusCode).toBe(200);
    // (In a collection of its own: the fuzz may have put quotas on `default`.)
    const created = await admin.post('/api/v1/jobs', {
      name: 'after the storm',
      collection: 'after-the-storm',
      schedule: { type: 'manual' },
      steps: [{ stepIndex: 0, type: 'noop' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const read = await admin.get(`/api/v1/jobs/${created.json().id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().name).toBe('after the storm');
    const run = await waitForRunEnd(admin, await triggerJob(admin, created.json().id));
    expect(run.status).toBe('succeeded');
  });
});

describe('paging past what the store can count', () => {
  // Regression (a bug this suite found, fixed): `offset` has a minimum but no maximum, so offset=9223372036854775808 (2^63) or more passes
  // validation and reaches SQLite, which refuses it: 500 INTERNAL with the driver's message as the
  // detail ("datatype mismatch"). Expected: 400 VALIDATION_ERROR naming /query/offset. Reproduce:
  // GET /api/v1/jobs?offset=99999999999999999999 (also /runs, /audit, /jobs/{id}/runs,
  // /jobs/{id}/fires, /triggers). Found by this fuzz with SKED_FUZZ_SEED=14. Fix: a maximum on
  // PageQuery.offset (e.g. 2^31) or clamping before the store.
  it('a huge offset is a 400 naming the parameter, never a 500', async () => {
    for (const url of [
      '/api/v1/jobs',
      '/api/v1/runs',
      '/api/v1/audit',
      `/api/v1/jobs/${real.job}/runs`,
      `/api/v1/jobs/${real.job}/fires`,
      '/api/v1/triggers',
    ]) {
      const res = await admin.get(`${url}?offset=99999999999999999999`);
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(500);
    }
  });
});

/** Sends raw bytes to the listening server and collects the answer (or '' when it closes without one). */
function rawRequest(text: string | Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect((sked.app.server.address() as AddressInfo).port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (out += d));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.on('error', () => undefined);
    socket.write(text);
  });
}

const auth = `Authorization: Bearer ${TEST_KEY}\r\n`;
// prettier-ignore
/** Requests Node's HTTP parser (or the router) refuses before any route sees them. */
const MALFORMED_HTTP: [string, string | Buffer][] = [
  ['a header over 16 KiB', `GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\n${auth}X-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`],
  ['a control character in a header name', `GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\n${auth}X-A\u0001: b\r\nConnection: close\r\n\r\n`],
  ['a garbage request line', 'GARBAGE\r\n\r\n'],
  ['a NUL in the path', `GET /api/v1/jobs/\u0000 HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`],
  ['two different Content-Lengths', `POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}`],
  ['Content-Length and Transfer-Encoding', `POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`],
  ['a broken chunk', `POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
  ['latin-1 bytes in the path', Buffer.concat([Buffer.from('GET /api/v1/jobs/'), Buffer.from([0xe9, 0xff]), Buffer.from(` HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`)])],
];

describe('malformed HTTP on a real socket', () => {
  it('is never answered with a 5xx, and the server keeps serving', async () => {
    for (const [what, bytes] of MALFORMED_HTTP) {
      const answer = await rawRequest(bytes);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      // Closing the connection without an answer is acceptable for garbage; a 5xx is not.
      if (status !== 0) expect(status, `${what}: ${answer.slice(0, 300)}`).toBeLessThan(500);
      expect((await sked.app.inject({ method: 'GET', url: '/healthz' })).statusCode, what).toBe(200);
    }
    const ok = await rawRequest(`GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`);
    expect(ok).toMatch(/^HTTP\/1\.1 200/);
  });

  // Regression (a bug this suite found, fixed): answers made by Node's HTTP parser through Fastify's default clientErrorHandler (431 for a
  // header over 16 KiB, 400 for a malformed request) are `application/json` bodies like
  // {"error":"Bad Request","message":"Client Error","statusCode":400}: not problem+json, no registry
  // code. Expected (PRODUCT.md: "Every error is application/problem+json"): a problem body. Reproduce:
  // `curl -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" http://127.0.0.1:8080/api/v1/jobs`.
  // Fix: Fastify({ clientErrorHandler }) writing a problem+json answer.
  it('answers problem+json even when the HTTP parser refuses the request', async () => {
    for (const [what, bytes] of MALFORMED_HTTP.slice(0, 3)) {
      const answer = await rawRequest(bytes);
      expect(answer, what).toMatch(/content-type: application\/problem\+json/i);
    }
  });
});
