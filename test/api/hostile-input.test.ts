/**
 * Hostile input: malformed bodies, wrong content types, oversized payloads, bad ids, hostile query
 * strings and headers, extreme values. Every one gets the 4xx of PRODUCT.md as
 * application/problem+json with its registry code and the field named, never a 500, and nothing is
 * half-written: after each rejected write the jobs (and their versions) are exactly as before.
 * The seeded fuzz of the job routes is in hostile-fuzz.test.ts.
 */

import { describe, expect, it } from 'vitest';
import { testSked } from '../support/app-harness.js';
import {
  client,
  cronJobBody,
  expectInvalid,
  expectProblem,
  expectUnchanged,
  jobBody,
  putJob,
  snapshot,
  TEST_FLAGS,
  useSked,
  type Res,
} from './support.js';

const sked = useSked();
const api = client(sked);

const JSON_CT = { 'content-type': 'application/json' };

/** Seeds one job and returns the snapshot every rejected write must leave untouched. */
async function seeded() {
  await putJob(api, 'victim', cronJobBody({ name: 'victim', labels: { keep: 'me' } }));
  return snapshot(api);
}

/** Every write route that takes a JSON body, with a body it would accept. */
const WRITES: { method: 'POST' | 'PUT' | 'PATCH'; url: string; valid: unknown }[] = [
  { method: 'POST', url: '/api/v1/jobs', valid: jobBody() },
  { method: 'PUT', url: '/api/v1/jobs/victim', valid: cronJobBody() },
  { method: 'PUT', url: '/api/v1/jobs/newcomer', valid: jobBody() },
  { method: 'PATCH', url: '/api/v1/jobs/victim', valid: { description: 'x' } },
  { method: 'POST', url: '/api/v1/jobs/victim/trigger', valid: { payload: 1 } },
  { method: 'POST', url: '/api/v1/jobs/victim/pause', valid: { reason: 'x' } },
  { method: 'POST', url: '/api/v1/jobs/pause', valid: { ids: ['victim'] } },
  { method: 'POST', url: '/api/v1/jobs/resume', valid: { ids: ['victim'] } },
  { method: 'POST', url: '/api/v1/preview', valid: { schedule: { type: 'manual' } } },
  { method: 'PUT', url: '/api/v1/collections/newcoll', valid: {} },
];

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const send = (
  method: Method,
  url: string,
  payload: string | undefined,
  headers: Record<string, string>,
): Promise<Res> => api.raw({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

/** No run was created by a rejected trigger. */
async function expectNoRuns(): Promise<void> {
  expect((await api.get('/api/v1/runs')).json().pagination.total).toBe(0);
}

describe('malformed bodies', () => {
  it('invalid JSON is a 400 on every write route, and nothing is written', async () => {
    const before = await seeded();
    const broken = [
      '{bad',
      '{"name": }',
      '{"name": "x",}',
      "{'name': 'x'}",
      '{"name": NaN}',
      '{"name": "unterminated',
      '[1, 2',
      '{"a":1}}',
      '\u0000',
      '{"name":"x"} trailing',
    ];
    for (const { method, url } of WRITES) {
      for (const body of broken) {
        const res = await send(method, url, body, JSON_CT);
        const problem = expectProblem(res, 400, 'VALIDATION_ERROR', '');
        expect(problem.detail, `${method} ${url} ${body}`).toMatch(/JSON|malformed/i);
      }
    }
    await expectUnchanged(api, before);
    await expectNoRuns();
  });

  it('an empty body where one is required is a 400 (with or without a JSON content type)', async () => {
    const before = await seeded();
    for (const { method, url } of WRITES.filter((w) => !/trigger|pause|resume/.test(w.url))) {
      expectProblem(await send(method, url, '', JSON_CT), 400, 'VALIDATION_ERROR', '');
      expectProblem(await send(method, url, undefined, {}), 400, 'VALIDATION_ERROR', '');
    }
    await expectUnchanged(api, before);
  });

  it('JSON that is not an object (null, array, string, number, boolean) is a 400 naming the body', async () => {
    const before = await seeded();
    for (const { method, url } of WRITES) {
      for (const body of ['null', '[]', '[{}]', '"job"', '42', 'true']) {
        expectProblem(await send(method, url, body, JSON_CT), 400, 'VALIDATION_ERROR', '');
      }
    }
    await expectUnchanged(api, before);
    await expectNoRuns();
  });

  it('a content type other than JSON is a 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const before = await seeded();
    for (const { method, url, valid } of WRITES) {
      for (const type of [
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/yaml',
        'image/png',
      ]) {
        const res = await send(method, url, JSON.stringify(valid), { 'content-type': type });
        expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    }
    await expectUnchanged(api, before);
    await expectNoRuns();
  });

  it('a text/plain body is a 415 too, not a 400 "must be object"', async () => {
    // BUG: Fastify's built-in text/plain parser accepts the body as a string, so a JSON document sent as
    // text/plain gets 400 "/: must be object" instead of 415 UNSUPPORTED_MEDIA_TYPE ("send JSON").
    // Fix: remove the text/plain parser (app.removeContentTypeParser('text/plain')) on the API.
    await seeded();
    expectProblem(
      await send('POST', '/api/v1/jobs', JSON.stringify(jobBody()), { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('a body over 256 KiB is a 413 PAYLOAD_TOO_LARGE on every write route; just under it is judged on content', async () => {
    const before = await seeded();
    const huge = JSON.stringify({
      name: 'x',
      schedule: { type: 'manual' },
      description: 'd'.repeat(262_144),
    });
    for (const { method, url } of WRITES) {
      expectProblem(await send(method, url, huge, JSON_CT), 413, 'PAYLOAD_TOO_LARGE');
    }
    const payload = JSON.stringify({ payload: 'p'.repeat(300_000) });
    expectProblem(
      await send('POST', '/api/v1/jobs/victim/trigger', payload, JSON_CT),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    // 250 KiB: under the limit, so the answer is about the field, not the size.
    const big = JSON.stringify({ name: 'x', schedule: { type: 'manual' }, description: 'd'.repeat(250_000) });
    expectInvalid(await send('POST', '/api/v1/jobs', big, JSON_CT), '/description');
    await expectUnchanged(api, before);
    await expectNoRuns();
  });

  it('__proto__ and constructor keys are refused and pollute nothing', async () => {
    const before = await seeded();
    for (const body of [
      '{"name":"x","schedule":{"type":"manual"},"__proto__":{"polluted":true}}',
      '{"name":"x","schedule":{"type":"manual"},"constructor":{"prototype":{"polluted":true}}}',
    ]) {
      for (const { method, url } of WRITES)
        expectProblem(await send(method, url, body, JSON_CT), 400, 'VALIDATION_ERROR');
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    await expectUnchanged(api, before);
  });

  it('unknown fields are refused at every level of a job, naming each', async () => {
    const before = await seeded();
    const cases: [Record<string, unknown>, string][] = [
      [cronJobBody({ foo: 1 }), '/foo'],
      [
        cronJobBody({ schedule: { type: 'cron', expression: '0 0 * * *', every: 'PT1M' } }),
        '/schedule/every',
      ],
      [
        cronJobBody({
          schedule: {
            type: 'recurrence',
            frequency: 'day',
            startAt: '2026-01-01T00:00:00Z',
            schedule: { seconds: [0] },
          },
        }),
        '/schedule/schedule/seconds',
      ],
      [
        cronJobBody({
          schedule: {
            type: 'recurrence',
            frequency: 'month',
            startAt: '2026-01-01T00:00:00Z',
            schedule: { monthlyOccurrences: [{ day: 'friday', occurrence: 1, week: 2 }] },
          },
        }),
        '/schedule/schedule/monthlyOccurrences/0/week',
      ],
      [cronJobBody({ steps: [{ stepIndex: 0, type: 'noop', foo: 1 }] }), '/steps/0/foo'],
      [
        cronJobBody({
          steps: [{ stepIndex: 0, type: 'http', request: { url: 'https://example.com', foo: 1 } }],
        }),
        '/steps/0/request/foo',
      ],
      [
        cronJobBody({
          steps: [
            {
              stepIndex: 0,
              type: 'http',
              request: { url: 'https://example.com', auth: { type: 'bearer', token: 't', foo: 1 } },
            },
          ],
        }),
        '/steps/0/request/auth/foo',
      ],
      [
        cronJobBody({
          steps: [
            {
              stepIndex: 0,
              type: 'noop',
              retry: { maxAttempts: 1, backoff: 'fixed', interval: 'PT1S', foo: 1 },
            },
          ],
        }),
        '/steps/0/retry/foo',
      ],
      [cronJobBody({ onFailure: [{ stepIndex: 0, type: 'noop', foo: 1 }] }), '/onFailure/0/foo'],
      [cronJobBody({ retry: { maxAttempts: 1, backoff: 'fixed', interval: 'PT1S', foo: 1 } }), '/retry/foo'],
      [cronJobBody({ catchUp: { policy: 'none', foo: 1 } }), '/catchUp/foo'],
    ];
    for (const [body, pointer] of cases) {
      expectInvalid(await api.post('/api/v1/jobs', body), pointer);
      expectInvalid(await api.put('/api/v1/jobs/victim', body), pointer);
    }
    expectInvalid(await api.post('/api/v1/jobs/victim/pause', { reason: 'x', foo: 1 }), '/foo');
    expectInvalid(await api.post('/api/v1/jobs/pause', { foo: 1 }), '/foo');
    expectInvalid(await api.post('/api/v1/preview', { schedule: { type: 'manual' }, foo: 1 }), '/foo');
    expectInvalid(await api.put('/api/v1/collections/c', { foo: 1 }), '/foo');
    await expectUnchanged(api, before);
  });

  it('wrong types everywhere are refused, naming each field', async () => {
    const before = await seeded();
    const problem = expectInvalid(
      await api.post('/api/v1/jobs', {
        name: ['x'],
        description: 1,
        collection: {},
        labels: [],
        schedule: { type: 'cron', expression: ['* * * * *'], timeZone: 1, dialect: true, startAt: 5 },
        steps: [
          { stepIndex: '0', type: 'exec', command: 1, args: 'a', continueOnFailure: 'no', timeout: 30 },
        ],
        retry: 'often',
        overlap: null,
        catchUp: 'all',
        timeout: false,
        enabled: 1,
        extensions: [],
      }),
      '/name',
      '/description',
      '/collection',
      '/labels',
      '/schedule/expression',
      '/schedule/timeZone',
      '/schedule/dialect',
      '/schedule/startAt',
      '/steps/0/stepIndex',
      '/steps/0/command',
      '/steps/0/args',
      '/steps/0/continueOnFailure',
      '/steps/0/timeout',
      '/retry',
      '/overlap',
      '/catchUp',
      '/timeout',
      '/enabled',
      '/extensions',
    );
    expect(problem.detail).toContain('/name');
    await expectUnchanged(api, before);
  });

  it('strings with control characters, emoji and right-to-left text are stored exactly, not choked on', async () => {
    const name = 'nul\u0000 tab\t nl\n emoji 💥 rtl \u202Eabc \uFEFF';
    const res = await api.post(
      '/api/v1/jobs',
      jobBody({ name, description: '\u0001\u001f', labels: { k: '"\'<>&;--' } }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const got = (await api.get(`/api/v1/jobs/${res.json().id}`)).json();
    expect(got).toMatchObject({ name, description: '\u0001\u001f', labels: { k: '"\'<>&;--' } });
    expect((await api.get(`/api/v1/jobs?q=${encodeURIComponent('💥')}`)).json().pagination.total).toBe(1);
  });
});

describe('schedules that cannot be scheduled', () => {
  it('a cron that never fires, a once in the past and an unknown time zone are 400s with the reason', async () => {
    const before = await seeded();
    const never = expectInvalid(
      await api.post('/api/v1/jobs', cronJobBody({ schedule: { type: 'cron', expression: '0 0 30 2 *' } })),
      '/schedule',
    );
    expect(never.errors[0].message).toMatch(/never fires/);
    const past = expectInvalid(
      await api.post('/api/v1/jobs', cronJobBody({ schedule: { type: 'once', at: '2020-01-01T00:00:00Z' } })),
      '/schedule',
    );
    expect(past.errors[0].message).toMatch(/past/);
    const zone = expectInvalid(
      await api.post(
        '/api/v1/jobs',
        cronJobBody({ schedule: { type: 'cron', expression: '0 0 * * *', timeZone: 'Europe/Atlantis' } }),
      ),
      '/schedule/timeZone',
    );
    expect(zone.errors[0].message).toContain('Europe/Atlantis');
    // The same through PUT on an existing job and through PATCH.
    expectInvalid(
      await api.put(
        '/api/v1/jobs/victim',
        cronJobBody({ schedule: { type: 'cron', expression: '0 0 30 2 *' } }),
      ),
      '/schedule',
    );
    expectInvalid(
      await api.patch('/api/v1/jobs/victim', { schedule: { expression: '0 0 31 4 *' } }),
      '/schedule',
    );
    await expectUnchanged(api, before);
  });

  it('extreme numbers are refused, naming the field', async () => {
    const before = await seeded();
    const raw = (steps: string) => `{"name":"x","schedule":{"type":"manual"},"steps":[${steps}]}`;
    expectInvalid(
      await send('POST', '/api/v1/jobs', raw('{"stepIndex":1e400,"type":"noop"}'), JSON_CT),
      '/steps/0/stepIndex',
    );
    expectInvalid(
      await send('POST', '/api/v1/jobs', raw('{"stepIndex":-1e400,"type":"noop"}'), JSON_CT),
      '/steps/0/stepIndex',
    );
    expectInvalid(
      await api.post(
        '/api/v1/jobs',
        cronJobBody({ retry: { maxAttempts: 1e308, backoff: 'fixed', interval: 'PT1S' } }),
      ),
      '/retry/maxAttempts',
    );
    expectInvalid(
      await api.post('/api/v1/jobs', cronJobBody({ steps: [{ stepIndex: 10_001, type: 'noop' }] })),
      '/steps/0/stepIndex',
    );
    expectInvalid(
      await api.post(
        '/api/v1/jobs',
        cronJobBody({
          schedule: { type: 'recurrence', frequency: 'day', interval: 1e9, startAt: '2026-01-01T00:00:00Z' },
        }),
      ),
      '/schedule/interval',
    );
    expectInvalid(await api.post('/api/v1/preview', { schedule: { type: 'manual' }, count: 1e9 }), '/count');
    expectInvalid(await api.get('/api/v1/jobs?limit=99999999999999999999'), '/query/limit');
    await expectUnchanged(api, before);
  });

  it(
    'a duration so long that the next fire is past the year 275760 is a 400, not a 500 and a stored job',
    async () => {
      // BUG: {"schedule": {"type": "interval", "every": "P999999999D"}} passes validation; the next fire
      // (8.6e16 ms) is beyond what a Date can hold, so building the answer throws RangeError: a 500
      // INTERNAL, AFTER the job was inserted. From then on GET /api/v1/jobs, GET /api/v1/triggers and any
      // filter query answer 500 for everyone (they render that job). POST /api/v1/preview with the same
      // schedule is a 500 too. Expected: 400 naming /schedule/every (e.g. a maximum duration, or
      // refusing next fires past 9999-12-31), nothing written, every list still 200.
      const before = await seeded();
      const res = await api.post(
        '/api/v1/jobs',
        cronJobBody({ schedule: { type: 'interval', every: 'P999999999D' } }),
      );
      expect((await api.get('/api/v1/jobs')).statusCode).toBe(200);
      expect((await api.get('/api/v1/triggers')).statusCode).toBe(200);
      expectInvalid(res, '/schedule/every');
      await expectUnchanged(api, before);
      const preview = await api.post('/api/v1/preview', {
        schedule: { type: 'interval', every: 'P999999999D' },
      });
      expect(preview.statusCode).toBeLessThan(500);
    },
  );

  it('deeply nested JSON (extensions, trigger payload, merge patch) is a 400, not a 500', async () => {
    // BUG: 20,000 levels of {"a": ...} (120 KB, under the body limit) in `extensions` (POST), in a merge
    // patch, or in a trigger `payload` answer 500 INTERNAL ("Maximum call stack size exceeded" is even
    // leaked as the detail): the recursive merge patch and JSON re-serialisation overflow the stack.
    // Expected: a 400 VALIDATION_ERROR naming the field (e.g. a nesting limit of 64 on free-form JSON).
    const before = await seeded();
    let deep = '1';
    for (let i = 0; i < 20_000; i++) deep = `{"a":${deep}}`;
    const answers = [
      await send(
        'POST',
        '/api/v1/jobs',
        `{"name":"deep","schedule":{"type":"manual"},"extensions":{"x":${deep}}}`,
        JSON_CT,
      ),
      await send('PATCH', '/api/v1/jobs/victim', `{"extensions":{"x":${deep}}}`, JSON_CT),
      await send('POST', '/api/v1/jobs/victim/trigger', `{"payload":${deep}}`, JSON_CT),
    ];
    await expectUnchanged(api, before);
    await expectNoRuns();
    for (const res of answers) expectInvalid(res);
  });
});

describe('ids in the path', () => {
  it('ids outside [A-Za-z0-9._-] are a 400 naming /path/id on every job route, and nothing is written', async () => {
    const before = await seeded();
    for (const id of ['a%20b', 'a%2Fb', '%C3%A9t%C3%A9', 'a%3Bdrop', '%00', 'a%22b']) {
      const base = `/api/v1/jobs/${id}`;
      expectInvalid(await api.get(base), '/path/id');
      expectInvalid(await api.put(base, jobBody()), '/path/id');
      expectInvalid(await api.patch(base, { name: 'x' }), '/path/id');
      expectInvalid(await api.del(base), '/path/id');
      expectInvalid(await api.post(`${base}/trigger`, {}), '/path/id');
      expectInvalid(await api.post(`${base}/pause`, {}), '/path/id');
      expectInvalid(await api.post(`${base}/resume`), '/path/id');
      expectInvalid(await api.get(`${base}/runs`), '/path/id');
      expectInvalid(await api.get(`${base}/fires`), '/path/id');
    }
    expectInvalid(await api.get('/api/v1/collections/a%20b'), '/path/name');
    await expectUnchanged(api, before);
    await expectNoRuns();
  });

  it('unknown ids are a 404 NOT_FOUND on every route, and nothing is written', async () => {
    const before = await seeded();
    const base = '/api/v1/jobs/ghost';
    for (const res of [
      await api.get(base),
      await api.patch(base, { name: 'x' }),
      await api.del(base),
      await api.post(`${base}/trigger`, {}),
      await api.post(`${base}/pause`, {}),
      await api.post(`${base}/resume`),
      await api.get(`${base}/runs`),
      await api.get(`${base}/fires`),
      await api.get('/api/v1/runs/ghost'),
      await api.get('/api/v1/runs/ghost/log'),
      await api.post('/api/v1/runs/ghost/cancel'),
      await api.get('/api/v1/collections/ghost'),
      await api.del('/api/v1/collections/ghost'),
    ]) {
      const problem = expectProblem(res, 404, 'NOT_FOUND');
      expect(problem.detail).toContain('ghost');
    }
    await expectUnchanged(api, before);
    await expectNoRuns();
  });

  it('unknown routes and methods are a problem+json 404', async () => {
    expectProblem(await api.get('/api/v1/nothing'), 404, 'NOT_FOUND');
    expectProblem(await api.del('/api/v1/jobs'), 404, 'NOT_FOUND');
    expectProblem(await api.post('/api/v1/jobs/victim/explode', {}), 404, 'NOT_FOUND');
  });

  it('a 200-character id is a 400 naming /path/id, as problem+json', async () => {
    // BUG: Fastify's default maxParamLength (100) answers ids longer than 100 characters with its own
    // `414 {"error":"Bad Request","code":"FST_ERR_MAX_PARAM_LENGTH",...}` as application/json: not
    // problem+json, no registry code, no pointer. Fix: Fastify({ maxParamLength: 1024 }) (or more) so
    // the route schema's id pattern answers 400 /path/id.
    await seeded();
    expectInvalid(await api.get(`/api/v1/jobs/${'a'.repeat(200)}`), '/path/id');
  });

  it(
    'a job with a valid 128-character id can be read, changed and deleted at its Location',
    async () => {
      // BUG: ids may be 1-128 characters (PRODUCT.md), and POST {"id": <128 chars>} creates the job, but
      // every /api/v1/jobs/{id} route answers 414 FST_ERR_MAX_PARAM_LENGTH for ids of 101-128 characters
      // (Fastify's maxParamLength is 100): the job can never be read, paused or deleted through the API.
      const id = 'x'.repeat(128);
      const created = await api.post('/api/v1/jobs', jobBody({ id }));
      expect(created.statusCode).toBe(201);
      expect((await api.get(created.headers['location'] as string)).statusCode).toBe(200);
      expect((await api.del(`/api/v1/jobs/${id}`)).statusCode).toBe(204);
    },
  );

  it('a path with a broken percent-encoding is a problem+json 400', async () => {
    // BUG: GET /api/v1/jobs/%ZZ answers Fastify's own 400 {"code":"FST_ERR_BAD_URL",...} as
    // application/json: not problem+json, no registry code. Expected a problem+json 400 VALIDATION_ERROR
    // (Fastify's frameworkErrors option can route it through the error handler).
    await seeded();
    expectProblem(await api.get('/api/v1/jobs/%ZZ'), 400, 'VALIDATION_ERROR');
  });

  it('a malformed run id is a 400 naming /path/id, like a malformed job id', async () => {
    // BUG (minor): run routes check only the length of the id, so GET /api/v1/runs/a%20b answers 404
    // "run 'a b' does not exist", while the same id on a job route is a 400 naming /path/id
    // (PRODUCT.md: ids are [A-Za-z0-9._-]{1,128}).
    expectInvalid(await api.get('/api/v1/runs/a%20b'), '/path/id');
  });
});

describe('query strings', () => {
  it('unknown, repeated, malformed and oversized parameters are 400s naming /query/...', async () => {
    await seeded();
    const cases: [string, string][] = [
      ['/api/v1/jobs?limit=1001', '/query/limit'],
      ['/api/v1/jobs?limit=', '/query/limit'],
      ['/api/v1/jobs?limit=%ZZ', '/query/limit'],
      ['/api/v1/jobs?offset=-1', '/query/offset'],
      ['/api/v1/jobs?state=enabled&state=paused', '/query/state'],
      ['/api/v1/jobs?state[]=enabled', '/query/state[]'],
      ['/api/v1/jobs?q=' + 'q'.repeat(201), '/query/q'],
      ['/api/v1/jobs?sort=' + 's'.repeat(201), '/query/sort'],
      ['/api/v1/jobs?filter=' + 'f'.repeat(4097), '/query/filter'],
      ['/api/v1/jobs?filter=' + encodeURIComponent('name eq "x" and ('), '/query/filter'],
      ['/api/v1/jobs?filter=' + encodeURIComponent('((((((((((((((((((((name eq "x"'), '/query/filter'],
      ['/api/v1/jobs?label=novalue', '/query/label'],
      ['/api/v1/jobs?collection=' + 'c'.repeat(129), '/query/collection'],
      ['/api/v1/jobs?__proto__=1', '/query/__proto__'],
      ['/api/v1/jobs/victim/runs?status=nope', '/query/status'],
      ['/api/v1/jobs/victim/fires?limit=0', '/query/limit'],
      ['/api/v1/runs?from=2026-02-30T00:00:00Z', '/query/from'],
      ['/api/v1/triggers?state=acquired&state=waiting', '/query/state'],
    ];
    for (const [url, pointer] of cases) expectInvalid(await api.get(url), pointer);
  });

  it('a deeply parenthesised but valid filter is answered, not overflowed', async () => {
    await seeded();
    const filter = '('.repeat(500) + 'name eq "victim"' + ')'.repeat(500);
    const res = await api.get(`/api/v1/jobs?filter=${encodeURIComponent(filter)}`);
    expect(res.statusCode).toBeLessThan(500);
    const nots = '!'.repeat(1000) + 'name eq "victim"';
    expect((await api.get(`/api/v1/jobs?filter=${encodeURIComponent(nots)}`)).statusCode).toBeLessThan(500);
  });
});

describe('headers', () => {
  it('a malformed If-Match is a 400 naming /headers/if-match on every write that takes it', async () => {
    const before = await seeded();
    for (const header of ['garbage', '"1" "2"', 'W/"x"', '\t']) {
      expectInvalid(
        await api.put('/api/v1/jobs/victim', cronJobBody(), { 'if-match': header }),
        '/headers/if-match',
      );
      expectInvalid(
        await api.patch('/api/v1/jobs/victim', { name: 'x' }, { 'if-match': header }),
        '/headers/if-match',
      );
      expectInvalid(await api.del('/api/v1/jobs/victim', { 'if-match': header }), '/headers/if-match');
    }
    await expectUnchanged(api, before);
  });

  it('with an API key configured: no key or a wrong key is a 401 UNAUTHORIZED; health stays open', async () => {
    const s = await testSked({ ...TEST_FLAGS, 'api-key': 'the-right-key' });
    try {
      const a = client(() => s);
      for (const headers of [
        {},
        { authorization: 'Bearer wrong' },
        { 'x-api-key': 'wrong' },
        { authorization: 'Basic dGhlLXJpZ2h0LWtleQ==' },
        { authorization: 'Bearer' },
        { authorization: 'Bearer the-right-key extra' },
      ]) {
        expectProblem(await a.get('/api/v1/jobs', headers), 401, 'UNAUTHORIZED');
        expectProblem(await a.post('/api/v1/jobs', jobBody(), headers), 401, 'UNAUTHORIZED');
      }
      expect(
        (await a.get('/api/v1/jobs', { authorization: 'Bearer the-right-key' })).json().pagination.total,
      ).toBe(0);
      expect((await a.get('/api/v1/jobs', { 'x-api-key': 'the-right-key' })).statusCode).toBe(200);
      expect((await a.get('/healthz')).statusCode).toBe(200);
    } finally {
      await s.close();
    }
  });
});
