/** Jobs: create (POST with a generated id, PUT with an id), read, replace, delete; the job's shape. */

import { describe, expect, it } from 'vitest';
import {
  client,
  cronJobBody,
  expectProblem,
  jobBody,
  putJob,
  snapshot,
  TOMORROW,
  trigger,
  useSked,
  waitForRun,
  FINISHED,
} from './support.js';

const sked = useSked();
const api = client(sked);

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /api/v1/jobs', () => {
  it('creates a job with a generated id: 201, Location, ETag and the job with its defaults', async () => {
    const res = await api.post('/api/v1/jobs', {
      name: 'Nightly report',
      schedule: { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'Europe/London' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const job = res.json();
    expect(job.id).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    expect(res.headers['location']).toBe(`/api/v1/jobs/${job.id}`);
    expect(res.headers['etag']).toBe('"1"');
    expect(job).toMatchObject({
      name: 'Nightly report',
      description: '',
      collection: 'default',
      labels: {},
      schedule: { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'Europe/London' },
      steps: [],
      retry: null,
      overlap: 'skip',
      catchUp: { policy: 'latest', window: 'PT1H' },
      timeout: null,
      state: 'enabled',
      pause: null,
      status: { lastFireTime: null, lastRun: null, runCount: 0, failureCount: 0 },
      version: 1,
    });
    expect(job.status.nextFireTime).toMatch(ISO_MS);
    expect(job.createdAt).toMatch(ISO_MS);
    expect(job.updatedAt).toBe(job.createdAt);
    // The Location answers with the same job.
    const again = await api.get(res.headers['location'] as string);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(job);
  });

  it('generates a different id for each job', async () => {
    const a = (await api.post('/api/v1/jobs', jobBody())).json();
    const b = (await api.post('/api/v1/jobs', jobBody())).json();
    expect(a.id).not.toBe(b.id);
    expect((await snapshot(api)).total).toBe(2);
  });

  it('keeps every field it was given (a full job round-trips)', async () => {
    const body = {
      name: 'Full',
      description: 'every field',
      collection: 'billing',
      labels: { team: 'billing', tier: '1' },
      schedule: {
        type: 'cron',
        expression: '0 30 2 * * ?',
        dialect: 'quartz',
        timeZone: 'Europe/London',
        dst: 'quartz',
        startAt: '2026-01-01T00:00:00Z',
      },
      steps: [
        {
          stepIndex: 0,
          name: 'export',
          type: 'exec',
          command: '/usr/local/bin/export',
          args: ['--full'],
          cwd: '/tmp',
          env: { A: '1' },
          timeout: 'PT10M',
        },
        {
          stepIndex: 1,
          name: 'notify',
          type: 'http',
          request: {
            method: 'POST',
            url: 'https://hooks.example.com/x',
            headers: { 'X-A': 'b' },
            body: '{}',
            auth: { type: 'bearer', token: 't' },
          },
          expectStatus: [200, 201],
          continueOnFailure: true,
        },
        {
          stepIndex: 1,
          type: 'shell',
          script: 'echo hi',
          shell: '/bin/sh',
          retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT1S' },
        },
        { stepIndex: 2, type: 'sql', connection: 'sqlite:/tmp/x.db', sql: 'select 1' },
        { stepIndex: 3, type: 'noop', delay: 'PT0.1S' },
      ],
      onFailure: [{ stepIndex: 0, type: 'exec', command: '/bin/true' }],
      retry: {
        maxAttempts: 3,
        backoff: 'exponential',
        interval: 'PT30S',
        maxInterval: 'PT10M',
        onExhausted: 'fault',
      },
      overlap: 'bufferOne',
      catchUp: { policy: 'all', window: 'PT2H' },
      timeout: 'PT1H',
      extensions: { azure: { jobCollection: 'c' } },
    };
    const res = await api.put('/api/v1/jobs/full', body);
    expect(res.statusCode, res.body).toBe(201);
    const job = res.json();
    const { extensions, ...rest } = body;
    // Secrets come back as *** (the bearer token here); everything else exactly as sent.
    const shown = JSON.parse(JSON.stringify(rest).replace('"token":"t"', '"token":"***"'));
    expect(job).toMatchObject({ id: 'full', ...shown });
    expect(job.extensions).toEqual(extensions);
    expect((await api.get('/api/v1/jobs/full')).json()).toEqual(job);
  });

  it('accepts every schedule kind', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const kinds = [
      { type: 'cron', expression: '*/5 * * * *' },
      { type: 'cron', expression: '0 0/5 * * * ?' },
      { type: 'cron', expression: '0 0 12 ? * MON-FRI 2099', dialect: 'quartz' },
      { type: 'cron', expression: '0 12 * * 1-5', dialect: 'unix', timeZone: 'America/New_York' },
      { type: 'interval', every: 'PT15M' },
      { type: 'interval', every: 'PT1H', startAt: '2026-01-01T00:00:00Z', repeatCount: 100000 },
      { type: 'once', at: future },
      { type: 'daily', times: ['09:00', '17:30'], daysOfWeek: [1, 2, 3, 4, 5], timeZone: 'Europe/Paris' },
      {
        type: 'window',
        every: 'PT30M',
        from: '09:00',
        to: '17:00',
        daysOfWeek: [1, 5],
        timeZone: 'Asia/Tokyo',
      },
      {
        type: 'recurrence',
        frequency: 'week',
        interval: 2,
        startAt: '2026-01-01T00:00:00Z',
        schedule: { weekDays: ['monday'], hours: [9], minutes: [0] },
        timeZone: 'UTC',
      },
      {
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T00:00:00Z',
        schedule: { monthlyOccurrences: [{ day: 'friday', occurrence: -1 }] },
      },
      { type: 'manual' },
    ];
    for (const schedule of kinds) {
      const res = await api.post('/api/v1/jobs', jobBody({ schedule }));
      expect(res.statusCode, `${JSON.stringify(schedule)}: ${res.body}`).toBe(201);
      const job = res.json();
      expect(job.schedule).toEqual(schedule);
      if (schedule.type === 'manual') expect(job.status.nextFireTime).toBeNull();
      else expect(job.status.nextFireTime, JSON.stringify(schedule)).toMatch(ISO_MS);
    }
    expect((await snapshot(api)).total).toBe(kinds.length);
  });

  it('computes nextFireTime in the schedule time zone', async () => {
    // Midnight on January 1st in Tokyo is 15:00 UTC on December 31st.
    const job = await putJob(
      api,
      'tokyo',
      cronJobBody({ schedule: { type: 'cron', expression: '0 0 1 1 *', timeZone: 'Asia/Tokyo' } }),
    );
    expect(job.status.nextFireTime).toMatch(/^\d{4}-12-31T15:00:00\.000Z$/);
  });

  it('with "enabled": false creates the job paused, with no next fire', async () => {
    const res = await api.post('/api/v1/jobs', cronJobBody({ enabled: false }));
    expect(res.statusCode).toBe(201);
    const job = res.json();
    expect(job.state).toBe('paused');
    expect(job.pause).toMatchObject({
      reason: expect.any(String),
      until: null,
      pausedAt: expect.stringMatching(ISO_MS),
    });
    expect(job.status.nextFireTime).toBeNull();
    expect(job).not.toHaveProperty('enabled');
  });

  it('takes an id in the body as the job id', async () => {
    const res = await api.post('/api/v1/jobs', jobBody({ id: 'chosen.id_1-x' }));
    expect(res.statusCode).toBe(201);
    expect(res.json().id).toBe('chosen.id_1-x');
    expect(res.headers['location']).toBe('/api/v1/jobs/chosen.id_1-x');
  });
});

