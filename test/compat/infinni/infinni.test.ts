/**
 * The InfinniPlatform scheduler surface, replaying every request of seed 003 and SEED-APIS.md §4: the
 * always-200 `{Success, Result, Error}` envelope with PascalCase JobInfo (nulls omitted, enums as
 * integers), status counts, skip/take lists by state, add/update with the path id winning, delete,
 * pause/resume/trigger by `ids=` (comma or semicolon; none = all) with a data body, local callers only.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, useSked, waitFor } from '../../api/support.js';
import { startTarget, type Target } from '../azure/support.js';

const sked = useSked();
const api = client(sked);

type Res = Awaited<ReturnType<typeof api.get>>;

/** Infinni requests carry no key: the surface is open to local callers only. */
const infinni = {
  get: (url: string) => sked().app.inject({ method: 'GET', url, headers: { 'x-api-key': 'unused' } }),
  post: (url: string, body?: unknown) =>
    sked().app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': 'unused', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  del: (url: string) => sked().app.inject({ method: 'DELETE', url, headers: { 'x-api-key': 'unused' } }),
};

function envelope(res: Res): any {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.json();
}

const jobInfo = (overrides: Record<string, unknown> = {}) => ({
  Name: 'Report',
  Group: 'Default',
  Description: 'Nightly report',
  HandlerType: 'MyApp.Jobs.ReportHandler, MyApp',
  CronExpression: '0 0 2 * * ?',
  MisfirePolicy: 1,
  Data: { format: 'pdf', pages: 3 },
  ...overrides,
});

describe('status', () => {
  it('GET|POST /scheduler/ answers isStarted and the counts with their list references', async () => {
    await infinni.post('/scheduler/jobs/Default.a', jobInfo({ Name: 'a' }));
    await infinni.post('/scheduler/jobs/Default.b', jobInfo({ Name: 'b', State: 1 }));
    await infinni.post('/scheduler/jobs/Default.c', jobInfo({ Name: 'c' }));
    for (const res of [
      await infinni.get('/scheduler/'),
      await infinni.post('/scheduler/'),
      await infinni.get('/scheduler'),
    ]) {
      expect(envelope(res)).toEqual({
        Success: true,
        Result: {
          isStarted: true,
          all: { count: 3, ref: 'http://localhost:80/scheduler/jobs?skip=0&take=10' },
          planned: { count: 2, ref: 'http://localhost:80/scheduler/jobs?state=planned&skip=0&take=10' },
          paused: { count: 1, ref: 'http://localhost:80/scheduler/jobs?state=paused&skip=0&take=10' },
        },
      });
    }
    await api.post('/api/v1/scheduler/standby');
    expect(envelope(await infinni.get('/scheduler/')).Result.isStarted).toBe(false);
  });
});

