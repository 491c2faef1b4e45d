/**
 * Seed 002 (Puppet orchestrator `/scheduled_jobs`) replayed: the list with limit/offset and totals that
 * ignore them (the seed's `?limit=20&offset=20` and its `{limit: 2, offset: 5, total: 15}` page), every
 * item field (with `environment`, not the seed's misspelling), validation-error on a non-integer limit or
 * offset, DELETE 204 / 403 not-permitted ("Not authorized to delete job {id}") / 404 unknown-job, and
 * X-Authentication with sked keys.
 */

import { describe, expect, it } from 'vitest';
import { TEST_KEY } from '../../support/app-harness.js';
import { createKey, expectPuppetError, GO_CLIENT_TASK, nativeClient, puppetClient, useSked } from './support.js';

const sked = useSked();
const orch = puppetClient(sked);
const native = nativeClient(sked);

/** Schedules n tasks, the k-th at base + k minutes; returns their names. */
async function scheduleTasks(n: number, base = Date.now() + 86_400_000): Promise<string[]> {
  const names: string[] = [];
  for (let k = 0; k < n; k++) {
    const res = await orch.post('/orchestrator/v1/command/schedule_task', {
      task: 'package',
      params: { action: 'status', package: `pkg${k}` },
      scope: { nodes: [`node${k}.example.com`] },
      scheduled_time: new Date(base + k * 60_000).toISOString(),
      description: `task ${k}`,
    });
    expect(res.statusCode, res.body).toBe(202);
    names.push(res.json().scheduled_job.name);
  }
  return names;
}

const ITEM_KEYS = ['id', 'name', 'type', 'task', 'scope', 'environment', 'owner', 'description', 'scheduled_time', 'next_run', 'schedule_options', 'noop', 'job_options'];

describe('GET /orchestrator/v1/scheduled_jobs', () => {
  it('lists scheduled jobs with every documented field; environment is spelled right', async () => {
    const [name] = await scheduleTasks(1);
    const res = await orch.get('/orchestrator/v1/scheduled_jobs');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['items', 'pagination']);
    expect(body.pagination).toEqual({ limit: null, offset: 0, total: 1 });
    const item = body.items[0];
    expect(Object.keys(item)).toEqual(ITEM_KEYS);
    expect(item).not.toHaveProperty('enviroment');
    expect(item).toEqual({
      id: `http://localhost:80/orchestrator/v1/scheduled_jobs/${name}`,
      name,
      type: 'task',
      task: 'package',
      scope: { nodes: ['node0.example.com'] },
      environment: 'production',
      owner: expect.objectContaining({ id: expect.any(String), login: 'SKED_API_KEY', display_name: 'SKED_API_KEY', email: '', is_revoked: false, role_ids: [], group_ids: [] }),
      description: 'task 0',
      scheduled_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      next_run: item.scheduled_time,
      schedule_options: {},
      noop: false,
      job_options: {},
    });
    expect(name).toBe('1');
  });

  it('the seed\'s pagination: limit 2, offset 5 of 15 → 2 items, total 15 (ignoring limit and offset)', async () => {
    const names = await scheduleTasks(15);
    const res = await orch.get('/orchestrator/v1/scheduled_jobs?limit=2&offset=5');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.pagination).toEqual({ limit: 2, offset: 5, total: 15 });
    // Ascending by next run (= scheduled time for one-time jobs): the 6th and 7th scheduled.
    expect(body.items.map((i: any) => i.name)).toEqual([names[5], names[6]]);
    const seedUrl = await orch.get('/orchestrator/v1/scheduled_jobs?limit=20&offset=20');
    expect(seedUrl.json()).toEqual({ items: [], pagination: { limit: 20, offset: 20, total: 15 } });
    const tail = (await orch.get('/orchestrator/v1/scheduled_jobs?limit=20&offset=10')).json();
    expect(tail.items).toHaveLength(5);
    expect(tail.pagination.total).toBe(15);
  });

  it('order_by and order: next_run, scheduled_time, name; asc and desc', async () => {
    const names = await scheduleTasks(3, Date.now() + 86_400_000);
    // A later task made first-in-name-order would sort differently by name and by time: make one.
    const early = await orch.post('/orchestrator/v1/command/schedule_task', { ...GO_CLIENT_TASK, scheduled_time: new Date(Date.now() + 3_600_000).toISOString() });
    const earlyName = early.json().scheduled_job.name;
    const get = async (q: string) => (await orch.get(`/orchestrator/v1/scheduled_jobs?${q}`)).json().items.map((i: any) => i.name);
    expect(await get('')).toEqual([earlyName, ...names]);
    expect(await get('order_by=scheduled_time&order=desc')).toEqual([...names].reverse().concat(earlyName));
    expect(await get('order_by=name')).toEqual([...names, earlyName]);
    expect(await get('order_by=name&order=desc')).toEqual([earlyName, ...[...names].reverse()]);
    expect(await get('type=task')).toHaveLength(4);
    expect(await get('type=plan')).toEqual([]);
  });

  it('a non-integer limit or offset is a 400 puppetlabs.orchestrator/validation-error', async () => {
    for (const q of ['limit=abc', 'offset=1.5', 'limit=-1', 'offset=ten']) {
      const err = expectPuppetError(await orch.get(`/orchestrator/v1/scheduled_jobs?${q}`), 400, 'puppetlabs.orchestrator/validation-error');
      expect(Object.keys(err.details)).toEqual([q.split('=')[0]]);
    }
    expectPuppetError(await orch.get('/orchestrator/v1/scheduled_jobs?order_by=colour'), 400, 'puppetlabs.orchestrator/validation-error');
    expectPuppetError(await orch.get('/orchestrator/v1/scheduled_jobs?order=sideways'), 400, 'puppetlabs.orchestrator/validation-error');
    expectPuppetError(await orch.get('/orchestrator/v1/scheduled_jobs?type=deployment'), 400, 'puppetlabs.orchestrator/validation-error');
  });

  it('jobs made natively are listed too: a task named after the job, its next fire as scheduled_time', async () => {
    const put = await native('PUT', '/api/v1/jobs/nightly-report', { name: 'Nightly report', schedule: { type: 'cron', expression: '0 30 2 * * ?' }, steps: [{ stepIndex: 0, type: 'noop' }] });
    expect(put.statusCode, put.body).toBe(201);
    const item = (await orch.get('/orchestrator/v1/scheduled_jobs')).json().items[0];
    expect(item).toMatchObject({
      id: 'http://localhost:80/orchestrator/v1/scheduled_jobs/nightly-report',
      name: 'nightly-report',
      type: 'task',
      task: 'Nightly report',
      scope: {},
      environment: 'production',
      scheduled_time: put.json().status.nextFireTime,
      next_run: put.json().status.nextFireTime,
      job_options: { schedule: { type: 'cron', expression: '0 30 2 * * ?' } },
    });
  });
});

