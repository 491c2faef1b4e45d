/**
 * Real clients: Microsoft's Node SDKs for the classic (`azure-scheduler`) and ARM (`azure-arm-scheduler`)
 * Scheduler APIs, pointed at a listening sked over http://127.0.0.1 with `Authorization: Bearer <key>`
 * credentials, create, read, list, update, run and delete jobs, read their history, and manage a job
 * collection.
 */

import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import SchedulerManagementClient from 'azure-arm-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_FLAGS, waitFor } from '../../api/support.js';
import { TEST_KEY, testSked, type TestSked } from '../../support/app-harness.js';
import { collectionXml, startTarget, SUB, type Target } from './support.js';

const require = createRequire(import.meta.url);

type Callback<T> = (err: (Error & { statusCode?: number }) | null, result: T) => void;
/** The parts of the classic SDK (plain JavaScript, no typings) these tests call. */
interface ClassicJobs {
  create(params: unknown, cb: Callback<any>): void;
  createOrUpdate(id: string, params: unknown, cb: Callback<any>): void;
  get(id: string, cb: Callback<any>): void;
  list(params: unknown, cb: Callback<any>): void;
  listWithFilter(params: unknown, cb: Callback<any>): void;
  updateState(id: string, params: unknown, cb: Callback<any>): void;
  updateJobCollectionState(params: unknown, cb: Callback<any>): void;
  getHistory(id: string, params: unknown, cb: Callback<any>): void;
  getHistoryWithFilter(id: string, params: unknown, cb: Callback<any>): void;
  deleteMethod(id: string, cb: Callback<any>): void;
}
const classicSdk = require('azure-scheduler') as {
  createSchedulerClient(cloudService: string, jobCollection: string, credentials: unknown, baseUri: string): { jobs: ClassicJobs };
};

/** Credentials as both SDKs call them: `signRequest` sets the header (the classic one also reads subscriptionId). */
const credentials = {
  subscriptionId: SUB,
  signRequest(resource: { headers: Record<string, string> }, callback: (err: Error | null) => void): void {
    resource.headers['authorization'] = `Bearer ${TEST_KEY}`;
    callback(null);
  },
};

/** The classic SDK's callbacks as promises. */
function call<T = any>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

/** The classic SDK serializes retryInterval with moment's toIsoString(). */
const duration = (iso: string) => ({ toIsoString: () => iso });

let sked: TestSked;
let base: string;
let target: Target;