describe('jobs', () => {
  it('POST /scheduler/jobs/{id} adds (Result true); GET answers the JobInfo field by field', async () => {
    expect(envelope(await infinni.post('/scheduler/jobs/Default.Report', jobInfo()))).toEqual({
      Success: true,
      Result: true,
    });
    expect(envelope(await infinni.get('/scheduler/jobs/Default.Report'))).toEqual({
      Success: true,
      Result: {
        Id: 'Default.Report',
        Name: 'Report',
        Group: 'Default',
        State: 0,
        Description: 'Nightly report',
        HandlerType: 'MyApp.Jobs.ReportHandler, MyApp',
        CronExpression: '0 0 2 * * ?',
        MisfirePolicy: 1,
        Data: { format: 'pdf', pages: 3 },
      },
    });
    const native = (await api.get('/api/v1/jobs/Default.Report')).json();
    expect(native).toMatchObject({
      id: 'Default.Report',
      name: 'Report',
      collection: 'default',
      description: 'Nightly report',
      schedule: { type: 'cron', expression: '0 0 2 * * ?', dialect: 'quartz', dst: 'quartz' },
      catchUp: { policy: 'latest' },
      steps: [
        {
          type: 'dispatch',
          surface: 'infinni',
          action: {
            HandlerType: 'MyApp.Jobs.ReportHandler, MyApp',
            Name: 'Report',
            Group: 'Default',
            Data: { format: 'pdf', pages: 3 },
          },
        },
      ],
      state: 'enabled',
    });
  });

  it('updates; the path id wins over the body; names are read case-insensitively; enums as names too', async () => {
    await infinni.post('/scheduler/jobs/Default.Report', jobInfo());
    const res = await infinni.post('/scheduler/jobs/Default.Report', {
      Id: 'Other.Id',
      name: 'Report',
      cronExpression: '0 30 3 ? * MON-FRI',
      startTimeUtc: '2099-01-01T00:00:00Z',
      endTimeUtc: '2099-12-31T00:00:00+00:00',
      misfirePolicy: 'DoNothing',
      state: 'Paused',
      handlerType: 'H',
      data: null,
    });
    expect(envelope(res)).toEqual({ Success: true, Result: true });
    expect(envelope(await infinni.get('/scheduler/jobs/Other.Id'))).toEqual({ Success: false });
    const info = envelope(await infinni.get('/scheduler/jobs/Default.Report')).Result;
    expect(info).toEqual({
      Id: 'Default.Report',
      Name: 'Report',
      Group: 'Default',
      State: 1,
      Description: 'Nightly report',
      HandlerType: 'H',
      CronExpression: '0 30 3 ? * MON-FRI',
      StartTimeUtc: '2099-01-01T00:00:00+00:00',
      EndTimeUtc: '2099-12-31T00:00:00+00:00',
      MisfirePolicy: 0,
    });
    const native = (await api.get('/api/v1/jobs/Default.Report')).json();
    expect(native).toMatchObject({
      state: 'paused',
      catchUp: { policy: 'none' },
      schedule: { startAt: '2099-01-01T00:00:00.000Z', endAt: '2099-12-31T00:00:00.000Z' },
      status: { nextFireTime: null },
    });
  });

  it('maps a Group onto a collection of that name (Default = default)', async () => {
    await infinni.post('/scheduler/jobs/reports.daily', jobInfo({ Name: 'daily', Group: 'reports' }));
    await infinni.post('/scheduler/jobs/weekly', jobInfo({ Name: undefined, Group: undefined }));
    expect((await api.get('/api/v1/jobs/reports.daily')).json()).toMatchObject({
      collection: 'reports',
      name: 'daily',
    });
    expect((await api.get('/api/v1/jobs/weekly')).json()).toMatchObject({
      collection: 'default',
      name: 'weekly',
    });
    expect(envelope(await infinni.get('/scheduler/jobs/reports.daily')).Result).toMatchObject({
      Id: 'reports.daily',
      Name: 'daily',
      Group: 'reports',
    });
    expect(envelope(await infinni.get('/scheduler/jobs/weekly')).Result).toMatchObject({
      Id: 'weekly',
      Name: 'weekly',
      Group: 'Default',
    });
  });

  it('GET of a missing job is {"Success":false}; failures are HTTP 200 with Error', async () => {
    expect(envelope(await infinni.get('/scheduler/jobs/Default.Nothing'))).toEqual({ Success: false });
    expect(envelope(await infinni.get('/scheduler/jobs/not%20an%20id'))).toEqual({ Success: false });
    const bad = envelope(
      await infinni.post('/scheduler/jobs/Default.Bad', jobInfo({ CronExpression: '0 0 2 * * * *' })),
    );
    expect(bad).toEqual({ Success: false, Error: expect.stringMatching(/schedule\/expression/) });
    expect(
      envelope(await infinni.post('/scheduler/jobs/Default.Bad', jobInfo({ CronExpression: undefined }))),
    ).toEqual({ Success: false, Error: expect.stringMatching(/CronExpression is required/) });
    expect(
      envelope(await infinni.post('/scheduler/jobs/Default.Bad', jobInfo({ MisfirePolicy: 7 }))),
    ).toEqual({ Success: false, Error: expect.stringMatching(/MisfirePolicy/) });
    expect(envelope(await infinni.post('/scheduler/jobs/Default.Bad', '{"Name":'))).toEqual({
      Success: false,
      Error: expect.stringMatching(/not valid JSON/),
    });
    expect(envelope(await infinni.post('/scheduler/jobs/Default.Bad'))).toEqual({ Success: false });
    expect(envelope(await infinni.post('/scheduler/jobs/bad%20id', jobInfo()))).toEqual({
      Success: false,
      Error: expect.stringMatching(/sked ids/),
    });
    expect((await api.get('/api/v1/jobs?limit=1')).json().pagination.total).toBe(0);
  });

  it('DELETE answers Result true (also for a job that is not there)', async () => {
    await infinni.post('/scheduler/jobs/Default.Gone', jobInfo({ Name: 'Gone' }));
    expect(envelope(await infinni.del('/scheduler/jobs/Default.Gone'))).toEqual({
      Success: true,
      Result: true,
    });
    expect(envelope(await infinni.get('/scheduler/jobs/Default.Gone'))).toEqual({ Success: false });
    expect((await api.get('/api/v1/jobs/Default.Gone')).statusCode).toBe(404);
    expect(envelope(await infinni.del('/scheduler/jobs/Default.Gone'))).toEqual({
      Success: true,
      Result: true,
    });
  });
});

