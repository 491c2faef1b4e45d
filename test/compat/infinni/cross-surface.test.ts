/**
 * One set of jobs behind three APIs: a job created through IDM is paused through InfinniPlatform and read
 * back through the native API and IDM; a native job appears in both surfaces' lists in each one's shape;
 * a GET-modify-PUT round trip through IDM keeps what IDM does not show (other surfaces' steps, the
 * collection).
 */

import { describe, expect, it } from 'vitest';
import { client, useSked } from '../../api/support.js';
import { idmClient, scriptSchedule } from '../idm/support.js';

const sked = useSked();
const api = client(sked);
const idm = idmClient(sked);
const infinni = {
  get: (url: string) => sked().app.inject({ method: 'GET', url, headers: { 'x-api-key': 'unused' } }),
  post: (url: string, body?: unknown) =>
    sked().app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': 'unused', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    }),
};

describe('across IDM, InfinniPlatform and the native API', () => {
  it('a job created through IDM is paused through Infinni, read back natively and through IDM, and resumed', async () => {
    const created = await idm.put(
      '/openidm/scheduler/job/recon',
      scriptSchedule({
        schedule: '0 0/15 * * * ?',
        invokeService: 'sync',
        invokeContext: { action: 'reconcile', mapping: 'systemLdapAccounts_managedUser' },
      }),
    );
    expect(created.statusCode).toBe(201);
    expect((await infinni.get('/scheduler/jobs/recon')).json()).toEqual({
      Success: true,
      Result: {
        Id: 'recon',
        Name: 'recon',
        Group: 'Default',
        State: 0,
        CronExpression: '0 0/15 * * * ?',
        MisfirePolicy: 1,
      },
    });
    expect((await infinni.post('/scheduler/pause?ids=recon')).json()).toEqual({
      Success: true,
      Result: true,
    });
    const native = (await api.get('/api/v1/jobs/recon')).json();
    expect(native).toMatchObject({
      state: 'paused',
      pause: { by: 'infinni (local)' },
      status: { nextFireTime: null },
    });
    expect((await idm.get('/openidm/scheduler/job/recon')).json()).toMatchObject({
      enabled: false,
      triggers: [],
      nextRunDate: null,
      invokeContext: { action: 'reconcile' },
    });
    expect((await infinni.get('/scheduler/jobs/recon')).json().Result.State).toBe(1);
    expect((await infinni.post('/scheduler/resume?ids=recon')).json()).toEqual({
      Success: true,
      Result: true,
    });
    expect((await idm.get('/openidm/scheduler/job/recon')).json()).toMatchObject({
      enabled: true,
      triggers: [{ state: 'NORMAL' }],
    });
  });

  it('a native job appears in both lists, in each API’s shape', async () => {
    const put = await api.put('/api/v1/jobs/nightly', {
      name: 'Nightly export',
      description: 'exports',
      collection: 'reports',
      schedule: { type: 'cron', expression: '30 2 * * 1-5', timeZone: 'Europe/London' },
      steps: [{ stepIndex: 0, type: 'noop' }],
      overlap: 'allow',
    });
    expect(put.statusCode, put.body).toBe(201);
    const ids = (await idm.get('/openidm/scheduler/job?_queryId=query-all-ids')).json().result;
    expect(ids).toEqual([{ _id: 'nightly' }]);
    const shown = (await idm.get('/openidm/scheduler/job?_queryFilter=_id eq "nightly"')).json().result[0];
    expect(shown).toMatchObject({
      _id: 'nightly',
      enabled: true,
      type: 'cron',
      schedule: '0 30 2 ? * 2-6',
      timeZone: 'Europe/London',
      concurrentExecution: true,
      misfirePolicy: 'fireAndProceed',
      invokeService: 'org.forgerock.openidm.sked',
      invokeContext: { steps: [{ stepIndex: 0, type: 'noop' }] },
      nextRunDate: put.json().status.nextFireTime,
    });
    const list = (await infinni.get('/scheduler/jobs')).json().Result;
    expect(list).toEqual([{ id: 'nightly', ref: 'http://localhost:80/scheduler/jobs/nightly' }]);
    expect((await infinni.get('/scheduler/jobs/nightly')).json().Result).toEqual({
      Id: 'nightly',
      Name: 'Nightly export',
      Group: 'reports',
      State: 0,
      Description: 'exports',
      CronExpression: '0 30 2 ? * 2-6',
      MisfirePolicy: 1,
    });
  });

  it("an IDM GET-modify-PUT keeps the job's steps and collection; only what changed changes", async () => {
    await infinni.post('/scheduler/jobs/reports.weekly', {
      Name: 'weekly',
      Group: 'reports',
      HandlerType: 'Jobs.Weekly',
      CronExpression: '0 0 6 ? * MON',
      Data: { a: 1 },
    });
    const before = (await api.get('/api/v1/jobs/reports.weekly')).json();
    const shown = (await idm.get('/openidm/scheduler/job/reports.weekly')).json();
    expect(shown.invokeService).toBe('org.forgerock.openidm.sked');
    const res = await idm.put('/openidm/scheduler/job/reports.weekly', {
      ...shown,
      schedule: '0 0 7 ? * MON',
    });
    expect(res.statusCode, res.body).toBe(200);
    const after = (await api.get('/api/v1/jobs/reports.weekly')).json();
    expect(after.steps).toEqual(before.steps);
    expect(after).toMatchObject({
      collection: 'reports',
      name: 'weekly',
      overlap: before.overlap,
      schedule: { expression: '0 0 7 ? * MON' },
    });
    expect((await infinni.get('/scheduler/jobs/reports.weekly')).json().Result).toMatchObject({
      HandlerType: 'Jobs.Weekly',
      CronExpression: '0 0 7 ? * MON',
      Data: { a: 1 },
      Group: 'reports',
    });
  });

  it('an Infinni round trip (GET the JobInfo, POST it back) of an IDM job keeps its IDM action', async () => {
    await idm.put(
      '/openidm/scheduler/job/task',
      scriptSchedule({ invokeService: 'taskscanner', invokeContext: { scan: { object: 'managed/user' } } }),
    );
    const info = (await infinni.get('/scheduler/jobs/task')).json().Result;
    expect(
      (await infinni.post('/scheduler/jobs/task', { ...info, CronExpression: '0 0 1 1 1 ? 2099' })).json(),
    ).toEqual({ Success: true, Result: true });
    expect((await idm.get('/openidm/scheduler/job/task')).json()).toMatchObject({
      schedule: '0 0 1 1 1 ? 2099',
      invokeService: 'org.forgerock.openidm.taskscanner',
      invokeContext: { scan: { object: 'managed/user' } },
      persisted: true,
    });
  });
});
