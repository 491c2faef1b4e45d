/**
 * A seeded fuzz of the job routes: random malformed bodies, query strings and headers. Never a 5xx,
 * every error is problem+json with a registry code, the server still answers afterwards, and every job
 * it holds is whole. The seed is fixed, so a failure is repeatable.
 */

import { describe, expect, it } from 'vitest';
import { client, cronJobBody, jobBody, putJob, seededRandom, useSked, type Res } from './support.js';

const sked = useSked();
const api = client(sked);

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const send = (
  method: Method,
  url: string,
  payload: string | undefined,
  headers: Record<string, string>,
): Promise<Res> => api.raw({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

describe('seeded fuzz of the job routes', () => {
  it('300 random malformed requests: never a 5xx, every error is problem+json, nothing invalid is stored', async () => {
    const rnd = seededRandom(0x5eed_2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const chance = (p: number) => rnd() < p;

    // Values the fuzz substitutes. Known-bug inputs are left out on purpose so that they do not mask
    // new findings: durations so long the next fire overflows a Date, deeply nested JSON, and ids over
    // 100 characters (414) — each has its it.fails test in hostile-input.test.ts.
    // prettier-ignore
    const WEIRD: unknown[] = [
      null, true, false, 0, -1, 1.5, 1e308, -0, 10_001, '', ' ', 'x', '\u0000', '💥', 'a'.repeat(300), [], [1, 'a'], {},
      { a: 1 }, 'PT1S', 'P', 'PT0S', 'P1M', '2020-01-01T00:00:00Z', '2099-01-01T00:00:00Z', 'not-a-date', '* * * * *',
      '0 0 30 2 *', '0 25 * * *', '0 0 12 ? * MON#6', 'L W', 'Europe/London', 'Mars/Olympus', '__proto__', 'constructor',
      'cron', 'exec', 'noop', 'enabled',
    ];
    // prettier-ignore
    const FIELDS = [
      'name', 'description', 'collection', 'labels', 'schedule', 'steps', 'onFailure', 'retry', 'overlap', 'catchUp',
      'timeout', 'enabled', 'extensions', 'id', 'type', 'expression', 'timeZone', 'every', 'at', 'stepIndex', 'command',
      'request', 'payload', 'reason', 'until', 'ids', 'filter', 'zzz',
    ];
    // Commands are harmless and http targets refuse at once: the fuzz may create and trigger real jobs.
    const BASES: unknown[] = [
      cronJobBody({
        description: 'd',
        labels: { team: 'x' },
        steps: [{ stepIndex: 0, type: 'exec', command: '/bin/true', args: ['a'], timeout: 'PT5S' }],
        retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT1S' },
        overlap: 'skip',
        catchUp: { policy: 'none', window: 'PT1H' },
        timeout: 'PT1M',
      }),
      jobBody({
        schedule: { type: 'daily', times: ['09:00'], daysOfWeek: [1], timeZone: 'Europe/Paris' },
        steps: [
          {
            stepIndex: 0,
            type: 'http',
            request: {
              method: 'POST',
              url: 'http://127.0.0.1:9/x',
              headers: { a: 'b' },
              body: '{{payload}}',
            },
          },
        ],
      }),
      jobBody({
        schedule: { type: 'window', every: 'PT30M', from: '09:00', to: '17:00' },
        steps: [{ stepIndex: 0, type: 'noop' }],
      }),
      jobBody({
        schedule: {
          type: 'recurrence',
          frequency: 'week',
          startAt: '2026-01-01T00:00:00Z',
          schedule: { weekDays: ['monday'], hours: [9] },
        },
      }),
      jobBody({
        schedule: { type: 'interval', every: 'PT1H', startAt: '2026-01-01T00:00:00Z', repeatCount: 3 },
      }),
      { payload: { a: [1, 2] } },
      { reason: 'r', until: '2099-01-01T00:00:00Z' },
      { ids: ['victim', 'f1'], filter: 'name eq "x"' },
      { schedule: { type: 'cron', expression: '0 0 * * *' }, count: 3, from: '2026-01-01T00:00:00Z' },
    ];

    const mutate = (v: unknown, depth: number): unknown => {
      if (depth > 4 || chance(0.15)) return pick(WEIRD);
      if (Array.isArray(v)) {
        const out = v.map((x) => (chance(0.5) ? mutate(x, depth + 1) : x));
        if (chance(0.2)) out.push(mutate(pick(v.length ? v : WEIRD), depth + 1));
        if (chance(0.1)) out.splice(0, 1);
        return out;
      }
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
        for (const k of Object.keys(out)) {
          if (chance(0.12)) delete out[k];
          else if (chance(0.35)) out[k] = mutate(out[k], depth + 1);
        }
        if (chance(0.15)) out[pick(FIELDS)] = pick(WEIRD);
        return out;
      }
      return chance(0.5) ? pick(WEIRD) : v;
    };

    const body = (): { payload?: string; type?: string } => {
      const r = rnd();
      const json = JSON.stringify(mutate(pick(BASES), 0)) ?? 'null';
      if (r < 0.7)
        return {
          payload: json,
          type: pick(['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json']),
        };
      if (r < 0.8)
        return { payload: json.slice(0, Math.floor(rnd() * json.length)), type: 'application/json' };
      if (r < 0.86)
        return {
          payload: json,
          type: pick(['text/plain', 'application/xml', 'text/csv', 'application/octet-stream']),
        };
      if (r < 0.92) return {};
      return {
        payload: pick(['', ' ', 'null', '[]', '{}', '{"', '\u0000', '{"name":}']),
        type: 'application/json',
      };
    };
    const ids = [
      'victim',
      'f1',
      'ghost',
      'a.b_c-d',
      '..',
      encodeURIComponent('a b'),
      encodeURIComponent('é'),
      encodeURIComponent('x/y'),
      'z'.repeat(90),
    ];
    const query = (): string => {
      const keys = [
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
        'zzz',
      ];
      const values = [
        '1',
        '0',
        '-1',
        '1000',
        '1001',
        'abc',
        '',
        'enabled',
        'paused',
        'team:x',
        'nocolon',
        'name',
        '-name',
        'bogus',
        'name eq "x"',
        'name eq',
        '(',
        '2026-01-01T00:00:00Z',
        'succeeded,failed',
        '💥',
      ];
      const parts: string[] = [];
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) parts.push(`${pick(keys)}=${encodeURIComponent(String(pick(values)))}`);
      return parts.length ? `?${parts.join('&')}` : '';
    };
    const routes: [Method, () => string][] = [
      ['GET', () => `/api/v1/jobs${query()}`],
      ['POST', () => '/api/v1/jobs'],
      ['GET', () => `/api/v1/jobs/${pick(ids)}`],
      ['PUT', () => `/api/v1/jobs/${pick(ids)}`],
      ['PATCH', () => `/api/v1/jobs/${pick(ids)}`],
      ['DELETE', () => `/api/v1/jobs/${pick(ids)}`],
      ['POST', () => `/api/v1/jobs/${pick(ids)}/trigger`],
      ['POST', () => `/api/v1/jobs/${pick(ids)}/pause`],
      ['POST', () => `/api/v1/jobs/${pick(ids)}/resume`],
      ['POST', () => '/api/v1/jobs/pause'],
      ['POST', () => '/api/v1/jobs/resume'],
      ['GET', () => `/api/v1/jobs/${pick(ids)}/runs${query()}`],
      ['GET', () => `/api/v1/jobs/${pick(ids)}/fires${query()}`],
      ['GET', () => `/api/v1/runs${query()}`],
      ['POST', () => '/api/v1/preview'],
    ];

    await putJob(api, 'victim', cronJobBody({ name: 'victim' }));
    await putJob(api, 'f1', jobBody({ steps: [{ stepIndex: 0, type: 'noop' }] }));
    const deadline = Date.now() + 30_000;
    let sent = 0;
    const statuses: Record<number, number> = {};
    for (; sent < 300 && Date.now() < deadline; sent++) {
      const [method, url] = pick(routes);
      const path = url();
      const headers: Record<string, string> = {};
      const b = method === 'GET' || method === 'DELETE' ? (chance(0.1) ? body() : {}) : body();
      if (b.type) headers['content-type'] = b.type;
      if (chance(0.15))
        headers['if-match'] = pick(['"1"', 'W/"2"', '*', 'abc', '', '"999"', '"-1"', '"1", "2"']);
      if (chance(0.05)) headers['accept'] = pick(['application/xml', '*/*', '']);
      const res = await send(method, path, b.payload, headers);
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const what = `#${sent} ${method} ${path} ${JSON.stringify(headers)} ${String(b.payload).slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
      expect(res.statusCode, what).toBeLessThan(500);
      if (res.statusCode >= 400) {
        expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
        expect(res.json().code, what).toEqual(expect.any(String));
      }
    }
    expect(sent).toBeGreaterThanOrEqual(100);
    // Some requests must have got through and some must have been refused, or the fuzz tests nothing.
    expect(
      Object.keys(statuses).some((s) => Number(s) < 300),
      JSON.stringify(statuses),
    ).toBe(true);
    expect(
      Object.keys(statuses).some((s) => Number(s) === 400),
      JSON.stringify(statuses),
    ).toBe(true);

    // The server still answers, and every job it holds is whole: readable, with a valid schedule.
    expect((await api.get('/healthz')).statusCode).toBe(200);
    expect((await api.get('/readyz')).statusCode).toBe(200);
    const list = await api.get('/api/v1/jobs?limit=1000');
    expect(list.statusCode, list.body).toBe(200);
    for (const job of list.json().items) {
      const one = await api.get(`/api/v1/jobs/${encodeURIComponent(job.id)}`);
      expect(one.statusCode, job.id).toBe(200);
      expect(one.json().name.length, job.id).toBeGreaterThan(0);
      const preview = await api.post('/api/v1/preview', { schedule: job.schedule });
      expect(preview.json().valid, JSON.stringify(job.schedule)).toBe(true);
    }
    expect((await api.get('/api/v1/triggers')).statusCode).toBe(200);
    expect((await api.get('/api/v1/scheduler')).statusCode).toBe(200);
    expect((await api.post('/api/v1/jobs', jobBody({ name: 'after the storm' }))).statusCode).toBe(201);
  });
});
