/**
 * The IDM scheduler surface, replaying the requests of seed 000 (the endpoint table) and SEED-APIS.md §1:
 * create-or-replace, generated ids, read, delete, the per-job and scheduler-wide actions, the v1/v2
 * difference, cron validation, field rules and errors, authentication.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { idmErrorHandler } from '../../../src/compat/idm/idm-errors.js';
import type { Logger } from '../../../src/domain/logger.js';
import { client, TEST_FLAGS, useSked, waitFor } from '../../api/support.js';
import { TEST_KEY, testSked } from '../../support/app-harness.js';
import { AS_WRITTEN, expectIdmError, idmClient, scriptSchedule } from './support.js';

const sked = useSked();
const idm = idmClient(sked);
const idmV1 = idmClient(sked, '1.0');
const api = client(sked);

const FAR = '0 0 12 1 1 ? 2099';
const FAR_FIRE = '2099-01-01T12:00:00.000Z';

describe('PUT /openidm/scheduler/job/{id}: create or replace', () => {
  it('creates with 201 and answers the full schedule object, field by field', async () => {
    const res = await idm.put('/openidm/scheduler/job/sample', scriptSchedule({ schedule: FAR }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['location']).toBe('/openidm/scheduler/job/sample');
    expect(res.headers['content-api-version']).toBe('protocol=2.1,resource=2.0');
    const body = res.json();
    expect(body).toEqual({
      _id: 'sample',
      _rev: '1',
      enabled: true,
      persisted: true,
      recoverable: false,
      misfirePolicy: 'fireAndProceed',
      schedule: FAR,
      repeatInterval: 0,
      repeatCount: 0,
      type: 'cron',
      invokeService: 'org.forgerock.openidm.script',
      invokeContext: scriptSchedule()['invokeContext'],
      invokeLogLevel: 'info',
      timeZone: null,
      startTime: null,
      endTime: null,
      concurrentExecution: false,
      triggers: [
        {
          _id: 'scheduler-service-group.trigger-sample',
          _rev: '1',
          calendar: null,
          group: 'scheduler-service-group',
          jobKey: 'scheduler-service-group.sample',
          name: 'trigger-sample',
          nodeId: null,
          previousState: null,
          serialized: expect.objectContaining({
            type: 'CronTriggerImpl',
            cronEx: { cronExpression: FAR, timeZone: 'UTC' },
            misfireInstruction: 1,
            nextFireTime: Date.parse(FAR_FIRE),
            previousFireTime: null,
            priority: 5,
            jobName: 'sample',
            group: 'scheduler-service-group',
          }),
          state: 'NORMAL',
        },
      ],
      previousRunDate: null,
      nextRunDate: FAR_FIRE,
    });
  });

  it('replaces with 200 and a new _rev; the native job follows', async () => {
    await idm.put('/openidm/scheduler/job/sample', scriptSchedule());
    const res = await idm.put(
      '/openidm/scheduler/job/sample',
      scriptSchedule({ schedule: '0 0 6 1 1 ? 2099', concurrentExecution: true, misfirePolicy: 'doNothing' }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      _rev: '2',
      schedule: '0 0 6 1 1 ? 2099',
      concurrentExecution: true,
      misfirePolicy: 'doNothing',
      nextRunDate: '2099-01-01T06:00:00.000Z',
    });
    const native = (await api.get('/api/v1/jobs/sample')).json();
    expect(native).toMatchObject({
      id: 'sample',
      name: 'sample',
      collection: 'default',
      version: 2,
      schedule: { type: 'cron', expression: '0 0 6 1 1 ? 2099', dialect: 'quartz', dst: 'quartz' },
      overlap: 'allow',
      catchUp: { policy: 'none' },
      steps: [
        {
          stepIndex: 0,
          type: 'dispatch',
          surface: 'idm',
          action: {
            invokeService: 'org.forgerock.openidm.script',
            invokeContext: scriptSchedule()['invokeContext'],
            invokeLogLevel: 'info',
          },
        },
      ],
      status: { nextFireTime: '2099-01-01T06:00:00.000Z' },
    });
  });

  it('honours If-None-Match: * (412 Schedule already exists) and If-Match revisions', async () => {
    await idm.put('/openidm/scheduler/job/rev', scriptSchedule());
    expectIdmError(
      await idm.put('/openidm/scheduler/job/rev', scriptSchedule(), { 'if-none-match': '*' }),
      412,
      'Precondition Failed',
      'Schedule already exists',
    );
    expectIdmError(
      await idm.put('/openidm/scheduler/job/rev', scriptSchedule(), { 'if-match': '"7"' }),
      412,
      'Precondition Failed',
    );
    const ok = await idm.put('/openidm/scheduler/job/rev', scriptSchedule(), { 'if-match': '"1"' });
    expect(ok.statusCode, ok.body).toBe(200);
    expectIdmError(
      await idm.put('/openidm/scheduler/job/missing', scriptSchedule(), { 'if-match': '*' }),
      404,
      'Not Found',
      'Schedule does not exist',
    );
  });

  it('reads booleans written as strings, and keeps persisted/recoverable/invokeLogLevel', async () => {
    const res = await idm.put(
      '/openidm/scheduler/job/strings',
      scriptSchedule({ enabled: 'true', persisted: 'false', recoverable: true, invokeLogLevel: 'debug' }),
    );
    expect(res.json()).toMatchObject({
      enabled: true,
      persisted: false,
      recoverable: true,
      invokeLogLevel: 'debug',
    });
    expect((await idm.get('/openidm/scheduler/job/strings')).json()).toMatchObject({
      persisted: false,
      recoverable: true,
      invokeLogLevel: 'debug',
    });
  });

  it('creates a disabled job paused: enabled false, no triggers, nextRunDate null', async () => {
    const res = await idm.put('/openidm/scheduler/job/off', scriptSchedule({ enabled: false }));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ enabled: false, triggers: [], nextRunDate: null });
    expect((await api.get('/api/v1/jobs/off')).json().state).toBe('paused');
  });
});

describe('schedule fields', () => {
  it('type simple: repeatInterval (ms) and repeatCount are an interval schedule; -1 repeats forever', async () => {
    const res = await idm.put('/openidm/scheduler/job/recon', {
      enabled: true,
      persisted: true,
      type: 'simple',
      repeatInterval: 1800000,
      invokeService: 'sync',
      invokeContext: { action: 'reconcile', mapping: 'systemLdapAccounts_managedAlpha_user' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      type: 'simple',
      repeatInterval: 1800000,
      repeatCount: -1,
      schedule: null,
      startTime: null,
      invokeService: 'org.forgerock.openidm.sync',
    });
    expect(body.triggers[0].serialized).toMatchObject({
      type: 'SimpleTriggerImpl',
      repeatInterval: 1800000,
      repeatCount: -1,
      misfireInstruction: 1,
    });
    const native = (await api.get('/api/v1/jobs/recon')).json();
    expect(native.schedule).toMatchObject({ type: 'interval', every: 'PT30M' });
    expect(native.schedule.repeatCount).toBeUndefined();
    // Quartz starts a simple trigger without a start time at once: the first fire is within a second or two.
    const first = Date.parse(native.status.nextFireTime);
    expect(first - Date.parse(native.createdAt)).toBeLessThanOrEqual(2000);
    expect(body.nextRunDate).toBe(native.status.nextFireTime);
  });

  it('type simple with repeatCount and a startTime in a time zone', async () => {
    const res = await idm.put('/openidm/scheduler/job/three', {
      type: 'simple',
      repeatInterval: 60000,
      repeatCount: 2,
      startTime: '2099-06-01T09:00:00',
      timeZone: 'Europe/Paris',
      invokeService: 'taskscanner',
      invokeContext: {},
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      startTime: '2099-06-01T09:00:00',
      timeZone: 'Europe/Paris',
      repeatCount: 2,
      nextRunDate: '2099-06-01T07:00:00.000Z',
    });
    const fires = (await api.get('/api/v1/jobs/three/fires')).json();
    expect(fires.next.map((f: { scheduledFor: string }) => f.scheduledFor)).toEqual([
      '2099-06-01T07:00:00.000Z',
      '2099-06-01T07:01:00.000Z',
      '2099-06-01T07:02:00.000Z',
    ]);
  });

  it('a simple trigger fires at its instants, then completes (no trigger, no next run)', async () => {
    // Far enough ahead that the PUT lands first even on a loaded machine.
    const start = Math.floor(Date.now() / 1000) * 1000 + 6000;
    const startTime = new Date(start).toISOString().replace(/\.000Z$/, '+00:00');
    const res = await idm.put('/openidm/scheduler/job/twice', {
      type: 'simple',
      repeatInterval: 1000,
      repeatCount: 1,
      startTime,
      invokeService: 'script',
      invokeContext: {},
    });
    expect(res.json()).toMatchObject({ nextRunDate: new Date(start).toISOString(), previousRunDate: null });
    const fired = await waitFor(async () => {
      const items = (await api.get('/api/v1/jobs/twice/fires')).json().items as {
        scheduledFor: string;
        outcome: string;
      }[];
      return items.length === 2 && items.every((f) => f.outcome === 'run') ? items : undefined;
    }, 'two fires of the simple trigger');
    expect(fired.map((f) => f.scheduledFor).sort()).toEqual([
      new Date(start).toISOString(),
      new Date(start + 1000).toISOString(),
    ]);
    const done = await waitFor(async () => {
      const body = (await idm.get('/openidm/scheduler/job/twice')).json();
      return body.triggers.length === 0 ? body : undefined;
    }, 'the simple trigger to complete');
    expect(done).toMatchObject({
      enabled: true,
      nextRunDate: null,
      previousRunDate: new Date(start + 1000).toISOString(),
    });
    expect((await api.get('/api/v1/jobs/twice')).json().state).toBe('completed');
  });

  it('type simple with repeatCount 0 fires once, at startTime', async () => {
    const res = await idm.put('/openidm/scheduler/job/once', {
      type: 'simple',
      repeatCount: 0,
      startTime: '2099-02-03T04:05:06+02:00',
      invokeService: 'script',
      invokeContext: {},
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      type: 'simple',
      repeatCount: 0,
      repeatInterval: 0,
      startTime: '2099-02-03T04:05:06+02:00',
      nextRunDate: '2099-02-03T02:05:06.000Z',
    });
    expect((await api.get('/api/v1/jobs/once')).json().schedule).toEqual({
      type: 'once',
      at: '2099-02-03T02:05:06.000Z',
    });
  });

  it('startTime/endTime bound a cron schedule, read in timeZone or with their own offset', async () => {
    const res = await idm.put(
      '/openidm/scheduler/job/bounded',
      scriptSchedule({
        schedule: '0 0 12 * * ?',
        timeZone: 'America/New_York',
        startTime: '2098-03-01T00:00:00',
        endTime: '2098-03-04T00:00:00',
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      timeZone: 'America/New_York',
      startTime: '2098-03-01T00:00:00',
      endTime: '2098-03-04T00:00:00',
      nextRunDate: '2098-03-01T17:00:00.000Z',
    });
    const native = (await api.get('/api/v1/jobs/bounded')).json();
    expect(native.schedule).toEqual({
      type: 'cron',
      expression: '0 0 12 * * ?',
      dialect: 'quartz',
      dst: 'quartz',
      timeZone: 'America/New_York',
      startAt: '2098-03-01T05:00:00.000Z',
      endAt: '2098-03-04T05:00:00.000Z',
    });
    const next = (await api.get('/api/v1/jobs/bounded/fires'))
      .json()
      .next.map((f: { scheduledFor: string }) => f.scheduledFor);
    expect(next).toEqual([
      '2098-03-01T17:00:00.000Z',
      '2098-03-02T17:00:00.000Z',
      '2098-03-03T17:00:00.000Z',
    ]);
    expectIdmError(
      await idm.put(
        '/openidm/scheduler/job/bounded',
        scriptSchedule({ startTime: '2098-03-01T00:00:00+01:00', endTime: '2098-03-04T00:00:00+02:00' }),
      ),
      400,
      'Bad Request',
      /same offset/,
    );
  });

  it("maps Java's custom GMT+hh:mm zone ids", async () => {
    const res = await idm.put(
      '/openidm/scheduler/job/gmt',
      scriptSchedule({ schedule: '0 0 12 1 1 ? 2099', timeZone: 'GMT+05:00' }),
    );
    expect(res.json()).toMatchObject({ timeZone: 'GMT+05:00', nextRunDate: '2099-01-01T07:00:00.000Z' });
  });

  it('refuses what IDM refuses, with its messages', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [scriptSchedule({ type: 'daily' }), /^Scheduler configuration contains unknown schedule type daily/],
      [scriptSchedule({ misfirePolicy: 'fireTwice' }), /^Invalid misfire policy: fireTwice$/],
      [
        scriptSchedule({ timeZone: 'Mars/Olympus' }),
        /^Scheduler configured timezone is not understood: Mars\/Olympus$/,
      ],
      [
        scriptSchedule({ invokeService: undefined }),
        /the invokeService property needs to be set but is empty/,
      ],
      [scriptSchedule({ invokeService: '  ' }), /the invokeService property needs to be set but is empty/],
      [scriptSchedule({ schedule: undefined }), /needs a schedule/],
      [scriptSchedule({ schedule: '0 0 12 * * * ?' }), /^Invalid schedule configuration: schedule: /],
      [scriptSchedule({ startTime: 'next tuesday' }), /Unable to parse startTime/],
      [{ type: 'simple', repeatInterval: 10, invokeService: 'sync' }, /repeatInterval >= 1000/],
      [scriptSchedule({ enabled: 3 }), /Expecting a boolean for enabled/],
    ];
    for (const [body, message] of cases)
      expectIdmError(await idm.put('/openidm/scheduler/job/bad', body), 400, 'Bad Request', message);
    expectIdmError(await idm.put('/openidm/scheduler/job/bad', '[1,2]'), 400, 'Bad Request');
    expectIdmError(await idm.put('/openidm/scheduler/job/bad', '{"enabled": tru'), 400, 'Bad Request');
    expectIdmError(
      await idm.put('/openidm/scheduler/job/has%20space', scriptSchedule()),
      400,
      'Bad Request',
      /sked ids match/,
    );
    expect((await api.get('/api/v1/jobs?limit=1')).json().pagination.total).toBe(0);
  });
});

describe('POST /openidm/scheduler/job?_action=create, GET, DELETE', () => {
  it('creates with a generated UUID _id (201)', async () => {
    const res = await idm.post('/openidm/scheduler/job?_action=create', scriptSchedule());
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body._id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers['location']).toBe(`/openidm/scheduler/job/${body._id}`);
    expect((await idm.get(`/openidm/scheduler/job/${body._id}`)).json()).toEqual(body);
  });

  it('GET answers the object, or 404 Schedule does not exist; _fields projects', async () => {
    await idm.put('/openidm/scheduler/job/read-me', scriptSchedule());
    const res = await idm.get('/openidm/scheduler/job/read-me?_fields=schedule,invokeContext/script/type');
    expect(res.json()).toEqual({
      _id: 'read-me',
      _rev: '1',
      schedule: FAR,
      invokeContext: { script: { type: 'text/javascript' } },
    });
    expectIdmError(await idm.get('/openidm/scheduler/job/nope'), 404, 'Not Found', 'Schedule does not exist');
    expectIdmError(
      await idm.get('/openidm/scheduler/job/no%20such'),
      404,
      'Not Found',
      'Schedule does not exist',
    );
  });

  it('DELETE answers 200 with the deleted object', async () => {
    const created = (await idm.put('/openidm/scheduler/job/gone', scriptSchedule())).json();
    const res = await idm.del('/openidm/scheduler/job/gone');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
    expectIdmError(await idm.get('/openidm/scheduler/job/gone'), 404, 'Not Found');
    expectIdmError(await idm.del('/openidm/scheduler/job/gone'), 404, 'Not Found', 'Schedule does not exist');
    expect((await api.get('/api/v1/jobs/gone')).statusCode).toBe(404);
  });
});

describe('actions', () => {
  it('per-job trigger runs the job now (the run dispatches the IDM action)', async () => {
    await idm.put('/openidm/scheduler/job/now', scriptSchedule());
    const res = await idm.post('/openidm/scheduler/job/now?_action=trigger');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ success: true });
    const run = await waitFor(async () => {
      const runs = (await api.get('/api/v1/runs?jobId=now')).json().items;
      return runs.find((r: { status: string }) => ['failed', 'succeeded'].includes(r.status));
    }, 'the triggered run to finish');
    expect(run.trigger).toBe('manual');
    // No SKED_DISPATCH_IDM_URL here: the run fails saying so.
    expect(JSON.stringify(run)).toMatch(/SKED_DISPATCH_IDM_URL/);
  });

  it('per-job pause and resume', async () => {
    await idm.put('/openidm/scheduler/job/pp', scriptSchedule());
    expect((await idm.post('/openidm/scheduler/job/pp?_action=pause')).json()).toEqual({ success: true });
    expect((await idm.get('/openidm/scheduler/job/pp')).json()).toMatchObject({
      enabled: false,
      triggers: [],
      nextRunDate: null,
    });
    expect((await api.get('/api/v1/jobs/pp')).json().state).toBe('paused');
    expect((await idm.post('/openidm/scheduler/job/pp?_action=resume')).json()).toEqual({ success: true });
    expect((await idm.get('/openidm/scheduler/job/pp')).json()).toMatchObject({
      enabled: true,
      triggers: [{ state: 'NORMAL' }],
      nextRunDate: FAR_FIRE,
    });
    expectIdmError(
      await idm.post('/openidm/scheduler/job/absent?_action=pause'),
      404,
      'Not Found',
      'Schedule does not exist',
    );
  });

  it('per-job actions are API v2 only: resource=1.0 answers 501 Not Implemented', async () => {
    await idm.put('/openidm/scheduler/job/v1', scriptSchedule());
    for (const action of ['trigger', 'pause', 'resume']) {
      const res = await idmV1.post(`/openidm/scheduler/job/v1?_action=${action}`);
      expectIdmError(res, 501, 'Not Implemented', /resource version 2\.0/);
      expect(res.headers['content-api-version']).toBe('protocol=2.1,resource=1.0');
    }
    expect((await api.get('/api/v1/runs?jobId=v1')).json().pagination.total).toBe(0);
    expect((await api.get('/api/v1/jobs/v1')).json().state).toBe('enabled');
    expect(
      (
        await idm.post('/openidm/scheduler/job/v1?_action=pause', undefined, {
          'accept-api-version': 'resource=2.0',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('pauseJobs and resumeJobs act on every job', async () => {
    await idm.put('/openidm/scheduler/job/a', scriptSchedule());
    await idm.put('/openidm/scheduler/job/b', scriptSchedule());
    await api.put('/api/v1/jobs/native', {
      name: 'native',
      schedule: { type: 'cron', expression: '0 0 1 1 *' },
    });
    expect((await idm.post('/openidm/scheduler/job?_action=pauseJobs')).json()).toEqual({ success: true });
    const states = async () =>
      (await api.get('/api/v1/jobs'))
        .json()
        .items.map((j: { id: string; state: string }) => `${j.id}:${j.state}`)
        .sort();
    expect(await states()).toEqual(['a:paused', 'b:paused', 'native:paused']);
    expect((await idm.post('/openidm/scheduler/job?_action=resumeJobs')).json()).toEqual({ success: true });
    expect(await states()).toEqual(['a:enabled', 'b:enabled', 'native:enabled']);
  });

  it('validateQuartzCronExpression on /openidm/scheduler and /openidm/scheduler/job', async () => {
    for (const path of ['/openidm/scheduler', '/openidm/scheduler/job']) {
      expect(
        (
          await idm.post(`${path}?_action=validateQuartzCronExpression`, { cronExpression: '0 0/30 * * * ?' })
        ).json(),
      ).toEqual({ valid: true });
      expect(
        (
          await idm.post(`${path}?_action=validateQuartzCronExpression`, {
            cronExpression: '0 0 12 L * ? 2030',
          })
        ).json(),
      ).toEqual({ valid: true });
      expect(
        (
          await idm.post(`${path}?_action=validateQuartzCronExpression`, { cronExpression: '0 0 12 * * *' })
        ).json(),
      ).toEqual({ valid: false });
      expect(
        (
          await idm.post(`${path}?_action=validateQuartzCronExpression`, { cronExpression: '*/5 * * * *' })
        ).json(),
      ).toEqual({ valid: false });
      expectIdmError(
        await idm.post(`${path}?_action=validateQuartzCronExpression`, {}),
        400,
        'Bad Request',
        /cronExpression/,
      );
    }
  });

  it('an unknown _action is a 400 listing the valid ones', async () => {
    const expected =
      /create, listCurrentlyExecutingJobs, pauseJobs, resumeJobs, validateQuartzCronExpression, pause, resume, trigger$/;
    expectIdmError(await idm.post('/openidm/scheduler/job?_action=explode'), 400, 'Bad Request', expected);
    expectIdmError(await idm.post('/openidm/scheduler?_action=pauseJobs'), 400, 'Bad Request', expected);
    await idm.put('/openidm/scheduler/job/x', scriptSchedule());
    expectIdmError(await idm.post('/openidm/scheduler/job/x?_action=explode'), 400, 'Bad Request', expected);
    expectIdmError(
      await idm.post('/openidm/scheduler/job/x'),
      400,
      'Bad Request',
      /_action parameter is required/,
    );
  });
});