beforeAll(async () => {
  sked = await testSked({ ...TEST_FLAGS });
  await sked.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(sked.app.server.address() as AddressInfo).port}`;
  target = await startTarget();
});

afterAll(async () => {
  await target?.close();
  await sked?.close();
});

async function native(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function waitForRuns(jobId: string, count: number): Promise<any[]> {
  return waitFor(async () => {
    const { body } = await native('GET', `/api/v1/runs?jobId=${encodeURIComponent(jobId)}&status=succeeded`);
    return body.items.length >= count ? body.items : undefined;
  }, `${count} succeeded runs of ${jobId}`);
}

describe('azure-scheduler (classic SDK)', () => {
  it('creates, reads, lists, updates, disables, reads history and deletes jobs', async () => {
    // The SDK has no job collection operations: create one the classic way (XML, 202).
    const created = await fetch(`${base}/${SUB}/cloudservices/cs1/resources/scheduler/~/jobcollections/sdkjc`, {
      method: 'PUT',
      headers: { 'x-ms-version': '2013-03-01', authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/xml' },
      body: collectionXml('Standard'),
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const client = classicSdk.createSchedulerClient('cs1', 'sdkjc', credentials, base);
    const startTime = new Date(Date.now() + 3_600_000);
    const put = await call((cb) =>
      client.jobs.createOrUpdate(
        'ping',
        {
          startTime,
          action: {
            type: 'http',
            request: { uri: `${target.url}/classic`, method: 'POST', headers: { 'x-test': 'classic' }, body: 'hello' },
            retryPolicy: { retryType: 'fixed', retryInterval: duration('PT2M'), retryCount: 3 },
          },
          recurrence: { frequency: 'hour', interval: 2, count: 10 },
        },
        cb,
      ),
    );
    expect(put.statusCode).toBe(201);
    expect(put.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(put.job).toMatchObject({
      id: 'ping',
      startTime: startTime.toISOString(),
      action: {
        type: 'http',
        request: { uri: `${target.url}/classic`, method: 'POST', headers: { 'x-test': 'classic' }, body: 'hello' },
        retryPolicy: { retryType: 'fixed', retryCount: 3 },
      },
      recurrence: { frequency: 'hour', interval: 2, count: 10 },
      state: 'enabled',
      status: { nextExecutionTime: startTime.toISOString(), executionCount: 0, failureCount: 0, faultedCount: 0 },
    });
    expect(put.job.action.retryPolicy.retryInterval.toISOString()).toBe('PT2M');

    const got = await call((cb) => client.jobs.get('ping', cb));
    expect(got.job).toMatchObject({ id: 'ping', state: 'enabled', recurrence: { frequency: 'hour', interval: 2 } });

    const posted = await call((cb) => client.jobs.create({ action: { type: 'https', request: { uri: 'https://example.com/later', method: 'GET' } }, startTime: new Date(Date.now() + 86_400_000) }, cb));
    expect(posted.statusCode).toBe(201);
    expect(posted.job.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(posted.job.action.type).toBe('https');

    const all = await call((cb) => client.jobs.list({}, cb));
    expect(all.jobs.map((j: any) => j.id).sort()).toEqual([posted.job.id, 'ping'].sort());
    const firstOnly = await call((cb) => client.jobs.listWithFilter({ state: 'enabled', top: 1, skip: 1 }, cb));
    expect(firstOnly.jobs).toHaveLength(1);

    const updated = await call((cb) => client.jobs.createOrUpdate('ping', { startTime, action: { type: 'http', request: { uri: `${target.url}/classic`, method: 'GET' } }, recurrence: { frequency: 'hour', interval: 2 } }, cb));
    expect(updated.statusCode).toBe(200);
    expect(updated.job.action.request.method).toBe('GET');

    const disabled = await call((cb) => client.jobs.updateState('ping', { state: 'disabled', updateStateReason: 'maintenance window' }, cb));
    expect(disabled.job.state).toBe('disabled');
    const nativeJob = await native('GET', '/api/v1/jobs/sdkjc.ping');
    expect(nativeJob.body).toMatchObject({ state: 'paused', collection: 'sdkjc', pause: { reason: 'maintenance window' } });

    const allEnabled = await call((cb) => client.jobs.updateJobCollectionState({ state: 'enabled' }, cb));
    expect(allEnabled.jobs.map((j: any) => j.state)).toEqual(['enabled', 'enabled']);

    // Runs (started through the native API: classic Azure has no run-now) show in the classic history.
    expect((await native('POST', '/api/v1/jobs/sdkjc.ping/trigger', {})).status).toBe(202);
    await waitForRuns('sdkjc.ping', 1);
    const history = await call((cb) => client.jobs.getHistory('ping', { top: 10 }, cb));
    expect(history.jobHistory).toHaveLength(1);
    expect(history.jobHistory[0]).toMatchObject({ id: 'ping', status: 'completed', actionName: 'MainAction', retryCount: 0, repeatCount: 0, state: 'enabled' });
    expect(history.jobHistory[0].message).toContain("Response from host '127.0.0.1");
    const failed = await call((cb) => client.jobs.getHistoryWithFilter('ping', { status: 'failed' }, cb));
    expect(failed.jobHistory).toEqual([]);
    const completed = await call((cb) => client.jobs.getHistoryWithFilter('ping', { status: 'completed', top: 5 }, cb));
    expect(completed.jobHistory).toHaveLength(1);

    const deleted = await call((cb) => client.jobs.deleteMethod('ping', cb));
    expect(deleted.statusCode).toBe(200);
    // The SDK reads the classic XML error into the error's code and message.
    const gone = await call((cb) => client.jobs.get('ping', cb)).catch((e: unknown) => e);
    expect(gone).toMatchObject({ statusCode: 404, code: 'ResourceNotFound', message: "job 'ping' does not exist in job collection 'sdkjc'" });
    expect((gone as { requestId?: string }).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('azure-arm-scheduler (ARM SDK)', () => {
  it('manages a job collection and creates, reads, lists, patches, runs and deletes jobs with their history', async () => {
    const client = new SchedulerManagementClient(credentials as never, SUB, base, { longRunningOperationRetryTimeout: 0 });
    const jc = await client.jobCollections.createOrUpdate('rg1', 'armjc', {
      location: 'West US',
      tags: { team: 'billing' },
      properties: { sku: { name: 'Standard' }, quota: { maxJobCount: 10, maxRecurrence: { frequency: 'Minute', interval: 1 } } },
    });
    expect(jc).toMatchObject({
      id: `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Scheduler/jobCollections/armjc`,
      type: 'Microsoft.Scheduler/jobCollections',
      name: 'armjc',
      location: 'West US',
      tags: { team: 'billing' },
      properties: { sku: { name: 'Standard' }, state: 'Enabled', quota: { maxJobCount: 10, maxRecurrence: { frequency: 'Minute', interval: 1 } } },
    });
    expect((await client.jobCollections.get('rg1', 'armjc')).name).toBe('armjc');
    expect((await client.jobCollections.listByResourceGroup('rg1')).map((c) => c.name)).toContain('armjc');
    expect((await client.jobCollections.listBySubscription()).map((c) => c.id)).toContain(jc.id);

    const start = new Date(Date.now() + 86_400_000);
    const job = await client.jobs.createOrUpdate('rg1', 'armjc', 'armping', {
      properties: {
        startTime: start,
        action: { type: 'Http', request: { uri: `${target.url}/arm`, method: 'PUT', body: '{"a":1}', headers: { 'content-type': 'application/json' } }, retryPolicy: { retryType: 'Fixed', retryCount: 1 } },
        recurrence: { frequency: 'Week', interval: 1, schedule: { weekDays: ['Monday', 'Friday'], hours: [9], minutes: [30] } },
      },
    });
    expect(job).toMatchObject({
      id: `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Scheduler/jobCollections/armjc/jobs/armping`,
      type: 'Microsoft.Scheduler/jobCollections/jobs',
      name: 'armjc/armping',
      properties: {
        action: { type: 'Http', request: { uri: `${target.url}/arm`, method: 'PUT', body: '{"a":1}' }, retryPolicy: { retryType: 'Fixed', retryCount: 1 } },
        recurrence: { frequency: 'Week', interval: 1, schedule: { weekDays: ['Monday', 'Friday'], hours: [9], minutes: [30] } },
        state: 'Enabled',
        status: { executionCount: 0, failureCount: 0, faultedCount: 0 },
      },
    });
    expect(job.properties?.startTime?.toISOString()).toBe(start.toISOString());
    expect(job.properties?.action?.retryPolicy?.retryInterval?.toISOString()).toBe('PT1M');
    expect(job.properties?.status?.nextExecutionTime?.getUTCHours()).toBe(9);

    await client.jobs.createOrUpdate('rg1', 'armjc', 'second', { properties: { startTime: start, action: { type: 'Https', request: { uri: 'https://example.com/', method: 'GET' } } } });
    const page = await client.jobs.list('rg1', 'armjc', { top: 1 });
    expect(page.map((j) => j.name)).toEqual(['armjc/armping']);
    expect(page.nextLink).toContain('%24skip=1');
    const next = await client.jobs.listNext(page.nextLink as string);
    expect(next.map((j) => j.name)).toEqual(['armjc/second']);
    expect((await client.jobs.list('rg1', 'armjc', { filter: "state eq 'Disabled'" })).length).toBe(0);

    const patched = await client.jobs.patch('rg1', 'armjc', 'armping', { properties: { state: 'Disabled' } });
    expect(patched.properties?.state).toBe('Disabled');
    expect(patched.properties?.action?.request?.uri).toBe(`${target.url}/arm`);
    expect((await native('GET', '/api/v1/jobs/armjc.armping')).body.state).toBe('paused');

    const before = target.requests.length;
    await client.jobs.run('rg1', 'armjc', 'armping');
    await waitForRuns('armjc.armping', 1);
    expect(target.requests.slice(before)).toContainEqual(expect.objectContaining({ method: 'PUT', url: '/arm', body: '{"a":1}' }));
    const history = await client.jobs.listJobHistory('rg1', 'armjc', 'armping', { filter: "status eq 'Completed'" });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ type: 'Microsoft.Scheduler/jobCollections/jobs/history', properties: { actionName: 'MainAction', status: 'Completed', retryCount: 0 } });
    expect(history[0]?.properties?.endTime).toBeInstanceOf(Date);
    expect(await client.jobs.listJobHistory('rg1', 'armjc', 'armping', { filter: "status eq 'Failed'" })).toHaveLength(0);
    const status = (await client.jobs.get('rg1', 'armjc', 'armping')).properties?.status;
    expect(status).toMatchObject({ executionCount: 1, failureCount: 0, faultedCount: 0 });
    expect(status?.lastExecutionTime).toBeInstanceOf(Date);

    await client.jobCollections.disable('rg1', 'armjc');
    expect((await client.jobCollections.get('rg1', 'armjc')).properties?.state).toBe('Disabled');
    await client.jobCollections.enable('rg1', 'armjc');
    // Enabling restarts the jobs the disable stopped; armping was disabled on its own before and stays so.
    expect((await client.jobs.get('rg1', 'armjc', 'second')).properties?.state).toBe('Enabled');
    expect((await client.jobs.get('rg1', 'armjc', 'armping')).properties?.state).toBe('Disabled');

    await client.jobs.deleteMethod('rg1', 'armjc', 'second');
    const missing = await client.jobs.get('rg1', 'armjc', 'second').catch((e: { statusCode?: number; code?: string }) => e);
    expect(missing).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });

    await client.jobCollections.deleteMethod('rg1', 'armjc');
    expect((await native('GET', '/api/v1/collections/armjc')).status).toBe(404);
    expect((await native('GET', '/api/v1/jobs/armjc.armping')).status).toBe(404);
  });
});