describe('lists', () => {
  const seedJobs = async (n: number) => {
    for (let i = 0; i < n; i++)
      await infinni.post(
        `/scheduler/jobs/Default.j${String(i).padStart(3, '0')}`,
        jobInfo({ Name: `j${i}`, State: i % 3 === 0 ? 1 : 0 }),
      );
  };
  const listIds = async (url: string): Promise<string[]> =>
    envelope(await infinni.get(url)).Result.map((r: { id: string }) => r.id);

  it('GET|POST /scheduler/jobs: {id, ref} items, take 10 by default, skip, state planned|paused (any case)', async () => {
    await seedJobs(12);
    const res = envelope(await infinni.get('/scheduler/jobs'));
    expect(res.Success).toBe(true);
    expect(res.Result).toHaveLength(10);
    expect(res.Result[0]).toEqual({
      id: 'Default.j000',
      ref: 'http://localhost:80/scheduler/jobs/Default.j000',
    });
    expect(await listIds('/scheduler/jobs?skip=10')).toEqual(['Default.j010', 'Default.j011']);
    expect(await listIds('/scheduler/jobs?state=paused')).toEqual([
      'Default.j000',
      'Default.j003',
      'Default.j006',
      'Default.j009',
    ]);
    expect(await listIds('/scheduler/jobs?state=PLANNED&take=3')).toEqual([
      'Default.j001',
      'Default.j002',
      'Default.j004',
    ]);
    expect(await listIds('/scheduler/jobs?state=planned&skip=6&take=3')).toEqual([
      'Default.j010',
      'Default.j011',
    ]);
    expect(await listIds('/scheduler/jobs?state=other&take=2')).toEqual(['Default.j000', 'Default.j001']);
    expect(
      envelope(await infinni.post('/scheduler/jobs?take=2')).Result.map((r: { id: string }) => r.id),
    ).toEqual(['Default.j000', 'Default.j001']);
  });

  it('clamps take to 1..100 and skip to >= 0; unreadable numbers take their defaults', async () => {
    await seedJobs(3);
    expect(await listIds('/scheduler/jobs?take=0')).toEqual(['Default.j000']);
    expect(await listIds('/scheduler/jobs?take=-5')).toEqual(['Default.j000']);
    expect(await listIds('/scheduler/jobs?skip=-4&take=2')).toEqual(['Default.j000', 'Default.j001']);
    expect(await listIds('/scheduler/jobs?take=lots')).toHaveLength(3);
    expect(await listIds('/scheduler/jobs?take=1000')).toHaveLength(3);
  });

  it('take is at most 100', async () => {
    for (let i = 0; i < 105; i++)
      await api.put(`/api/v1/jobs/n${String(i).padStart(3, '0')}`, {
        name: `n${i}`,
        schedule: { type: 'manual' },
      });
    expect(await listIds('/scheduler/jobs?take=1000')).toHaveLength(100);
    expect(envelope(await infinni.get('/scheduler/')).Result.all.count).toBe(105);
  });
});