describe('GET /api/v1/jobs/{id}', () => {
  it('reads a job with its ETag', async () => {
    await putJob(api, 'one');
    const res = await api.get('/api/v1/jobs/one');
    expect(res.statusCode).toBe(200);
    expect(res.headers['etag']).toBe('"1"');
    expect(res.json()).toMatchObject({ id: 'one', name: 'a job', version: 1 });
  });

  it('answers 404 NOT_FOUND for an unknown id', async () => {
    const body = expectProblem(await api.get('/api/v1/jobs/nope'), 404, 'NOT_FOUND');
    expect(body.detail).toContain('nope');
  });
});

describe('PUT /api/v1/jobs/{id}', () => {
  it('creates (201 with Location) and then replaces (200, version + 1, no Location)', async () => {
    const created = await api.put('/api/v1/jobs/nightly', cronJobBody({ name: 'first', labels: { a: '1' } }));
    expect(created.statusCode).toBe(201);
    expect(created.headers['location']).toBe('/api/v1/jobs/nightly');
    const replaced = await api.put('/api/v1/jobs/nightly', cronJobBody({ name: 'second' }));
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.headers['location']).toBeUndefined();
    expect(replaced.headers['etag']).toBe('"2"');
    const job = replaced.json();
    // A replacement: fields left out go back to their defaults.
    expect(job).toMatchObject({ id: 'nightly', name: 'second', labels: {}, version: 2 });
    expect(job.createdAt).toBe(created.json().createdAt);
    expect((await snapshot(api)).total).toBe(1);
  });

  it('accepts the same id in the body, and refuses a different one naming /id', async () => {
    expect((await api.put('/api/v1/jobs/same', jobBody({ id: 'same' }))).statusCode).toBe(201);
    const before = await snapshot(api);
    expectProblem(
      await api.put('/api/v1/jobs/same', jobBody({ id: 'other' })),
      400,
      'VALIDATION_ERROR',
      '/id',
    );
    expect(await snapshot(api)).toEqual(before);
  });

  it('keeps a paused job paused when "enabled" is left out, and resumes it with "enabled": true', async () => {
    await putJob(api, 'p', cronJobBody({ enabled: false }));
    const kept = (await api.put('/api/v1/jobs/p', cronJobBody({ name: 'renamed' }))).json();
    expect(kept.state).toBe('paused');
    const resumed = (await api.put('/api/v1/jobs/p', cronJobBody({ enabled: true }))).json();
    expect(resumed.state).toBe('enabled');
    expect(resumed.pause).toBeNull();
    expect(resumed.status.nextFireTime).toMatch(ISO_MS);
  });
});