describe('DELETE /orchestrator/v1/scheduled_jobs/{id}', () => {
  it('204, and the job is gone from every surface', async () => {
    const [name] = await scheduleTasks(1);
    const res = await orch.del(`/orchestrator/v1/scheduled_jobs/${name}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().pagination.total).toBe(0);
    expect((await native('GET', `/api/v1/jobs/puppet-${name}`)).statusCode).toBe(404);
  });

  it('403 not-permitted "Not authorized to delete job {id}" for a viewer or operator key; the job stays', async () => {
    const [name] = await scheduleTasks(1);
    for (const role of ['viewer', 'operator'] as const) {
      const { key } = await createKey(sked, role);
      const body = expectPuppetError(await puppetClient(sked, key).del(`/orchestrator/v1/scheduled_jobs/${name}`), 403, 'puppetlabs.orchestrator/not-permitted');
      expect(body.msg).toBe(`Not authorized to delete job ${name}`);
    }
    expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().pagination.total).toBe(1);
  });

  it('404 unknown-job for a job that does not exist', async () => {
    expectPuppetError(await orch.del('/orchestrator/v1/scheduled_jobs/42'), 404, 'puppetlabs.orchestrator/unknown-job');
    expectPuppetError(await orch.del('/orchestrator/v1/scheduled_jobs/no-such-job'), 404, 'puppetlabs.orchestrator/unknown-job');
  });
});

describe('X-Authentication', () => {
  it('no token: 401 puppetlabs.rbac/user-unauthenticated; a wrong one: token-not-found; a revoked one: token-revoked', async () => {
    expectPuppetError(await puppetClient(sked, null).get('/orchestrator/v1/scheduled_jobs'), 401, 'puppetlabs.rbac/user-unauthenticated');
    expectPuppetError(await puppetClient(sked, 'sked_00000000_NotAKeyAtAllNotAKeyAtAllNotAKey00').get('/orchestrator/v1/scheduled_jobs'), 401, 'puppetlabs.rbac/token-not-found');
    const { key, id } = await createKey(sked, 'viewer');
    expect((await puppetClient(sked, key).get('/orchestrator/v1/scheduled_jobs')).statusCode).toBe(200);
    expect((await native('DELETE', `/api/v1/keys/${id}`)).statusCode).toBe(200);
    expectPuppetError(await puppetClient(sked, key).get('/orchestrator/v1/scheduled_jobs'), 401, 'puppetlabs.rbac/token-revoked');
    // sked's Bearer header is not Puppet's: the orchestrator paths read X-Authentication only (or ?token=).
    const bearer = await sked().app.inject({ method: 'GET', url: '/orchestrator/v1/scheduled_jobs', headers: { authorization: `Bearer ${TEST_KEY}` } });
    expectPuppetError(bearer, 401, 'puppetlabs.rbac/user-unauthenticated');
    const query = await sked().app.inject({ method: 'GET', url: `/orchestrator/v1/scheduled_jobs?token=${TEST_KEY}`, headers: { authorization: '' } });
    expect(query.statusCode).toBe(200);
  });

  it('a viewer lists but may not schedule: 403 not-permitted', async () => {
    const { key } = await createKey(sked, 'viewer');
    expectPuppetError(await puppetClient(sked, key).post('/orchestrator/v1/command/schedule_task', GO_CLIENT_TASK), 403, 'puppetlabs.orchestrator/not-permitted');
    expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().pagination.total).toBe(0);
  });
});