describe('pause, resume, trigger', () => {
  const state = async (id: string) => (await api.get(`/api/v1/jobs/${id}`)).json().state;

  it('pause and resume ids split on , and ; (unknown ids are ignored); no ids = every job', async () => {
    for (const n of ['a', 'b', 'c', 'd'])
      await infinni.post(`/scheduler/jobs/Default.${n}`, jobInfo({ Name: n }));
    expect(
      envelope(await infinni.post('/scheduler/pause?ids=Default.a,Default.b;Default.c,Default.zzz')),
    ).toEqual({ Success: true, Result: true });
    expect([
      await state('Default.a'),
      await state('Default.b'),
      await state('Default.c'),
      await state('Default.d'),
    ]).toEqual(['paused', 'paused', 'paused', 'enabled']);
    expect(envelope(await infinni.get('/scheduler/jobs/Default.b')).Result.State).toBe(1);
    expect(envelope(await infinni.post('/scheduler/resume?ids=Default.b'))).toEqual({
      Success: true,
      Result: true,
    });
    expect(await state('Default.b')).toBe('enabled');
    expect(envelope(await infinni.post('/scheduler/pause'))).toEqual({ Success: true, Result: true });
    expect(envelope(await infinni.get('/scheduler/')).Result.paused.count).toBe(4);
    expect(envelope(await infinni.post('/scheduler/resume?ids='))).toEqual({ Success: true, Result: true });
    expect(envelope(await infinni.get('/scheduler/')).Result.planned.count).toBe(4);
  });

  it('trigger runs the listed jobs with the body as data, or with the job Data without one; no ids = every job', async () => {
    await infinni.post('/scheduler/jobs/Default.x', jobInfo({ Name: 'x', Data: { base: 1 } }));
    await infinni.post('/scheduler/jobs/Default.y', jobInfo({ Name: 'y', Data: { base: 2 } }));
    expect(envelope(await infinni.post('/scheduler/trigger?ids=Default.x', { reason: 'now' }))).toEqual({
      Success: true,
      Result: true,
    });
    const payloads = async (id: string) =>
      (await api.get(`/api/v1/runs?jobId=${id}`))
        .json()
        .items.map((r: { payload: unknown; trigger: string }) => [r.trigger, r.payload]);
    expect(await payloads('Default.x')).toEqual([['manual', { reason: 'now' }]]);
    expect(envelope(await infinni.post('/scheduler/trigger?ids=Default.y'))).toEqual({
      Success: true,
      Result: true,
    });
    expect(await payloads('Default.y')).toEqual([['manual', { base: 2 }]]);
    expect(envelope(await infinni.post('/scheduler/trigger'))).toEqual({ Success: true, Result: true });
    expect((await payloads('Default.x')).length + (await payloads('Default.y')).length).toBe(4);
    expect(envelope(await infinni.post('/scheduler/trigger?ids=Default.x;Default.nope'))).toEqual({
      Success: false,
      Error: expect.stringMatching(/Default\.nope/),
    });
    // The handler's dispatch carries the original fields; with no SKED_DISPATCH_INFINNI_URL it fails saying so.
    const run = await waitFor(
      async () => (await api.get('/api/v1/runs?jobId=Default.y&status=failed')).json().items[0],
      'the run of Default.y to fail',
    );
    expect(run.error ?? JSON.stringify(run.steps)).toMatch(/SKED_DISPATCH_INFINNI_URL/);
  });
});

