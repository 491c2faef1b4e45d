/** Collections: CRUD, quotas (maxJobs, minInterval) enforced on job writes, deleting non-empty ones. */

import { describe, expect, it } from 'vitest';
import {
  client,
  cronJobBody,
  expectInvalid,
  expectProblem,
  jobBody,
  putJob,
  snapshot,
  TOMORROW,
  useSked,
} from './support.js';

const sked = useSked();
const api = client(sked);

const everyMinute = { type: 'cron', expression: '* * * * *' };
// Starting tomorrow: no fire lands in the middle of a test.
const hourly = { type: 'cron', expression: '0 * * * *', startAt: TOMORROW };

describe('collections CRUD', () => {
  it('has a default collection that cannot be deleted', async () => {
    const list = await api.get('/api/v1/collections');
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([
      expect.objectContaining({ name: 'default', maxJobs: null, minInterval: null }),
    ]);
    expect((await api.get('/api/v1/collections/default')).json().name).toBe('default');
    expectProblem(await api.del('/api/v1/collections/default'), 409, 'CONFLICT');
    expect((await api.get('/api/v1/collections/default')).statusCode).toBe(200);
  });

  it('PUT creates (201) then changes (200), keeping fields left out and clearing fields set to null', async () => {
    const created = await api.put('/api/v1/collections/billing', {
      description: 'the billing team',
      maxJobs: 10,
      minInterval: 'PT1M',
    });
    expect(created.statusCode, created.body).toBe(201);
    const c = created.json();
    expect(c).toMatchObject({
      name: 'billing',
      description: 'the billing team',
      maxJobs: 10,
      minInterval: 'PT1M',
    });
    expect(c.createdAt).toMatch(/Z$/);

    const changed = await api.put('/api/v1/collections/billing', { maxJobs: 20 });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'billing',
      description: 'the billing team',
      maxJobs: 20,
      minInterval: 'PT1M',
      createdAt: c.createdAt,
    });

    const cleared = (
      await api.put('/api/v1/collections/billing', { maxJobs: null, minInterval: null })
    ).json();
    expect(cleared).toMatchObject({ maxJobs: null, minInterval: null });
    expect((await api.get('/api/v1/collections/billing')).json()).toEqual(cleared);
    expect(
      (await api.get('/api/v1/collections'))
        .json()
        .items.map((x: { name: string }) => x.name)
        .sort(),
    ).toEqual(['billing', 'default']);
  });

  it('is created on first use by a job, without quotas', async () => {
    await putJob(api, 'j', jobBody({ collection: 'adhoc' }));
    expect((await api.get('/api/v1/collections/adhoc')).json()).toMatchObject({
      name: 'adhoc',
      maxJobs: null,
      minInterval: null,
    });
    expect((await api.get('/api/v1/jobs?collection=adhoc')).json().pagination.total).toBe(1);
  });

  it('deletes an empty collection (204, then 404); refuses a non-empty one (409) until its jobs are gone', async () => {
    await api.put('/api/v1/collections/team', {});
    await putJob(api, 'j', jobBody({ collection: 'team' }));
    const body = expectProblem(await api.del('/api/v1/collections/team'), 409, 'CONFLICT');
    expect(body.detail).toContain('team');
    expect((await api.get('/api/v1/jobs/j')).statusCode).toBe(200);
    expect((await api.del('/api/v1/jobs/j')).statusCode).toBe(204);
    const res = await api.del('/api/v1/collections/team');
    expect(res.statusCode).toBe(204);
    expectProblem(await api.get('/api/v1/collections/team'), 404, 'NOT_FOUND');
    expectProblem(await api.del('/api/v1/collections/team'), 404, 'NOT_FOUND');
  });

  it('refuses invalid bodies and names naming the field, writing nothing', async () => {
    await api.put('/api/v1/collections/c', { maxJobs: 5 });
    const before = await snapshot(api);
    const cBefore = (await api.get('/api/v1/collections/c')).json();
    expectInvalid(await api.put('/api/v1/collections/c', { maxJobs: -1 }), '/maxJobs');
    expectInvalid(await api.put('/api/v1/collections/c', { maxJobs: 1.5 }), '/maxJobs');
    expectInvalid(await api.put('/api/v1/collections/c', { maxJobs: '5' }), '/maxJobs');
    expectInvalid(await api.put('/api/v1/collections/c', { minInterval: 'PTX' }), '/minInterval');
    expectInvalid(await api.put('/api/v1/collections/c', { minInterval: '5m' }), '/minInterval');
    expectInvalid(await api.put('/api/v1/collections/c', { description: 'd'.repeat(1001) }), '/description');
    expectInvalid(await api.put('/api/v1/collections/c', { quota: 1 }), '/quota');
    expectInvalid(await api.put('/api/v1/collections/c', []));
    expectInvalid(await api.put('/api/v1/collections/a%20b', {}), '/path/name');
    expectInvalid(await api.put('/api/v1/collections/new', { minInterval: 'PTX' }), '/minInterval');
    expect(await snapshot(api)).toEqual(before);
    expect((await api.get('/api/v1/collections/c')).json()).toEqual(cBefore);
    expectProblem(await api.get('/api/v1/collections/nope'), 404, 'NOT_FOUND');
  });

  it('lists collections with pagination, like every list endpoint', async () => {
    // BUG/GAP: PRODUCT.md: "Every list endpoint takes limit and offset and answers
    // {items, pagination: {limit, offset, total}}". GET /api/v1/collections answers {items} only and
    // ignores limit/offset (GET /api/v1/nodes likewise; /triggers has limit only, default 100).
    await api.put('/api/v1/collections/a', {});
    const res = await api.get('/api/v1/collections?limit=1&offset=0');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(1);
    expect(res.json().pagination).toEqual({ limit: 1, offset: 0, total: 2 });
  });
});

