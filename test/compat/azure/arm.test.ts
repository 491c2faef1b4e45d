/**
 * Azure Resource Manager Scheduler (2016-03-01, SEED-APIS §2 ARM): job collections (PUT 201/200,
 * GET, PATCH, DELETE, lists, enable / disable), jobs (PUT 201/200, GET, PATCH, DELETE, run, list
 * `{value, nextLink}`, history), PascalCase enums, `Occurrence`, quotas (409) and `{error:{code,message}}`.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_FLAGS, useSked, waitFor } from '../../api/support.js';
import { API, arm, ARM_RG, startTarget, SUB, TOMORROW, type Res, type Target } from './support.js';

const sked = useSked(TEST_FLAGS);
const api = arm(sked);
const native = (url: string) => sked().app.inject({ url });

let target: Target;
beforeEach(async () => {
  target = await startTarget();
});
afterEach(async () => {
  await target.close();
});

const JC_ID = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Scheduler/jobCollections/jc1`;

async function putCollection(properties: Record<string, unknown> = { sku: { name: 'Standard' } }, extra: Record<string, unknown> = {}): Promise<Res> {
  return api.put(`${ARM_RG}/jc1?${API}`, { location: 'North Europe', properties, ...extra });
}

function expectArmError(res: Res, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
}

function armJob(properties: Record<string, unknown> = {}): Record<string, unknown> {
  return { properties: { startTime: TOMORROW(), action: { type: 'Http', request: { uri: `${target.url}/arm`, method: 'GET' } }, recurrence: { frequency: 'Hour', interval: 1 }, ...properties } };
}

describe('job collections', () => {
  it('PUT creates (201) then replaces (200) the collection resource; GET and both lists show it', async () => {
    const created = await putCollection({ sku: { name: 'Free' }, quota: { maxJobCount: 3, maxJobOccurrence: 100, maxRecurrence: { frequency: 'Hour', interval: 2 } } }, { tags: { env: 'test' } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      id: JC_ID,
      type: 'Microsoft.Scheduler/jobCollections',
      name: 'jc1',
      location: 'North Europe',
      tags: { env: 'test' },
      properties: { sku: { name: 'Free' }, state: 'Enabled', quota: { maxJobCount: 3, maxJobOccurrence: 100, maxRecurrence: { frequency: 'Hour', interval: 2 } } },
    });
    expect((await native('/api/v1/collections/jc1')).json()).toMatchObject({ maxJobs: 3, minInterval: 'PT2H' });
    const replaced = await putCollection({ sku: { name: 'P20Premium' } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().properties).toEqual({ sku: { name: 'P20Premium' }, state: 'Enabled', quota: { maxJobCount: 1000, maxRecurrence: { frequency: 'Minute', interval: 1 } } });
    expect(replaced.json().tags).toEqual({});
    expect((await api.get(`${ARM_RG}/jc1?${API}`)).json()).toEqual(replaced.json());

    const inGroup = (await api.get(`${ARM_RG}?${API}`)).json();
    expect(inGroup.value.map((c: { id: string }) => c.id)).toEqual([`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Scheduler/jobCollections/default`, JC_ID]);
    const inSubscription = (await api.get(`/subscriptions/${SUB}/providers/Microsoft.Scheduler/jobCollections?${API}`)).json();
    expect(inSubscription.value.map((c: { id: string }) => c.id)).toContain(JC_ID);
  });

  it('PATCH changes what it sends and keeps the rest', async () => {
    await putCollection({ sku: { name: 'Standard' }, quota: { maxJobCount: 20 } }, { tags: { a: '1' } });
    const res = await api.patch(`${ARM_RG}/jc1?${API}`, { tags: { b: '2' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ location: 'North Europe', tags: { b: '2' }, properties: { sku: { name: 'Standard' }, quota: { maxJobCount: 20 } } });
    const quota = await api.patch(`${ARM_RG}/jc1?${API}`, { properties: { quota: { maxRecurrence: { frequency: 'Minute', interval: 5 } } } });
    expect(quota.json().properties.quota).toEqual({ maxJobCount: 20, maxRecurrence: { frequency: 'Minute', interval: 5 } });
    expectArmError(await api.patch(`${ARM_RG}/none?${API}`, { tags: {} }), 404, 'ResourceNotFound');
  });

  it('POST disable / enable stop and restart the jobs (state Disabled / Enabled); PUT state Disabled does the same', async () => {
    await putCollection();
    await api.put(`${ARM_RG}/jc1/jobs/a?${API}`, armJob());
    await api.put(`${ARM_RG}/jc1/jobs/b?${API}`, armJob());
    expect((await api.post(`${ARM_RG}/jc1/disable?${API}`)).statusCode).toBe(200);
    expect((await api.get(`${ARM_RG}/jc1?${API}`)).json().properties.state).toBe('Disabled');
    expect((await native('/api/v1/jobs/jc1.a')).json()).toMatchObject({ state: 'paused', pause: { reason: 'job collection disabled' } });
    expect((await api.post(`${ARM_RG}/jc1/enable?${API}`)).statusCode).toBe(200);
    expect((await api.get(`${ARM_RG}/jc1/jobs/b?${API}`)).json().properties.state).toBe('Enabled');
    const off = await putCollection({ sku: { name: 'Standard' }, state: 'Disabled' });
    expect(off.json().properties.state).toBe('Disabled');
    expect((await api.get(`${ARM_RG}/jc1/jobs/a?${API}`)).json().properties.state).toBe('Disabled');
  });

  it('DELETE removes the collection and its jobs (200), then 404', async () => {
    await putCollection();
    await api.put(`${ARM_RG}/jc1/jobs/a?${API}`, armJob());
    expect((await api.del(`${ARM_RG}/jc1?${API}`)).statusCode).toBe(200);
    expect((await native('/api/v1/jobs/jc1.a')).statusCode).toBe(404);
    expectArmError(await api.get(`${ARM_RG}/jc1?${API}`), 404, 'ResourceNotFound');
  });
});

describe('jobs', () => {
  it('PUT creates (201) and replaces (200) an ARM job resource, PascalCase enums and Occurrence; GET reads it', async () => {
    await putCollection();
    const start = TOMORROW();
    const body = {
      properties: {
        startTime: start,
        state: 'Enabled',
        action: {
          type: 'Https',
          request: { uri: 'https://example.com/hook', method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, authentication: { type: 'Basic', username: 'u', password: 'secret-pw' } },
          retryPolicy: { retryType: 'Fixed', retryInterval: 'PT5M', retryCount: 3 },
          errorAction: { type: 'ServiceBusTopic', serviceBusTopicMessage: { topicPath: 'alerts', namespace: 'ns', message: 'failed', transportType: 'AMQP' } },
        },
        recurrence: { frequency: 'Month', interval: 2, count: 12, schedule: { monthlyOccurrences: [{ day: 'Monday', Occurrence: 1 }], hours: [8], minutes: [15] } },
      },
    };
    const created = await api.put(`${ARM_RG}/jc1/jobs/job1?${API}`, body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      id: `${JC_ID}/jobs/job1`,
      type: 'Microsoft.Scheduler/jobCollections/jobs',
      name: 'jc1/job1',
      properties: {
        startTime: new Date(start).toISOString(),
        action: {
          type: 'Https',
          request: { uri: 'https://example.com/hook', method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, authentication: { type: 'Basic', username: 'u' } },
          retryPolicy: { retryType: 'Fixed', retryInterval: 'PT5M', retryCount: 3 },
          errorAction: { type: 'ServiceBusTopic', serviceBusTopicMessage: { topicPath: 'alerts', namespace: 'ns', message: 'failed', transportType: 'AMQP' } },
        },
        recurrence: { frequency: 'Month', interval: 2, count: 12, schedule: { monthlyOccurrences: [{ day: 'Monday', Occurrence: 1 }], hours: [8], minutes: [15] } },
        state: 'Enabled',
        status: { nextExecutionTime: expect.any(String), executionCount: 0, failureCount: 0, faultedCount: 0 },
      },
    });
    const next = new Date(created.json().properties.status.nextExecutionTime);
    expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([1, 8, 15]);
    expect(next.getUTCDate()).toBeLessThanOrEqual(7);
    expect((await api.get(`${ARM_RG}/jc1/jobs/job1?${API}`)).json()).toEqual(created.json());
    const replaced = await api.put(`${ARM_RG}/jc1/jobs/job1?${API}`, armJob({ state: 'Disabled' }));
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().properties).toMatchObject({ state: 'Disabled', recurrence: { frequency: 'Hour', interval: 1 }, action: { type: 'Http' } });
  });

  it('PATCH keeps what it does not send; {state: Disabled} pauses; status, other ids and terminal states are refused', async () => {
    await putCollection();
    await api.put(`${ARM_RG}/jc1/jobs/p?${API}`, armJob());
    const res = await api.patch(`${ARM_RG}/jc1/jobs/p?${API}`, { properties: { recurrence: { interval: 3 } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().properties).toMatchObject({ recurrence: { frequency: 'Hour', interval: 3 }, action: { type: 'Http', request: { uri: `${target.url}/arm` } }, state: 'Enabled' });
    const off = await api.patch(`${ARM_RG}/jc1/jobs/p?${API}`, { properties: { state: 'Disabled' } });
    expect(off.json().properties.state).toBe('Disabled');
    expect((await native('/api/v1/jobs/jc1.p')).json().state).toBe('paused');
    expectArmError(await api.patch(`${ARM_RG}/jc1/jobs/p?${API}`, { properties: { status: {} } }), 400, 'BadRequest');
    expectArmError(await api.patch(`${ARM_RG}/jc1/jobs/p?${API}`, { properties: { state: 'Faulted' } }), 400, 'BadRequest');
    const pointer = await api.patch(`${ARM_RG}/jc1/jobs/p?${API}`, { properties: { recurrence: { frequency: 'Yearly' } } });
    expectArmError(pointer, 400, 'BadRequest');
    expect(pointer.json().error.details).toEqual([{ code: 'BadRequest', target: '/properties/recurrence/frequency', message: expect.stringContaining('minute, hour, day, week, month') }]);
  });

  it('lists {value, nextLink} with $top, $skip and $filter=state eq; DELETE answers 200', async () => {
    await putCollection();
    for (const name of ['a', 'b', 'c']) await api.put(`${ARM_RG}/jc1/jobs/${name}?${API}`, armJob());
    await api.patch(`${ARM_RG}/jc1/jobs/c?${API}`, { properties: { state: 'Disabled' } });
    const page = (await api.get(`${ARM_RG}/jc1/jobs?${API}&$top=2`)).json();
    expect(page.value.map((j: { name: string }) => j.name)).toEqual(['jc1/a', 'jc1/b']);
    expect(page.nextLink).toMatch(/^http:\/\/localhost(:\d+)?\/subscriptions\/.*\/jobs\?api-version=2016-03-01&%24top=2&%24skip=2$/);
    const second = (await api.get(page.nextLink.replace(/^http:\/\/[^/]+/, ''))).json();
    expect(second).toEqual({ value: [expect.objectContaining({ name: 'jc1/c' })] });
    expect((await api.get(`${ARM_RG}/jc1/jobs?${API}&$filter=state eq 'Disabled'`)).json().value.map((j: { name: string }) => j.name)).toEqual(['jc1/c']);
    expectArmError(await api.get(`${ARM_RG}/jc1/jobs?${API}&$top=500`), 400, 'MissingOrInvalidRequiredQueryParameter');
    expect((await api.del(`${ARM_RG}/jc1/jobs/a?${API}`)).statusCode).toBe(200);
    expectArmError(await api.get(`${ARM_RG}/jc1/jobs/a?${API}`), 404, 'ResourceNotFound');
  });

  it('POST .../run runs the job now (200); its history is {value} of ARM history resources with $filter=status eq', async () => {
    await putCollection();
    await api.put(`${ARM_RG}/jc1/jobs/r?${API}`, armJob({ action: { type: 'Http', request: { uri: `${target.url}/ok`, method: 'POST', body: 'b' }, errorAction: { type: 'Http', request: { uri: `${target.url}/err`, method: 'GET' } } } }));
    expect((await api.post(`${ARM_RG}/jc1/jobs/r/run?${API}`)).statusCode).toBe(200);
    await waitFor(async () => ((await native('/api/v1/runs?jobId=jc1.r&status=succeeded')).json().items.length ? true : undefined), 'the run');
    target.failing.add('/ok');
    await api.post(`${ARM_RG}/jc1/jobs/r/run?${API}`);
    await waitFor(async () => ((await native('/api/v1/runs?jobId=jc1.r&status=failed')).json().items.length ? true : undefined), 'the failed run');
    const history = (await api.get(`${ARM_RG}/jc1/jobs/r/history?${API}`)).json();
    expect(history.value.map((h: any) => [h.properties.actionName, h.properties.status])).toEqual([
      ['ErrorAction', 'Completed'],
      ['MainAction', 'Failed'],
      ['MainAction', 'Completed'],
    ]);
    const ok = history.value[2];
    expect(ok.id).toMatch(new RegExp(`^${JC_ID}/jobs/r/history/[0-9a-f-]{36}$`));
    expect(ok).toMatchObject({ type: 'Microsoft.Scheduler/jobCollections/jobs/history', name: expect.stringMatching(/^jc1\/r\//) });
    expect(Object.keys(ok.properties).sort()).toEqual(['actionName', 'endTime', 'expectedExecutionTime', 'message', 'repeatCount', 'retryCount', 'startTime', 'status']);
    expect(ok.properties).toMatchObject({ retryCount: 0, repeatCount: 0, message: expect.stringContaining("'200'") });
    const failed = (await api.get(`${ARM_RG}/jc1/jobs/r/history?${API}&$filter=status eq 'Failed'`)).json();
    expect(failed.value).toHaveLength(1);
    const top = (await api.get(`${ARM_RG}/jc1/jobs/r/history?${API}&$top=1`)).json();
    expect(top.value).toHaveLength(1);
    expect(top.nextLink).toContain('%24skip=1');
    expectArmError(await api.post(`${ARM_RG}/jc1/jobs/none/run?${API}`), 404, 'ResourceNotFound');
  });
});

describe('quotas, errors, routing, authentication', () => {
  it('exceeding the plan is 409: Free allows 5 jobs at most hourly', async () => {
    await putCollection({ sku: { name: 'Free' } });
    for (let i = 1; i <= 5; i++) expect((await api.put(`${ARM_RG}/jc1/jobs/j${i}?${API}`, armJob())).statusCode).toBe(201);
    expectArmError(await api.put(`${ARM_RG}/jc1/jobs/j6?${API}`, armJob()), 409, 'QuotaExceeded');
    const often = await api.put(`${ARM_RG}/jc1/jobs/j1?${API}`, armJob({ recurrence: { frequency: 'Minute', interval: 10 } }));
    expectArmError(often, 409, 'QuotaExceeded');
    // Lowering the quota below the jobs already there is refused too.
    expectArmError(await api.patch(`${ARM_RG}/jc1?${API}`, { properties: { quota: { maxJobCount: 2 } } }), 409, 'QuotaExceeded');
  });

  it('api-version is required; unknown paths and verbs; jobCollections matches case-insensitively', async () => {
    await putCollection();
    expectArmError(await api.get(`${ARM_RG}/jc1`), 400, 'MissingApiVersionParameter');
    expectArmError(await api.get(`${ARM_RG}/jc1?api-version=1999-01-01`), 400, 'InvalidApiVersionParameter');
    expectArmError(await api.get(`${ARM_RG}/jc1/things?${API}`), 404, 'NotFound');
    expectArmError(await api.post(`${ARM_RG}/jc1/jobs/x?${API}`), 405, 'MethodNotAllowed');
    const lower = `/subscriptions/${SUB}/resourcegroups/rg1/providers/microsoft.scheduler/jobcollections/jc1?${API}`;
    expect((await api.get(lower)).json().name).toBe('jc1');
    expectArmError(await api.put(`${ARM_RG}/jc1/jobs/bad?${API}`, { startTime: TOMORROW() }), 400, 'BadRequest');
  });

  it('Authorization: Bearer <sked API key>: 401 AuthenticationFailed without a valid key, 403 AuthorizationFailed for a viewer', async () => {
    const none = await api.get(`${ARM_RG}?${API}`, { authorization: '' });
    expectArmError(none, 401, 'AuthenticationFailed');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expectArmError(await api.get(`${ARM_RG}?${API}`, { authorization: 'Bearer wrong' }), 401, 'AuthenticationFailed');
    const key = (await sked().app.inject({ method: 'POST', url: '/api/v1/keys', payload: { name: 'ro', role: 'viewer' } })).json().key;
    expect((await api.get(`${ARM_RG}?${API}`, { authorization: `Bearer ${key}` })).statusCode).toBe(200);
    expectArmError(await api.put(`${ARM_RG}/jc2?${API}`, { location: 'x' }, { authorization: `Bearer ${key}` }), 403, 'AuthorizationFailed');
  });
});
