/**
 * Classic Azure Scheduler jobs (seed 001: Create Job, Update Job, Get Job, Delete Job, Get All Jobs) and
 * the job JSON of SEED-APIS §2, field by field: actions, authentication, retry policy, error action,
 * recurrences, state and status, PATCH semantics, list filters and paging, collection quotas (409).
 */

import { describe, expect, it } from 'vitest';
import { TEST_FLAGS, useSked } from '../../api/support.js';
import { classic, CLASSIC, CLASSIC_API, classicError, collectionXml, TOMORROW, type Res } from './support.js';

const sked = useSked(TEST_FLAGS);
const api = classic(sked);
const native = (url: string) => sked().app.inject({ url });

const JOBS = `${CLASSIC}/jc1/jobs`;

function httpJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    startTime: TOMORROW(),
    action: { type: 'http', request: { uri: 'http://bing.com/', method: 'GET', headers: { 'Content-Type': 'text/plain' } } },
    recurrence: { frequency: 'minute', interval: 30 },
    ...overrides,
  };
}

async function withCollection(plan = 'Standard'): Promise<void> {
  const res = await api.put(`${CLASSIC}/jc1`, collectionXml(plan));
  expect(res.statusCode, res.body).toBe(202);
}

function expectBadRequest(res: Res, messagePart: string): void {
  expect(res.statusCode, res.body).toBe(400);
  expect(classicError(res).code).toBe('BadRequest');
  expect(classicError(res).message).toContain(messagePart);
}

