/** Optimistic concurrency (ETag / If-Match), create-or-replace, create conflicts, and JSON merge patch. */

import { describe, expect, it } from 'vitest';
import {
  client,
  cronJobBody,
  expectInvalid,
  expectProblem,
  jobBody,
  putJob,
  snapshot,
  useSked,
} from './support.js';

const sked = useSked();
const api = client(sked);

describe('ETag and If-Match', () => {
  it('GET carries the version as a strong ETag, which follows every change', async () => {
    await putJob(api, 'j', cronJobBody());
    expect((await api.get('/api/v1/jobs/j')).headers['etag']).toBe('"1"');
    const patched = await api.patch('/api/v1/jobs/j', { description: 'x' });
    expect(patched.headers['etag']).toBe('"2"');
    expect((await api.post('/api/v1/jobs/j/pause', {})).headers['etag']).toBe('"3"');
    expect((await api.post('/api/v1/jobs/j/resume')).headers['etag']).toBe('"4"');
    expect((await api.get('/api/v1/jobs/j')).headers['etag']).toBe('"4"');
  });

  it('PUT with a matching If-Match replaces; a stale one is a 412 and changes nothing (no lost update)', async () => {
    await putJob(api, 'j', cronJobBody({ name: 'v1' }));
    const etag = (await api.get('/api/v1/jobs/j')).headers['etag'] as string;
    // Two clients read version 1; the first writes, the second is refused.
    const first = await api.put('/api/v1/jobs/j', cronJobBody({ name: 'first' }), { 'if-match': etag });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().version).toBe(2);
    const stale = (await api.get('/api/v1/jobs/j')).json();
    const body = expectProblem(
      await api.put('/api/v1/jobs/j', cronJobBody({ name: 'second' }), { 'if-match': etag }),
      412,
      'PRECONDITION_FAILED',
    );
    expect(body.detail).toMatch(/version 2/);
    expect((await api.get('/api/v1/jobs/j')).json()).toEqual(stale);
  });

  it('accepts If-Match as "3", W/"3", 3 and *', async () => {
    await putJob(api, 'j');
    for (const [i, header] of ['"1"', 'W/"2"', '3', '*'].entries()) {
      const res = await api.put('/api/v1/jobs/j', jobBody({ name: `n${i}` }), { 'if-match': header });
      expect(res.statusCode, `${header}: ${res.body}`).toBe(200);
    }
    expect((await api.get('/api/v1/jobs/j')).json().version).toBe(5);
  });

  it('PUT with If-Match on a job that does not exist is a 412, creating nothing', async () => {
    const before = await snapshot(api);
    expectProblem(
      await api.put('/api/v1/jobs/ghost', jobBody(), { 'if-match': '"1"' }),
      412,
      'PRECONDITION_FAILED',
    );
    expect(await snapshot(api)).toEqual(before);
  });

  it('PATCH and DELETE honour If-Match', async () => {
    await putJob(api, 'j');
    const job = (await api.get('/api/v1/jobs/j')).json();
    expectProblem(
      await api.patch('/api/v1/jobs/j', { name: 'x' }, { 'if-match': '"7"' }),
      412,
      'PRECONDITION_FAILED',
    );
    expectProblem(await api.del('/api/v1/jobs/j', { 'if-match': '"7"' }), 412, 'PRECONDITION_FAILED');
    expect((await api.get('/api/v1/jobs/j')).json()).toEqual(job);
    expect((await api.patch('/api/v1/jobs/j', { name: 'x' }, { 'if-match': '"1"' })).statusCode).toBe(200);
    expectProblem(await api.del('/api/v1/jobs/j', { 'if-match': '"1"' }), 412, 'PRECONDITION_FAILED');
    expect((await api.del('/api/v1/jobs/j', { 'if-match': '"2"' })).statusCode).toBe(204);
  });

  it('a malformed If-Match is a 400 naming /headers/if-match, changing nothing', async () => {
    await putJob(api, 'j');
    const before = await snapshot(api);
    for (const header of ['abc', '"1", "2"', '"-1"', 'W/', '"1.5"']) {
      expectInvalid(
        await api.put('/api/v1/jobs/j', jobBody({ name: 'x' }), { 'if-match': header }),
        '/headers/if-match',
      );
      expectInvalid(
        await api.patch('/api/v1/jobs/j', { name: 'x' }, { 'if-match': header }),
        '/headers/if-match',
      );
      expectInvalid(await api.del('/api/v1/jobs/j', { 'if-match': header }), '/headers/if-match');
    }
    expect(await snapshot(api)).toEqual(before);
  });

  it('of ten concurrent PATCHes with the same If-Match exactly one wins', async () => {
    await putJob(api, 'j');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.patch('/api/v1/jobs/j', { description: `writer ${i}` }, { 'if-match': '"1"' }),
      ),
    );
    const codes = answers.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, ...Array(9).fill(412)]);
    const winner = answers.find((r) => r.statusCode === 200)!.json();
    expect((await api.get('/api/v1/jobs/j')).json()).toMatchObject({
      version: 2,
      description: winner.description,
    });
  });
});