describe('quotas', () => {
  it('maxJobs: the job beyond it is a 409 QUOTA_EXCEEDED, and nothing is written', async () => {
    await api.put('/api/v1/collections/small', { maxJobs: 2 });
    await putJob(api, 'one', jobBody({ collection: 'small' }));
    expect((await api.post('/api/v1/jobs', jobBody({ collection: 'small' }))).statusCode).toBe(201);
    const before = await snapshot(api);
    const body = expectProblem(
      await api.post('/api/v1/jobs', jobBody({ collection: 'small' })),
      409,
      'QUOTA_EXCEEDED',
    );
    expect(body.detail).toContain('small');
    expectProblem(
      await api.put('/api/v1/jobs/three', jobBody({ collection: 'small' })),
      409,
      'QUOTA_EXCEEDED',
    );
    expect(await snapshot(api)).toEqual(before);
    // Replacing a job already in the collection does not count twice.
    expect(
      (await api.put('/api/v1/jobs/one', jobBody({ collection: 'small', name: 'renamed' }))).statusCode,
    ).toBe(200);
  });

  it('maxJobs: moving a job into a full collection is refused, and the job is unchanged', async () => {
    await api.put('/api/v1/collections/full', { maxJobs: 1 });
    await putJob(api, 'inside', jobBody({ collection: 'full' }));
    const outside = await putJob(api, 'outside');
    expectProblem(await api.patch('/api/v1/jobs/outside', { collection: 'full' }), 409, 'QUOTA_EXCEEDED');
    expectProblem(
      await api.put('/api/v1/jobs/outside', jobBody({ collection: 'full' })),
      409,
      'QUOTA_EXCEEDED',
    );
    expect((await api.get('/api/v1/jobs/outside')).json()).toEqual(outside);
  });

  it('maxJobs: 0 admits no job; a quota below the current count is refused', async () => {
    await api.put('/api/v1/collections/closed', { maxJobs: 0 });
    expectProblem(await api.post('/api/v1/jobs', jobBody({ collection: 'closed' })), 409, 'QUOTA_EXCEEDED');
    await api.put('/api/v1/collections/busy', {});
    await putJob(api, 'a', jobBody({ collection: 'busy' }));
    await putJob(api, 'b', jobBody({ collection: 'busy' }));
    expectProblem(await api.put('/api/v1/collections/busy', { maxJobs: 1 }), 409, 'QUOTA_EXCEEDED');
    expect((await api.get('/api/v1/collections/busy')).json().maxJobs).toBeNull();
    expect((await api.put('/api/v1/collections/busy', { maxJobs: 2 })).statusCode).toBe(200);
  });

  it('minInterval: a schedule firing more often is a 409 QUOTA_EXCEEDED naming the gap', async () => {
    await api.put('/api/v1/collections/slow', { minInterval: 'PT1H' });
    const before = await snapshot(api);
    const body = expectProblem(
      await api.post('/api/v1/jobs', cronJobBody({ collection: 'slow', schedule: everyMinute })),
      409,
      'QUOTA_EXCEEDED',
    );
    expect(body.detail).toContain('PT1H');
    expect(body.detail).toContain('PT1M');
    expectProblem(
      await api.post(
        '/api/v1/jobs',
        cronJobBody({ collection: 'slow', schedule: { type: 'interval', every: 'PT30M' } }),
      ),
      409,
      'QUOTA_EXCEEDED',
    );
    expectProblem(
      await api.post(
        '/api/v1/jobs',
        cronJobBody({ collection: 'slow', schedule: { type: 'daily', times: ['09:00', '09:30'] } }),
      ),
      409,
      'QUOTA_EXCEEDED',
    );
    expect(await snapshot(api)).toEqual(before);
    // Exactly the quota, rarer, and manual jobs are admitted.
    expect(
      (await api.post('/api/v1/jobs', cronJobBody({ collection: 'slow', schedule: hourly }))).statusCode,
    ).toBe(201);
    expect(
      (
        await api.post(
          '/api/v1/jobs',
          cronJobBody({ collection: 'slow', schedule: { type: 'interval', every: 'PT2H' } }),
        )
      ).statusCode,
    ).toBe(201);
    expect((await api.post('/api/v1/jobs', jobBody({ collection: 'slow' }))).statusCode).toBe(201);
  });

  it('minInterval: changing a job to fire more often is refused, and the job is unchanged', async () => {
    await api.put('/api/v1/collections/slow', { minInterval: 'PT1H' });
    const job = await putJob(api, 'j', cronJobBody({ collection: 'slow', schedule: hourly }));
    expectProblem(
      await api.patch('/api/v1/jobs/j', { schedule: { expression: '*/5 * * * *' } }),
      409,
      'QUOTA_EXCEEDED',
    );
    expectProblem(
      await api.put('/api/v1/jobs/j', cronJobBody({ collection: 'slow', schedule: everyMinute })),
      409,
      'QUOTA_EXCEEDED',
    );
    expect((await api.get('/api/v1/jobs/j')).json()).toEqual(job);
  });
});