describe('Create Job / Get Job / Update Job / Delete Job', () => {
  it('PUT creates (201) with the job as classic JSON, field by field; PUT again replaces (200); GET reads it', async () => {
    await withCollection();
    const start = TOMORROW();
    const body = {
      startTime: start,
      action: {
        type: 'http',
        request: { uri: 'http://bing.com/', method: 'GET', headers: { 'Content-Type': 'text/plain' } },
        retryPolicy: { retryType: 'fixed', retryInterval: 'PT1M', retryCount: 2 },
        errorAction: { type: 'https', request: { uri: 'https://example.com/failed', method: 'POST', body: 'job failed' } },
      },
      recurrence: { frequency: 'week', interval: 1, count: 10, schedule: { weekDays: ['Monday', 'Wednesday'], hours: [10, 22], minutes: [0, 30] } },
    };
    const created = await api.put(`${JOBS}/job1?${CLASSIC_API}`, body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['content-type']).toMatch(/^application\/json/);
    expect(created.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const job = created.json();
    expect(job).toEqual({
      id: 'job1',
      startTime: new Date(start).toISOString(),
      action: {
        type: 'http',
        request: { uri: 'http://bing.com/', method: 'GET', headers: { 'Content-Type': 'text/plain' } },
        retryPolicy: { retryType: 'fixed', retryInterval: 'PT1M', retryCount: 2 },
        errorAction: { type: 'https', request: { uri: 'https://example.com/failed', method: 'POST', body: 'job failed' } },
      },
      recurrence: { frequency: 'week', interval: 1, count: 10, schedule: { weekDays: ['monday', 'wednesday'], hours: [10, 22], minutes: [0, 30] } },
      state: 'enabled',
      status: { nextExecutionTime: expect.any(String), executionCount: 0, failureCount: 0, faultedCount: 0 },
    });
    expect([1, 3]).toContain(new Date(job.status.nextExecutionTime).getUTCDay());
    expect((await api.get(`${JOBS}/job1?${CLASSIC_API}`)).json()).toEqual(job);

    const replaced = await api.put(`${JOBS}/job1`, httpJob({ startTime: start }));
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ id: 'job1', recurrence: { frequency: 'minute', interval: 30 }, action: { retryPolicy: { retryType: 'none' } } });
    expect(replaced.json().action.errorAction).toBeUndefined();
  });

  it('the sked job behind it: id jc.job, collection jc, an http step with Azure 60 s timeout, retry, error step, recurrence', async () => {
    await withCollection();
    await api.put(`${JOBS}/job1`, httpJob({ action: { type: 'http', request: { uri: 'http://bing.com/', method: 'post', body: 'x' }, retryPolicy: { retryType: 'Fixed', retryInterval: '00:00:30', retryCount: 4 }, errorAction: { type: 'storageQueue', queueMessage: { storageAccount: 'acct', queueName: 'q', sasToken: 'sv=1&sig=x', message: 'failed' } } } }));
    const job = (await native('/api/v1/jobs/jc1.job1')).json();
    expect(job).toMatchObject({
      id: 'jc1.job1',
      name: 'job1',
      collection: 'jc1',
      schedule: { type: 'recurrence', frequency: 'minute', interval: 30, timeZone: 'UTC' },
      steps: [{ stepIndex: 0, name: 'MainAction', type: 'http', request: { method: 'POST', url: 'http://bing.com/', body: 'x' }, timeout: 'PT60S' }],
      onFailure: [{ stepIndex: 0, name: 'ErrorAction', type: 'dispatch', surface: 'azure', action: { type: 'storageQueue', queueMessage: { storageAccount: 'acct', queueName: 'q', sasToken: 'sv=1&sig=x', message: 'failed' } } }],
      retry: { maxAttempts: 5, backoff: 'fixed', interval: 'PT30S' },
      state: 'enabled',
    });
    expect((await api.get(`${JOBS}/job1`)).json().action.retryPolicy).toEqual({ retryType: 'fixed', retryInterval: 'PT30S', retryCount: 4 });
  });

  it('POST creates with an id sked picks (201, Location)', async () => {
    await withCollection();
    const res = await api.post(JOBS, httpJob());
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['location']).toBe(`${JOBS}/${id}`);
    expect((await api.get(`${JOBS}/${id}`)).statusCode).toBe(200);
    expect((await native(`/api/v1/jobs/jc1.${id}`)).statusCode).toBe(200);
  });

  it('DELETE answers 200; the job is then 404 ResourceNotFound', async () => {
    await withCollection();
    await api.put(`${JOBS}/job1`, httpJob());
    expect((await api.del(`${JOBS}/job1`)).statusCode).toBe(200);
    const gone = await api.get(`${JOBS}/job1`);
    expect(gone.statusCode).toBe(404);
    expect(classicError(gone)).toEqual({ code: 'ResourceNotFound', message: "job &apos;job1&apos; does not exist in job collection &apos;jc1&apos;" });
    expect((await api.del(`${JOBS}/job1`)).statusCode).toBe(404);
    expect((await native('/api/v1/jobs/jc1.job1')).statusCode).toBe(404);
  });

  it('jobs need an existing job collection (no implicit creation): 404', async () => {
    const res = await api.put(`${CLASSIC}/nojc/jobs/job1`, httpJob());
    expect(res.statusCode).toBe(404);
    expect(classicError(res).code).toBe('ResourceNotFound');
  });
});