describe('DELETE /api/v1/jobs/{id}', () => {
  it('deletes (204, empty body), then the job is gone (404) and no longer listed', async () => {
    await putJob(api, 'gone');
    await putJob(api, 'stays');
    const res = await api.del('/api/v1/jobs/gone');
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectProblem(await api.get('/api/v1/jobs/gone'), 404, 'NOT_FOUND');
    expect(Object.keys((await snapshot(api)).versions)).toEqual(['stays']);
    expectProblem(await api.del('/api/v1/jobs/gone'), 404, 'NOT_FOUND');
  });

  it("deletes the job's runs with it, cancelling a running one", async () => {
    await putJob(
      api,
      'busy',
      jobBody({ steps: [{ stepIndex: 0, type: 'exec', command: 'sleep', args: ['30'] }] }),
    );
    const runId = await trigger(api, 'busy');
    await waitForRun(api, runId, ['running']);
    const started = Date.now();
    expect((await api.del('/api/v1/jobs/busy')).statusCode).toBe(204);
    expect(Date.now() - started).toBeLessThan(15_000);
    expectProblem(await api.get(`/api/v1/runs/${runId}`), 404, 'NOT_FOUND');
    expect((await api.get('/api/v1/runs?status=running')).json().pagination.total).toBe(0);
  });
});

describe('GET /api/v1/jobs/{id}/runs and /fires', () => {
  it("lists a job's runs newest first, paginated, without step output", async () => {
    await putJob(
      api,
      'echo',
      jobBody({
        steps: [{ stepIndex: 0, type: 'exec', command: '/bin/echo', args: ['hi'] }],
        overlap: 'allow',
      }),
    );
    await putJob(api, 'other', jobBody({ steps: [{ stepIndex: 0, type: 'noop' }] }));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await trigger(api, 'echo'));
    await trigger(api, 'other');
    for (const id of ids) await waitForRun(api, id, FINISHED);
    const res = await api.get('/api/v1/jobs/echo/runs');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.pagination).toEqual({ limit: 50, offset: 0, total: 3 });
    expect(body.items.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    expect(body.items[0].steps[0]).not.toHaveProperty('output');
    const page = (await api.get('/api/v1/jobs/echo/runs?limit=1&offset=1')).json();
    expect(page.items.map((r: { id: string }) => r.id)).toEqual([ids[1]]);
    expect(page.pagination).toEqual({ limit: 1, offset: 1, total: 3 });
    const succeeded = (await api.get('/api/v1/jobs/echo/runs?status=succeeded')).json();
    expect(succeeded.pagination.total).toBe(3);
    expect((await api.get('/api/v1/jobs/echo/runs?status=failed')).json().pagination.total).toBe(0);
    expectProblem(await api.get('/api/v1/jobs/nope/runs'), 404, 'NOT_FOUND');
  });

  it('lists the next planned fires of an enabled job, and none for a manual or paused one', async () => {
    await putJob(api, 'hourly', {
      name: 'hourly',
      schedule: { type: 'cron', expression: '0 * * * *', startAt: TOMORROW },
    });
    const res = await api.get('/api/v1/jobs/hourly/fires');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items).toEqual([]);
    expect(body.pagination).toEqual({ limit: 50, offset: 0, total: 0 });
    expect(body.next.length).toBe(10);
    const times = body.next.map((n: { scheduledFor: string }) => Date.parse(n.scheduledFor));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(3_600_000);
    for (const t of times) expect(new Date(t).getUTCMinutes()).toBe(0);

    await putJob(api, 'manual');
    expect((await api.get('/api/v1/jobs/manual/fires')).json().next).toEqual([]);
    await api.post('/api/v1/jobs/hourly/pause', {});
    expect((await api.get('/api/v1/jobs/hourly/fires')).json().next).toEqual([]);
    expectProblem(await api.get('/api/v1/jobs/nope/fires'), 404, 'NOT_FOUND');
  });
});
