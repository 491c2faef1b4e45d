/**
 * One set of jobs behind every surface: an Azure job is visible and pausable through the native API
 * (and the other Azure API); a native job of a collection appears in Azure's lists in Azure's shape and
 * is managed from there; storage queue messages run as dispatches; client certificates are kept as facts.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_FLAGS, useSked, waitFor } from '../../api/support.js';
import { testSked } from '../../support/app-harness.js';
import { API, arm, ARM_RG, classic, CLASSIC, collectionXml, startTarget, TOMORROW, type Target } from './support.js';

const sked = useSked(TEST_FLAGS);
const cl = classic(sked);
const am = arm(sked);
const native = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  sked().app.inject({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

let target: Target;
beforeEach(async () => {
  target = await startTarget();
});
afterEach(async () => {
  await target.close();
});

describe('an Azure job through the native API', () => {
  it('is visible with its mapped id and collection, pausable and resumable there, and seen so by both Azure APIs', async () => {
    await cl.put(`${CLASSIC}/jc1`, collectionXml());
    await cl.put(`${CLASSIC}/jc1/jobs/report`, { startTime: TOMORROW(), action: { type: 'http', request: { uri: `${target.url}/r`, method: 'GET' } }, recurrence: { frequency: 'day', interval: 1 } });
    const job = (await native('GET', '/api/v1/jobs/jc1.report')).json();
    expect(job).toMatchObject({ id: 'jc1.report', name: 'report', collection: 'jc1', state: 'enabled' });
    expect((await native('GET', '/api/v1/jobs?collection=jc1')).json().items.map((j: { id: string }) => j.id)).toEqual(['jc1.report']);

    expect((await native('POST', '/api/v1/jobs/jc1.report/pause', { reason: 'native pause' })).statusCode).toBe(200);
    expect((await cl.get(`${CLASSIC}/jc1/jobs/report`)).json().state).toBe('disabled');
    expect((await am.get(`${ARM_RG}/jc1/jobs/report?${API}`)).json().properties.state).toBe('Disabled');
    expect((await cl.get(`${CLASSIC}/jc1/jobs?$filter=state eq disabled`)).json()).toHaveLength(1);

    await am.patch(`${ARM_RG}/jc1/jobs/report?${API}`, { properties: { state: 'Enabled' } });
    expect((await native('GET', '/api/v1/jobs/jc1.report')).json().state).toBe('enabled');

    // Triggered natively, the run is in both Azure histories and counters.
    await native('POST', '/api/v1/jobs/jc1.report/trigger', {});
    await waitFor(async () => ((await cl.get(`${CLASSIC}/jc1/jobs/report/history`)).json().length ? true : undefined), 'the history entry');
    expect((await am.get(`${ARM_RG}/jc1/jobs/report/history?${API}`)).json().value[0].properties.status).toBe('Completed');
    expect((await cl.get(`${CLASSIC}/jc1/jobs/report`)).json().status.executionCount).toBe(1);

    expect((await native('DELETE', '/api/v1/jobs/jc1.report')).statusCode).toBe(204);
    expect((await cl.get(`${CLASSIC}/jc1/jobs/report`)).statusCode).toBe(404);
  });
});

describe('a native job in a collection', () => {
  it('appears in the Azure lists in Azure shape under its own id, and is managed from Azure', async () => {
    const coll = await native('PUT', '/api/v1/collections/ops', { maxJobs: 7, minInterval: 'PT5M' });
    expect(coll.statusCode).toBe(201);
    const mk = (id: string, schedule: unknown, steps: unknown) => native('PUT', `/api/v1/jobs/${id}`, { name: id, collection: 'ops', schedule, steps });
    expect((await mk('backup', { type: 'cron', expression: '0 0 3 * * ?' }, [{ stepIndex: 0, type: 'exec', command: 'true' }])).statusCode).toBe(201);
    expect((await mk('poll', { type: 'interval', every: 'PT15M', startAt: TOMORROW() }, [{ stepIndex: 0, type: 'http', request: { url: `${target.url}/poll`, method: 'HEAD' } }])).statusCode).toBe(201);

    const list = (await cl.get(`${CLASSIC}/ops/jobs`)).json();
    expect(list.map((j: { id: string }) => j.id)).toEqual(['backup', 'poll']);
    const [backup, poll] = list;
    expect(backup).toMatchObject({ id: 'backup', action: { type: 'exec', retryPolicy: { retryType: 'none' } }, state: 'enabled', status: { executionCount: 0, nextExecutionTime: expect.any(String) } });
    expect(backup.recurrence).toBeUndefined();
    expect(new Date(backup.status.nextExecutionTime).getUTCHours()).toBe(3);
    expect(poll).toMatchObject({ action: { type: 'http', request: { uri: `${target.url}/poll`, method: 'HEAD' } }, recurrence: { frequency: 'minute', interval: 15 } });

    const armList = (await am.get(`${ARM_RG}/ops/jobs?${API}`)).json();
    expect(armList.value.map((j: { name: string }) => j.name)).toEqual(['ops/backup', 'ops/poll']);
    expect(armList.value[1].properties.recurrence).toEqual({ frequency: 'Minute', interval: 15 });
    const collection = (await am.get(`${ARM_RG}/ops?${API}`)).json();
    expect(collection.properties).toEqual({ sku: { name: 'Standard' }, state: 'Enabled', quota: { maxJobCount: 7, maxRecurrence: { frequency: 'Minute', interval: 5 } } });
    expect(collection.properties.quota).toBeDefined();

    expect((await cl.patch(`${CLASSIC}/ops/jobs/backup`, { state: 'disabled' })).json().state).toBe('disabled');
    expect((await native('GET', '/api/v1/jobs/backup')).json().state).toBe('paused');
    // A PATCH of the action of an Azure-expressible job changes the native step; the exec job's steps stay.
    expect((await cl.patch(`${CLASSIC}/ops/jobs/poll`, { action: { request: { method: 'GET' } } })).json().action.request.method).toBe('GET');
    expect((await native('GET', '/api/v1/jobs/poll')).json()).toMatchObject({ name: 'poll', steps: [{ type: 'http', request: { method: 'GET', url: `${target.url}/poll` } }] });
    expect((await am.del(`${ARM_RG}/ops/jobs/backup?${API}`)).statusCode).toBe(200);
    expect((await native('GET', '/api/v1/jobs/backup')).statusCode).toBe(404);
  });
});

describe('platform actions', () => {
  it('a storage queue message with no dispatch URL fails its run saying so; with one, the original fields are POSTed', async () => {
    await cl.put(`${CLASSIC}/jc1`, collectionXml());
    const queue = { type: 'storageQueue', queueMessage: { storageAccount: 'acct', queueName: 'orders', sasToken: 'sv=1&sig=x', message: 'tick' } };
    await cl.put(`${CLASSIC}/jc1/jobs/q`, { startTime: TOMORROW(), action: queue });
    await am.post(`${ARM_RG}/jc1/jobs/q/run?${API}`);
    const failed = await waitFor(async () => {
      const h = (await cl.get(`${CLASSIC}/jc1/jobs/q/history`)).json();
      return h.length ? h[0] : undefined;
    }, 'the failed dispatch');
    expect(failed).toMatchObject({ status: 'failed', message: expect.stringContaining('SKED_DISPATCH_AZURE_URL') });
    expect(failed.message).toMatch(/^StorageQueue Action - failed: /);

    const other = await testSked({ ...TEST_FLAGS, dispatch: `azure=${target.url}/dispatch` });
    try {
      const c2 = classic(() => other);
      await c2.put(`${CLASSIC}/jc1`, collectionXml());
      await c2.put(`${CLASSIC}/jc1/jobs/q`, { startTime: TOMORROW(), action: queue });
      await other.app.inject({ method: 'POST', url: '/api/v1/jobs/jc1.q/trigger', payload: {} });
      const posted = await waitFor(async () => target.requests.find((r) => r.url === '/dispatch'), 'the dispatch POST');
      expect(JSON.parse(posted.body)).toMatchObject({ surface: 'azure', jobId: 'jc1.q', action: queue });
    } finally {
      await other.close();
    }
  });

  it('ClientCertificate authentication keeps the certificate facts only: thumbprint, expiration, subject', async (ctx) => {
    let openssl = true;
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      openssl = false;
    }
    if (!openssl) ctx.skip(); // needs the openssl command to make a PKCS#12 file
    const dir = mkdtempSync(join(tmpdir(), 'sked-pfx-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=sked-client'], { stdio: 'ignore' });
      execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'c.pem'), '-inkey', join(dir, 'k.pem'), '-out', join(dir, 'c.pfx'), '-passout', 'pass:pfx-pw'], { stdio: 'ignore' });
      const pfx = readFileSync(join(dir, 'c.pfx')).toString('base64');
      await cl.put(`${CLASSIC}/jc1`, collectionXml());
      const auth = { type: 'ClientCertificate', pfx, password: 'pfx-pw' };
      const res = await cl.put(`${CLASSIC}/jc1/jobs/cert`, { startTime: TOMORROW(), action: { type: 'https', request: { uri: 'https://example.com/', method: 'GET', authentication: auth } } });
      expect(res.statusCode, res.body).toBe(201);
      const shown = res.json().action.request.authentication;
      expect(shown).toEqual({ type: 'ClientCertificate', certificateThumbprint: expect.stringMatching(/^[0-9A-F]{40}$/), certificateExpiration: expect.any(String), certificateSubjectName: 'CN=sked-client' });
      expect(Date.parse(shown.certificateExpiration)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
      const stored = JSON.stringify((await native('GET', '/api/v1/jobs/jc1.cert')).json());
      expect(stored).not.toContain('pfx-pw');
      expect(stored).not.toContain(pfx.slice(0, 40));
      // Sent back as read (facts, no PFX) the facts are kept; a wrong password is a 400 naming pfx.
      expect((await cl.put(`${CLASSIC}/jc1/jobs/cert`, { startTime: TOMORROW(), action: { type: 'https', request: { uri: 'https://example.com/', method: 'GET', authentication: shown } } })).json().action.request.authentication).toEqual(shown);
      const wrong = await cl.put(`${CLASSIC}/jc1/jobs/cert2`, { startTime: TOMORROW(), action: { type: 'https', request: { uri: 'https://example.com/', authentication: { ...auth, password: 'nope' } } } });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('/action/request/authentication/pfx');
      expect((await am.get(`${ARM_RG}/jc1/jobs/cert?${API}`)).json().properties.action.request.authentication.type).toBe('ClientCertificate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