describe('job JSON', () => {
  it('monthly recurrences: monthDays, monthlyOccurrences with occurrence or Occurrence, endTime; months only when all twelve', async () => {
    await withCollection();
    const end = new Date(Date.now() + 400 * 86_400_000).toISOString();
    const res = await api.put(`${JOBS}/monthly`, httpJob({ recurrence: { frequency: 'Month', interval: 1, endTime: end, schedule: { monthlyOccurrences: [{ day: 'Friday', Occurrence: -1 }, { day: 'monday', occurrence: 1 }], hours: [6], minutes: [0] } } }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().recurrence).toEqual({ frequency: 'month', interval: 1, endTime: end, schedule: { monthlyOccurrences: [{ day: 'friday', occurrence: -1 }, { day: 'monday', occurrence: 1 }], hours: [6], minutes: [0] } });
    const days = await api.put(`${JOBS}/days`, httpJob({ recurrence: { frequency: 'month', schedule: { monthDays: [1, -1], months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } } }));
    expect(days.statusCode, days.body).toBe(201);
    expect(days.json().recurrence.schedule).toEqual({ monthDays: [1, -1] });
    expectBadRequest(await api.put(`${JOBS}/q1`, httpJob({ recurrence: { frequency: 'month', schedule: { months: [1, 4, 7, 10] } } })), '/recurrence/schedule/months');
  });

  it('recurrence rules come back as 400 naming the Azure field', async () => {
    await withCollection();
    expectBadRequest(await api.put(`${JOBS}/r1`, httpJob({ recurrence: { frequency: 'fortnight' } })), '/recurrence/frequency');
    expectBadRequest(await api.put(`${JOBS}/r2`, httpJob({ recurrence: { frequency: 'day', interval: 600 } })), '/recurrence/interval');
    expectBadRequest(await api.put(`${JOBS}/r3`, httpJob({ recurrence: { frequency: 'day', schedule: { weekDays: ['monday'] } } })), '/recurrence/schedule/weekDays');
    expectBadRequest(await api.put(`${JOBS}/r4`, httpJob({ recurrence: { frequency: 'minute', count: 0 } })), '/recurrence/count');
    expectBadRequest(await api.put(`${JOBS}/r5`, httpJob({ recurrance: { frequency: 'minute' } })), '/recurrance');
    expectBadRequest(await api.put(`${JOBS}/r6`, httpJob({ startTime: 'tomorrow' })), '/startTime');
    expectBadRequest(await api.put(`${JOBS}/r7`, httpJob({ recurrence: { frequency: 'hour', endTime: '2001-01-01T00:00:00Z' } })), '/recurrence');
  });

  it('actions: storage queue and Service Bus messages are kept verbatim (dispatch steps); bad actions are 400', async () => {
    await withCollection();
    const queue = { type: 'storageQueue', queueMessage: { storageAccount: 'acct', queueName: 'jobs', sasToken: '?sv=2014&sig=abc', message: 'hello' } };
    const bus = { type: 'serviceBusQueue', serviceBusQueueMessage: { queueName: 'q1', namespace: 'ns', message: 'hi', transportType: 'AMQP', authentication: { type: 'SharedAccessKey', sasKeyName: 'k', sasKey: 's' }, brokeredMessageProperties: { label: 'L' }, customMessageProperties: { a: 'b' } } };
    const topic = { type: 'ServiceBusTopic', serviceBusTopicMessage: { topicPath: 't1', namespace: 'ns', message: 'hi' } };
    for (const [name, action] of [['queue', queue], ['bus', bus], ['topic', topic]] as const) {
      const res = await api.put(`${JOBS}/${name}`, httpJob({ action }));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().action).toEqual({ ...action, type: action.type.charAt(0).toLowerCase() + action.type.slice(1), retryPolicy: { retryType: 'none' } });
      const step = (await native(`/api/v1/jobs/jc1.${name}`)).json().steps[0];
      expect(step).toMatchObject({ type: 'dispatch', surface: 'azure', action: { type: res.json().action.type } });
    }
    expectBadRequest(await api.put(`${JOBS}/b1`, httpJob({ action: { type: 'ftp' } })), '/action/type');
    expectBadRequest(await api.put(`${JOBS}/b2`, httpJob({ action: { type: 'http' } })), '/action/request');
    expectBadRequest(await api.put(`${JOBS}/b3`, httpJob({ action: { type: 'storageQueue', queueMessage: { queueName: 'q' } } })), '/action/queueMessage/storageAccount');
    expectBadRequest(await api.put(`${JOBS}/b4`, httpJob({ action: { type: 'http', request: { uri: 'not a url', method: 'GET' } } })), '/action/request/uri');
    expectBadRequest(await api.put(`${JOBS}/b5`, httpJob({ action: { type: 'http', request: { uri: `http://x.example/${'a'.repeat(2048)}` } } })), '/action/request/uri');
    expectBadRequest(await api.put(`${JOBS}/b6`, httpJob({ action: { type: 'http', request: { uri: 'http://x.example/', body: 'b'.repeat(8193) } } })), '/action/request/body');
    expectBadRequest(await api.put(`${JOBS}/b7`, httpJob({ action: { type: 'http', request: { uri: 'http://x.example/' }, retryPolicy: { retryType: 'fixed', retryCount: 21 } } })), '/action/retryPolicy/retryCount');
    expectBadRequest(await api.put(`${JOBS}/b8`, { ...httpJob(), padding: 'x'.repeat(17 * 1024) }), '16 KB');
    expectBadRequest(await api.put(`${JOBS}/b9`, httpJob({ id: 'other' })), '/id');
    expectBadRequest(await api.put(`${JOBS}/b10`, httpJob({ state: 'completed' })), '/state');
  });

  it('outbound authentication: Basic keeps its password secret; ActiveDirectoryOAuth never shows its secret', async () => {
    await withCollection();
    const basic = { type: 'Basic', username: 'svc', password: 'p@ss-w0rd' };
    const res = await api.put(`${JOBS}/auth`, httpJob({ action: { type: 'http', request: { uri: 'http://bing.com/', method: 'GET', authentication: basic }, errorAction: { type: 'http', request: { uri: 'http://bing.com/e', method: 'GET', authentication: { type: 'ActiveDirectoryOAuth', tenant: 't.onmicrosoft.com', audience: 'https://management.core.windows.net/', clientId: 'c1', secret: 'shh' } } } } }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().action.request.authentication).toEqual({ type: 'Basic', username: 'svc' });
    expect(res.json().action.errorAction.request.authentication).toEqual({ type: 'ActiveDirectoryOAuth', tenant: 't.onmicrosoft.com', audience: 'https://management.core.windows.net/', clientId: 'c1' });
    expect(res.body).not.toContain('p@ss-w0rd');
    expect(res.body).not.toContain('shh');
    const step = (await native('/api/v1/jobs/jc1.auth')).json().steps[0];
    expect(step.request.auth).toEqual({ type: 'basic', username: 'svc', password: '***' });
    // Sent back as read (no password), the stored password is kept; a first Basic needs one.
    const again = await api.put(`${JOBS}/auth`, httpJob({ action: { type: 'http', request: { uri: 'http://bing.com/', method: 'GET', authentication: { type: 'Basic', username: 'svc' } } } }));
    expect(again.statusCode, again.body).toBe(200);
    expectBadRequest(await api.put(`${JOBS}/auth2`, httpJob({ action: { type: 'http', request: { uri: 'http://bing.com/', authentication: { type: 'Basic', username: 'svc' } } } })), '/action/request/authentication/password');
  });
});

describe('Get All Jobs', () => {
  it('a bare JSON array, $filter=state eq <s>, $skip and $top (1..100)', async () => {
    await withCollection();
    for (const name of ['a', 'b', 'c', 'd']) await api.put(`${JOBS}/${name}`, httpJob());
    await api.patch(`${JOBS}/b`, { state: 'disabled' });
    const all = await api.get(`${JOBS}?${CLASSIC_API}`);
    expect(all.statusCode).toBe(200);
    expect(Array.isArray(all.json())).toBe(true);
    expect(all.json().map((j: { id: string }) => j.id)).toEqual(['a', 'b', 'c', 'd']);
    const ids = async (query: string) => (await api.get(`${JOBS}?${CLASSIC_API}&${query}`)).json().map((j: { id: string }) => j.id);
    expect(await ids('$filter=state%20eq%20disabled')).toEqual(['b']);
    expect(await ids('$filter=state eq enabled&$top=2')).toEqual(['a', 'c']);
    expect(await ids('$skip=1&$top=2')).toEqual(['b', 'c']);
    expect(await ids('$filter=state%20eq%20completed')).toEqual([]);
    for (const bad of ['$top=0', '$top=101', '$skip=-1', '$filter=status eq failed', '$filter=state eq sleeping']) {
      const res = await api.get(`${JOBS}?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(classicError(res).code).toBe('MissingOrInvalidRequiredQueryParameter');
    }
  });
});

describe('PATCH', () => {
  it('fields not sent keep their value; a partial action merges into the current one', async () => {
    await withCollection();
    await api.put(`${JOBS}/p`, httpJob({ action: { type: 'http', request: { uri: 'http://bing.com/', method: 'GET', headers: { 'x-a': '1' } }, retryPolicy: { retryType: 'fixed', retryInterval: 'PT2M', retryCount: 1 } } }));
    const before = (await api.get(`${JOBS}/p`)).json();
    const res = await api.patch(`${JOBS}/p`, { action: { request: { uri: 'http://bing.com/new' } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ...before, action: { ...before.action, request: { ...before.action.request, uri: 'http://bing.com/new' } }, status: expect.any(Object) });
    const rec = await api.patch(`${JOBS}/p`, { recurrence: { interval: 45 } });
    expect(rec.json().recurrence).toEqual({ frequency: 'minute', interval: 45 });
    expect(rec.json().startTime).toBe(before.startTime);
    expect(rec.json().action.request.uri).toBe('http://bing.com/new');
  });

  it('{"state":"disabled"} suspends the job (paused in sked) and {"state":"enabled"} resumes it', async () => {
    await withCollection();
    await api.put(`${JOBS}/p`, httpJob());
    const off = await api.patch(`${JOBS}/p`, { state: 'disabled' });
    expect(off.statusCode).toBe(200);
    expect(off.json().state).toBe('disabled');
    expect(off.json().status.nextExecutionTime).toBeUndefined();
    expect((await native('/api/v1/jobs/jc1.p')).json()).toMatchObject({ state: 'paused', pause: { reason: 'disabled through the Azure Scheduler API' } });
    const on = await api.patch(`${JOBS}/p`, { state: 'Enabled' });
    expect(on.json().state).toBe('enabled');
    expect((await native('/api/v1/jobs/jc1.p')).json().state).toBe('enabled');
  });

  it('refuses status, an id other than the URL, and the states completed and faulted', async () => {
    await withCollection();
    await api.put(`${JOBS}/p`, httpJob());
    expectBadRequest(await api.patch(`${JOBS}/p`, { status: { executionCount: 9 } }), '/status');
    expectBadRequest(await api.patch(`${JOBS}/p`, { id: 'q' }), '/id');
    expectBadRequest(await api.patch(`${JOBS}/p`, { state: 'completed' }), '/state');
    expectBadRequest(await api.patch(`${JOBS}/p`, { state: 'faulted' }), '/state');
    expect((await api.patch(`${JOBS}/p`, { id: 'p', state: 'enabled' })).statusCode).toBe(200);
    expect((await api.patch(`${JOBS}/missing`, { state: 'enabled' })).statusCode).toBe(404);
  });

  it('PATCH .../jobs with {"state"} stops or starts every job of the collection; the answer is the jobs', async () => {
    await withCollection();
    for (const name of ['a', 'b']) await api.put(`${JOBS}/${name}`, httpJob());
    const off = await api.patch(JOBS, { state: 'disabled' });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().map((j: { id: string; state: string }) => [j.id, j.state])).toEqual([['a', 'disabled'], ['b', 'disabled']]);
    expect((await api.get(`${CLASSIC}/jc1`)).body).toContain('<State>Stopped</State>');
    const on = await api.patch(JOBS, { state: 'enabled' });
    expect(on.json().map((j: { state: string }) => j.state)).toEqual(['enabled', 'enabled']);
    expectBadRequest(await api.patch(JOBS, { state: 'faulted' }), '/state');
  });
});

describe('plan quotas (409)', () => {
  it('Free: at most 5 jobs and at least an hour between runs; Standard allows every minute', async () => {
    await withCollection('Free');
    const hourly = { recurrence: { frequency: 'hour', interval: 1 } };
    for (let i = 1; i <= 5; i++) expect((await api.put(`${JOBS}/j${i}`, httpJob(hourly))).statusCode).toBe(201);
    const sixth = await api.put(`${JOBS}/j6`, httpJob(hourly));
    expect(sixth.statusCode).toBe(409);
    expect(classicError(sixth)).toMatchObject({ code: 'ConflictError', message: expect.stringContaining('at most 5 jobs') });
    expect((await api.post(JOBS, httpJob(hourly))).statusCode).toBe(409);

    await api.put(`${CLASSIC}/jc2`, collectionXml('Free'));
    const often = await api.put(`${CLASSIC}/jc2/jobs/often`, httpJob({ recurrence: { frequency: 'minute', interval: 30 } }));
    expect(often.statusCode).toBe(409);
    expect(classicError(often).code).toBe('ConflictError');
    await api.put(`${CLASSIC}/jc3`, collectionXml('Standard'));
    expect((await api.put(`${CLASSIC}/jc3/jobs/often`, httpJob({ recurrence: { frequency: 'minute', interval: 1 } }))).statusCode).toBe(201);
  });
});