describe('with SKED_DISPATCH_INFINNI_URL', () => {
  let target: Target;
  const flags: Record<string, unknown> = {};
  beforeAll(async () => {
    target = await startTarget();
    flags['dispatch'] = `infinni=${target.url}/handlers`;
  });
  afterAll(async () => {
    await target.close();
  });
  const own = useSked(flags);
  const post = (url: string, body?: unknown) =>
    own().app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': 'unused', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  it('a trigger POSTs the handler with its original fields; the body is the data, else the job Data', async () => {
    await post('/scheduler/jobs/reports.Report', jobInfo({ Group: 'reports' }));
    expect(envelope(await post('/scheduler/trigger?ids=reports.Report', { reason: 'now' }))).toEqual({ Success: true, Result: true });
    const first = await waitFor(async () => target.requests[0], 'the first dispatch');
    expect(first).toMatchObject({ method: 'POST', url: '/handlers' });
    expect(JSON.parse(first.body)).toEqual({
      surface: 'infinni',
      jobId: 'reports.Report',
      runId: expect.any(String),
      attempt: 1,
      scheduledFor: null,
      payload: { reason: 'now' },
      action: { HandlerType: 'MyApp.Jobs.ReportHandler, MyApp', Name: 'Report', Group: 'reports', Data: { format: 'pdf', pages: 3 } },
    });
    expect(envelope(await post('/scheduler/trigger?ids=reports.Report'))).toEqual({ Success: true, Result: true });
    const second = await waitFor(async () => target.requests[1], 'the second dispatch');
    expect(JSON.parse(second.body).payload).toEqual({ format: 'pdf', pages: 3 });
    const runs = async () =>
      (await own().app.inject({ method: 'GET', url: '/api/v1/runs?jobId=reports.Report&status=succeeded' })).json().pagination.total;
    await waitFor(async () => ((await runs()) === 2 ? true : undefined), 'both runs to succeed');
  });
});

describe('local callers only', () => {
  it('a caller that is not on this host gets 403 (SKED_LOCAL_ONLY_PATHS)', async () => {
    const res = await sked().app.inject({ method: 'GET', url: '/scheduler/', remoteAddress: '10.0.0.9' });
    expect(res.statusCode).toBe(403);
    // In InfinniPlatform's envelope, not sked's problem+json.
    expect(res.json()).toEqual({ Success: false, Error: expect.stringMatching(/only on the host/) });
    const post = await sked().app.inject({
      method: 'POST',
      url: '/scheduler/jobs/Default.r',
      remoteAddress: '10.0.0.9',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(jobInfo()),
    });
    expect(post.statusCode).toBe(403);
    expect((await api.get('/api/v1/jobs?limit=1')).json().pagination.total).toBe(0);
    const v6 = await sked().app.inject({ method: 'GET', url: '/scheduler/', remoteAddress: '::1' });
    expect(envelope(v6).Success).toBe(true);
  });

  it('a request through a reverse proxy on this host (loopback, with a forwarding header) gets 403', async () => {
    for (const proxied of [
      { 'x-forwarded-for': '198.51.100.4' },
      { forwarded: 'for="[2001:db8::1]"' },
      { 'x-real-ip': '198.51.100.4' },
    ]) {
      const post = await sked().app.inject({
        method: 'POST',
        url: '/scheduler/jobs/Default.r',
        remoteAddress: '127.0.0.1',
        headers: { 'content-type': 'application/json', ...proxied },
        payload: JSON.stringify(jobInfo()),
      });
      expect(post.statusCode, JSON.stringify(proxied)).toBe(403);
      expect(post.json()).toEqual({ Success: false, Error: expect.stringMatching(/only on the host/) });
    }
    expect((await api.get('/api/v1/jobs?limit=1')).json().pagination.total).toBe(0);
  });
});

describe('local callers only, whatever SKED_LOCAL_ONLY_PATHS says', () => {
  const open = useSked({ 'local-only-paths': '' });
  it('the surface checks the caller itself', async () => {
    const res = await open().app.inject({
      method: 'POST',
      url: '/scheduler/pause',
      remoteAddress: '10.0.0.9',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ Success: false, Error: expect.stringMatching(/only on the host/) });
    const proxied = await open().app.inject({
      method: 'POST',
      url: '/scheduler/pause',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '198.51.100.4' },
    });
    expect(proxied.statusCode).toBe(403);
    expect(proxied.json()).toEqual({ Success: false, Error: expect.stringMatching(/only on the host/) });
  });
});