describe('create or replace, and create conflicts', () => {
  it('PUT creates (201) then replaces (200)', async () => {
    expect((await api.put('/api/v1/jobs/j', jobBody({ name: 'one' }))).statusCode).toBe(201);
    const res = await api.put('/api/v1/jobs/j', jobBody({ name: 'two' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'two', version: 2 });
  });

  it('ten concurrent PUTs of a new id create it once and replace it nine times', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api.put('/api/v1/jobs/race', jobBody({ name: `n${i}` }))),
    );
    expect(answers.map((r) => r.statusCode).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
    ]);
    expect((await snapshot(api)).versions).toEqual({ race: 10 });
  });

  it('POST with the id of an existing job is a 409 CONFLICT and leaves the job alone', async () => {
    // BUG: POST /api/v1/jobs with an `id` in the body goes through the create-or-replace path, so an
    // existing job with that id is silently replaced (answered 201 Created, version + 1, Location).
    // Expected: POST only creates; an existing id is a 409 CONFLICT (PUT is the way to replace).
    const job = await putJob(api, 'taken', cronJobBody({ name: 'original', labels: { keep: 'me' } }));
    const res = await api.post('/api/v1/jobs', jobBody({ id: 'taken', name: 'intruder' }));
    expectProblem(res, 409, 'CONFLICT');
    expect((await api.get('/api/v1/jobs/taken')).json()).toEqual(job);
  });
});