describe('what IDM does not serve, and authentication', () => {
  it('PATCH is 501 (IDM patches schedules through /openidm/config/schedule/{id}); unknown paths 404', async () => {
    await idm.put('/openidm/scheduler/job/p', scriptSchedule());
    expectIdmError(
      await idm.patch('/openidm/scheduler/job/p', [
        { operation: 'replace', field: '/enabled', value: false },
      ]),
      501,
      'Not Implemented',
      /Patch operations are not supported/,
    );
    expectIdmError(await idm.patch('/openidm/scheduler', {}), 501, 'Not Implemented');
    expectIdmError(
      await idm.get('/openidm/scheduler/nothing/here'),
      404,
      'Not Found',
      "Resource 'scheduler/nothing/here' not found",
    );
    expect((await api.get('/api/v1/jobs/p')).json().state).toBe('enabled');
  });

  it('needs a sked API key as X-OpenIDM-Password or Bearer token; else 401 Access Denied', async () => {
    const url = '/openidm/scheduler/job?_queryFilter=true';
    expectIdmError(
      await sked().app.inject({
        method: 'GET',
        url,
        headers: { ...AS_WRITTEN, 'x-openidm-username': 'openidm-admin' },
      }),
      401,
      'Unauthorized',
      'Access Denied',
    );
    expectIdmError(
      await sked().app.inject({
        method: 'GET',
        url,
        headers: {
          ...AS_WRITTEN,
          'x-openidm-username': 'openidm-admin',
          'x-openidm-password': 'openidm-admin',
        },
      }),
      401,
      'Unauthorized',
      'Access Denied',
    );
    expectIdmError(
      await sked().app.inject({ method: 'GET', url, headers: { authorization: 'Bearer not-a-key' } }),
      401,
      'Unauthorized',
      'Access Denied',
    );
    expect(
      (await sked().app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TEST_KEY}` } }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await sked().app.inject({
          method: 'GET',
          url,
          headers: { ...AS_WRITTEN, 'x-openidm-username': 'anyone', 'x-openidm-password': TEST_KEY },
        })
      ).statusCode,
    ).toBe(200);
  });

  it("maps key roles: a viewer may query but not create (403 in IDM's shape); the user name is audited", async () => {
    const viewer = (await api.post('/api/v1/keys', { name: 'ui', role: 'viewer' })).json().key as string;
    const headers = {
      ...AS_WRITTEN,
      'x-openidm-username': 'openidm-admin',
      'x-openidm-password': viewer,
      'content-type': 'application/json',
    };
    expect(
      (
        await sked().app.inject({
          method: 'GET',
          url: '/openidm/scheduler/job?_queryId=query-all-ids',
          headers,
        })
      ).statusCode,
    ).toBe(200);
    expectIdmError(
      await sked().app.inject({
        method: 'PUT',
        url: '/openidm/scheduler/job/v',
        headers,
        payload: JSON.stringify(scriptSchedule()),
      }),
      403,
      'Forbidden',
    );
    await idm.put('/openidm/scheduler/job/audited', scriptSchedule());
    const audit = (await api.get('/api/v1/audit?action=job.create')).json().items;
    expect(audit[0].actor.name).toMatch(/as openidm-admin$/);
  });

  it('an unknown resource version is refused', async () => {
    expectIdmError(
      await idm.get('/openidm/scheduler/job?_queryFilter=true', { 'accept-api-version': 'resource=3.0' }),
      400,
      'Bad Request',
      /resource version/,
    );
  });
});

describe('logging', () => {
  type Entry = { level: 'debug' | 'info' | 'warn' | 'error'; args: unknown[] };
  const recording = (): { logger: Logger; entries: Entry[] } => {
    const entries: Entry[] = [];
    const at =
      (level: Entry['level']) =>
      (...args: unknown[]): void => {
        entries.push({ level, args });
      };
    const logger: Logger = {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: () => logger,
    };
    return { logger, entries };
  };

  it('the deliberate 501s (PATCH, v1 per-job actions) are not logged as errors', async () => {
    const { logger, entries } = recording();
    const own = await testSked(TEST_FLAGS, { logger });
    try {
      const ownIdm = idmClient(() => own);
      await ownIdm.put('/openidm/scheduler/job/p', scriptSchedule());
      expectIdmError(await ownIdm.patch('/openidm/scheduler/job/p', []), 501, 'Not Implemented');
      expectIdmError(
        await idmClient(() => own, '1.0').post('/openidm/scheduler/job/p?_action=trigger'),
        501,
        'Not Implemented',
      );
      const idmEntries = entries.filter((e) => /idm request/.test(String(e.args[1])));
      expect(idmEntries.filter((e) => e.level === 'error')).toEqual([]);
      expect(idmEntries.filter((e) => e.level === 'debug')).toHaveLength(2);
    } finally {
      await own.close();
    }
  });

  it('an unexpected error is logged at error level with its stack, and answered 500', () => {
    const { logger, entries } = recording();
    const sent: { status?: number; body?: unknown } = {};
    const reply = {
      header: () => reply,
      status: (code: number) => ((sent.status = code), reply),
      type: () => reply,
      send: (body: unknown) => ((sent.body = body), reply),
    };
    idmErrorHandler(logger)(
      new TypeError('boom'),
      { url: '/openidm/scheduler/job/x', method: 'GET' } as FastifyRequest,
      reply as unknown as FastifyReply,
    );
    expect(sent).toEqual({
      status: 500,
      body: { code: 500, reason: 'Internal Server Error', message: expect.any(String) },
    });
    expect(entries.map((e) => e.level)).toEqual(['error']);
    expect(entries[0]?.args[0]).toMatchObject({
      err: { message: 'boom', stack: expect.stringContaining('TypeError') },
    });
  });
});