describe('PATCH (JSON merge patch, RFC 7396)', () => {
  it('changes only the fields given, merging nested objects', async () => {
    await putJob(
      api,
      'j',
      cronJobBody({
        description: 'before',
        labels: { team: 'billing', tier: '1' },
        schedule: { type: 'cron', expression: '0 0 1 1 *', timeZone: 'Europe/London' },
      }),
    );
    const res = await api.patch('/api/v1/jobs/j', {
      description: 'after',
      labels: { tier: '2', env: 'prod' },
      schedule: { expression: '0 0 2 1 *' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'a cron job',
      description: 'after',
      labels: { team: 'billing', tier: '2', env: 'prod' },
      schedule: { type: 'cron', expression: '0 0 2 1 *', timeZone: 'Europe/London' },
      version: 2,
    });
    expect(res.json().status.nextFireTime).toMatch(/-01-02T00:00:00\.000Z$/);
  });

  it('null removes a field (back to its default), arrays are replaced whole', async () => {
    await putJob(
      api,
      'j',
      cronJobBody({
        description: 'text',
        labels: { a: '1', b: '2' },
        timeout: 'PT1H',
        retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT1S' },
        steps: [
          { stepIndex: 0, type: 'noop' },
          { stepIndex: 1, type: 'noop' },
        ],
      }),
    );
    const res = await api.patch('/api/v1/jobs/j', {
      description: null,
      labels: { a: null },
      timeout: null,
      retry: null,
      steps: [{ stepIndex: 0, type: 'exec', command: '/bin/true' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const job = res.json();
    expect(job).toMatchObject({ description: '', labels: { b: '2' }, timeout: null, retry: null });
    expect(job.steps).toEqual([{ stepIndex: 0, type: 'exec', command: '/bin/true' }]);
  });

  it('switches the schedule kind when the old fields are removed with null', async () => {
    await putJob(api, 'j', cronJobBody());
    const res = await api.patch('/api/v1/jobs/j', {
      schedule: { type: 'interval', every: 'PT1H', expression: null },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().schedule).toEqual({ type: 'interval', every: 'PT1H' });
    // Without removing `expression` the result is not a valid interval schedule.
    expectInvalid(await api.patch('/api/v1/jobs/j', { schedule: { type: 'cron' } }), '/schedule/every');
  });

  it('"enabled": false pauses the job and true resumes it', async () => {
    await putJob(api, 'j', cronJobBody());
    const paused = (await api.patch('/api/v1/jobs/j', { enabled: false })).json();
    expect(paused.state).toBe('paused');
    expect(paused.pause).toMatchObject({ until: null });
    expect(paused.status.nextFireTime).toBeNull();
    // A patch that leaves `enabled` out keeps the job paused.
    expect((await api.patch('/api/v1/jobs/j', { description: 'x' })).json().state).toBe('paused');
    const resumed = (await api.patch('/api/v1/jobs/j', { enabled: true })).json();
    expect(resumed).toMatchObject({ state: 'enabled', pause: null });
    expect(resumed.status.nextFireTime).not.toBeNull();
  });

  it('accepts Content-Type application/merge-patch+json', async () => {
    await putJob(api, 'j', cronJobBody({ labels: { a: '1' } }));
    const res = await api.patch('/api/v1/jobs/j', JSON.stringify({ labels: { a: null, b: '2' } }), {
      'content-type': 'application/merge-patch+json',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().labels).toEqual({ b: '2' });
    expectInvalid(
      await api.patch('/api/v1/jobs/j', '{"labels":', { 'content-type': 'application/merge-patch+json' }),
    );
  });

  it('validates the patched result like a PUT body, changing nothing when it is invalid', async () => {
    const job = await putJob(api, 'j', cronJobBody());
    expectInvalid(await api.patch('/api/v1/jobs/j', { nmae: 'typo' }), '/nmae');
    expectInvalid(await api.patch('/api/v1/jobs/j', { schedule: { timezone: 'UTC' } }), '/schedule/timezone');
    expectInvalid(await api.patch('/api/v1/jobs/j', { name: null }), '/name');
    expectInvalid(await api.patch('/api/v1/jobs/j', { schedule: null }), '/schedule');
    expectInvalid(await api.patch('/api/v1/jobs/j', { schedule: { expression: '0 0 30 2 *' } }), '/schedule');
    expectInvalid(
      await api.patch('/api/v1/jobs/j', { schedule: { timeZone: 'Nowhere/Land' } }),
      '/schedule/timeZone',
    );
    expectInvalid(
      await api.patch('/api/v1/jobs/j', {
        steps: [{ stepIndex: 0, type: 'exec', command: 'x', timeout: 'PT' }],
      }),
      '/steps/0/timeout',
    );
    expectInvalid(await api.patch('/api/v1/jobs/j', { name: 'n'.repeat(201) }), '/name');
    expectInvalid(await api.patch('/api/v1/jobs/j', [{ op: 'replace', path: '/name', value: 'x' }]));
    expectInvalid(
      await api.patch('/api/v1/jobs/j', 'null', { 'content-type': 'application/merge-patch+json' }),
    );
    expect((await api.get('/api/v1/jobs/j')).json()).toEqual(job);
  });

  it('answers 404 for an unknown job', async () => {
    expectProblem(await api.patch('/api/v1/jobs/nope', { name: 'x' }), 404, 'NOT_FOUND');
  });

  it('refuses a patch that changes the id, like PUT does', async () => {
    // BUG: PATCH /api/v1/jobs/j {"id": "other"} answers 200 and bumps the version while silently
    // ignoring the id (PUT with a different body id is a 400 naming /id). Expected: 400 naming /id.
    const job = await putJob(api, 'j');
    expectInvalid(await api.patch('/api/v1/jobs/j', { id: 'other' }), '/id');
    expect((await api.get('/api/v1/jobs/j')).json()).toEqual(job);
  });
});
