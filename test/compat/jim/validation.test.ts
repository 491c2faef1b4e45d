/**
 * JIM's field limits, enums, controller rules and errors: every 400 is VALIDATION_ERROR with the fields
 * named, nothing is written on a 400, sked's own 401/403/429 arrive in JIM's error shape (UNAUTHORISED,
 * FORBIDDEN, TOO_MANY_REQUESTS with Retry-After), and unknown ids are NOT_FOUND.
 */

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_KEY } from '../../support/app-harness.js';
import { skedWithSurfaces } from '../puppet/with-surfaces.js';
import { createFromSeed, createKey, expectJimError, jimClient, replay, useSked } from './support.js';

const sked = useSked();
const jim = jimClient(sked);

const count = async (): Promise<number> => (await jim.get('/api/v1/schedules')).json().totalCount;
const exe = (extra: Record<string, unknown> = {}) => ({ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/true', ...extra });

describe('field limits of the seed', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['name missing', { triggerType: 'Manual' }, 'Name'],
    ['name empty', { name: '' }, 'Name'],
    ['name of 201 characters', { name: 'n'.repeat(201) }, 'Name'],
    ['description of 1001 characters', { name: 'x', description: 'd'.repeat(1001) }, 'Description'],
    ['intervalValue 0', { name: 'x', triggerType: 'Cron', patternType: 'Interval', intervalValue: 0 }, 'IntervalValue'],
    ['intervalValue 60', { name: 'x', triggerType: 'Cron', patternType: 'Interval', intervalValue: 60 }, 'IntervalValue'],
    ['changeReason of 2001 characters', { name: 'x', changeReason: 'c'.repeat(2001) }, 'ChangeReason'],
    ['timeoutSeconds 0', { name: 'x', steps: [exe({ timeoutSeconds: 0 })] }, 'Steps[0].TimeoutSeconds'],
    ['timeoutSeconds 86401', { name: 'x', steps: [exe({ timeoutSeconds: 86401 })] }, 'Steps[0].TimeoutSeconds'],
    ['step name of 201 characters', { name: 'x', steps: [exe({ name: 's'.repeat(201) })] }, 'Steps[0].Name'],
    ['scriptPath of 501 characters', { name: 'x', steps: [{ stepIndex: 0, stepType: 'PowerShell', scriptPath: `/${'p'.repeat(500)}` }] }, 'Steps[0].ScriptPath'],
    ['executablePath of 501 characters', { name: 'x', steps: [exe({ executablePath: `/${'p'.repeat(500)}` })] }, 'Steps[0].ExecutablePath'],
    ['workingDirectory of 501 characters', { name: 'x', steps: [exe({ workingDirectory: `/${'p'.repeat(500)}` })] }, 'Steps[0].WorkingDirectory'],
    ['arguments of 2001 characters', { name: 'x', steps: [exe({ arguments: 'a'.repeat(2001) })] }, 'Steps[0].Arguments'],
    ['sqlConnectionString of 501 characters', { name: 'x', steps: [{ stepIndex: 0, stepType: 'SqlScript', sqlConnectionString: `sqlite:/${'p'.repeat(500)}`, sqlScriptPath: '/x.sql' }] }, 'Steps[0].SqlConnectionString'],
    ['sqlScriptPath of 501 characters', { name: 'x', steps: [{ stepIndex: 0, stepType: 'SqlScript', sqlConnectionString: 'sqlite:/tmp/x.db', sqlScriptPath: `/${'p'.repeat(500)}` }] }, 'Steps[0].SqlScriptPath'],
    ['stepIndex 1001', { name: 'x', steps: [exe({ stepIndex: 1001 })] }, 'Steps[0].StepIndex'],
  ];
  for (const [what, body, field] of cases) {
    it(`${what} → 400 VALIDATION_ERROR naming ${field}, nothing made`, async () => {
      const res = await jim.post('/api/v1/schedules', body);
      const err = expectJimError(res, 400, 'VALIDATION_ERROR', field);
      expect(err.details).toBeNull();
      expect(await count()).toBe(0);
    });
  }

  it('the limits themselves are accepted (name 200, description 1000, intervalValue 59, timeout 86400, arguments 2000, paths 500)', async () => {
    const res = await jim.post('/api/v1/schedules', {
      name: 'n'.repeat(200),
      description: 'd'.repeat(1000),
      triggerType: 'Cron',
      patternType: 'Interval',
      intervalValue: 59,
      intervalUnit: 'Minutes',
      changeReason: 'c'.repeat(2000),
      steps: [exe({ timeoutSeconds: 86400, arguments: 'a'.repeat(2000), workingDirectory: `/${'w'.repeat(499)}` }), { stepIndex: 1, stepType: 'PowerShell', scriptPath: `/${'p'.repeat(499)}` }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ intervalValue: 59, intervalUnit: 'Minutes', cronExpression: null, steps: [{ timeoutSeconds: 86400 }, { stepType: 'PowerShell' }] });
  });

  it('reports every broken rule at once', async () => {
    const res = await jim.post('/api/v1/schedules', { name: '', description: 'd'.repeat(1001), steps: [exe({ timeoutSeconds: 0 }), { stepIndex: 1, stepType: 'RunProfile' }] });
    expectJimError(res, 400, 'VALIDATION_ERROR', 'Name', 'Description', 'Steps[0].TimeoutSeconds', 'Steps[1].ConnectedSystemId', 'Steps[1].RunProfileId');
  });
});

describe('enums, rules and bodies', () => {
  it('enums are string names, case-insensitive; numbers and unknown names are refused', async () => {
    const ok = await jim.post('/api/v1/schedules', { name: 'lower', triggerType: 'cron', patternType: 'custom', cronExpression: '*/5 * * * *' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ triggerType: 'Cron', patternType: 'Custom' });
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', triggerType: 0 }), 400, 'VALIDATION_ERROR', 'TriggerType');
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', triggerType: 'Hourly' }), 400, 'VALIDATION_ERROR', 'TriggerType');
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', steps: [exe({ stepType: 2 })] }), 400, 'VALIDATION_ERROR', 'Steps[0].StepType');
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', steps: [exe({ executionMode: 'Whenever' })] }), 400, 'VALIDATION_ERROR', 'Steps[0].ExecutionMode');
  });

  it('property names are case-insensitive and unknown properties are ignored, as System.Text.Json binds them', async () => {
    const res = await jim.post('/api/v1/schedules', { Name: 'Pascal', TriggerType: 'Manual', somethingElse: 1 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Pascal', triggerType: 'Manual' });
  });

  it('a property given twice is refused (AllowDuplicateProperties = false)', async () => {
    const res = await jim.post('/api/v1/schedules', '{"name": "a", "Name": "b"}');
    expectJimError(res, 400, 'VALIDATION_ERROR');
    expect(await count()).toBe(0);
  });

  it('invalid JSON and a missing body are 400 VALIDATION_ERROR in JIM\'s shape', async () => {
    expectJimError(await jim.post('/api/v1/schedules', '{"name": '), 400, 'VALIDATION_ERROR');
    expectJimError(await jim.post('/api/v1/schedules'), 400, 'VALIDATION_ERROR');
  });

  it('a Cron trigger needs a cron expression or its pattern fields (the controller\'s message)', async () => {
    for (const body of [{ name: 'x', triggerType: 'Cron' }, { name: 'x', triggerType: 'Cron', patternType: 'Custom' }, { name: 'x', triggerType: 'Cron', patternType: 'Interval' }]) {
      const err = expectJimError(await jim.post('/api/v1/schedules', body), 400, 'VALIDATION_ERROR', 'CronExpression');
      expect(err.message).toBe('Cron expression is required for scheduled triggers');
    }
  });

  it('a raw cron with a pattern type but no pattern fields is accepted (a compat server accepts both)', async () => {
    const res = await jim.post('/api/v1/schedules', { name: 'raw', triggerType: 'Cron', patternType: 'SpecificTimes', cronExpression: '30 4 * * *', isEnabled: true });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ cronExpression: '30 4 * * *', patternType: 'SpecificTimes' });
  });

  it('bad cron expressions, days and times are named', async () => {
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', triggerType: 'Cron', patternType: 'Custom', cronExpression: '0 3 * *' }), 400, 'VALIDATION_ERROR', 'CronExpression');
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', triggerType: 'Cron', patternType: 'Custom', cronExpression: '0 0 30 2 *' }), 400, 'VALIDATION_ERROR', 'CronExpression');
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', triggerType: 'Cron', patternType: 'SpecificTimes', daysOfWeek: '1,8', runTimes: '06:00' }), 400, 'VALIDATION_ERROR', 'DaysOfWeek');
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', triggerType: 'Cron', patternType: 'SpecificTimes', runTimes: '06:00,25:00' }), 400, 'VALIDATION_ERROR', 'RunTimes');
    expectJimError(await jim.post('/api/v1/schedules', { name: 'x', triggerType: 'Cron', patternType: 'Interval', intervalValue: 1, intervalWindowStart: '18:00', intervalWindowEnd: '08:00' }), 400, 'VALIDATION_ERROR', 'IntervalWindowEnd');
    expect(await count()).toBe(0);
  });

  it('each step type needs its fields (the controller\'s messages)', async () => {
    const res = await jim.post('/api/v1/schedules', {
      name: 'x',
      steps: [{ stepIndex: 0 }, { stepIndex: 1, stepType: 'PowerShell' }, { stepIndex: 2, stepType: 'Executable' }, { stepIndex: 3, stepType: 'SqlScript' }],
    });
    const err = expectJimError(res, 400, 'VALIDATION_ERROR', 'Steps[0].ConnectedSystemId', 'Steps[0].RunProfileId', 'Steps[1].ScriptPath', 'Steps[2].ExecutablePath', 'Steps[3].SqlConnectionString', 'Steps[3].SqlScriptPath');
    expect(err.validationErrors['Steps[0].ConnectedSystemId']).toEqual(['Connected System ID is required for RunProfile steps']);
    expect(err.validationErrors['Steps[1].ScriptPath']).toEqual(['Script path is required for PowerShell steps']);
    expect(err.validationErrors['Steps[2].ExecutablePath']).toEqual(['Executable path is required for Executable steps']);
  });

  it('SqlScript: a SQL Server connection string and an unreadable script are refused clearly', async () => {
    const res = await jim.post('/api/v1/schedules', {
      name: 'sql',
      steps: [{ stepIndex: 0, stepType: 'SqlScript', sqlConnectionString: 'Server=db;Database=jim;Trusted_Connection=True;', sqlScriptPath: `/nonexistent/${randomUUID()}.sql` }],
    });
    const err = expectJimError(res, 400, 'VALIDATION_ERROR', 'Steps[0].SqlConnectionString', 'Steps[0].SqlScriptPath');
    expect(err.validationErrors['Steps[0].SqlConnectionString'][0]).toMatch(/sqlite:PATH or postgres:\/\//);
    expect(err.validationErrors['Steps[0].SqlScriptPath'][0]).toMatch(/cannot read the SQL script.*ENOENT/);
  });
});

describe('authentication and roles (sked keys, X-API-Key or Bearer)', () => {
  it('no key and a wrong key: 401 UNAUTHORISED, in JIM\'s shape', async () => {
    expectJimError(await jimClient(sked, null).get('/api/v1/schedules'), 401, 'UNAUTHORISED');
    expectJimError(await jimClient(sked, 'sked_00000000_NotAKeyAtAllNotAKeyAtAllNotAKey00').get('/api/v1/schedule-executions'), 401, 'UNAUTHORISED');
    expectJimError(await jimClient(sked, null).post('/api/v1/schedules', { name: 'x' }), 401, 'UNAUTHORISED');
    expect(await count()).toBe(0);
  });

  it('X-API-Key in any case and Authorization: Bearer both authenticate', async () => {
    expect((await jimClient(sked, null).get('/api/v1/schedules', { 'X-API-KEY': TEST_KEY })).statusCode).toBe(200);
    expect((await jimClient(sked, null).get('/api/v1/schedules', { authorization: `Bearer ${TEST_KEY}` })).statusCode).toBe(200);
  });

  it('a viewer reads but may not change: 403 FORBIDDEN in JIM\'s shape; an operator runs, enables and disables', async () => {
    const created = await createFromSeed(sked, 'fullPipeline');
    const viewer = jimClient(sked, await createKey(sked, 'viewer'));
    expect((await viewer.get('/api/v1/schedules')).statusCode).toBe(200);
    expect((await viewer.get(`/api/v1/schedules/${created.id}`)).statusCode).toBe(200);
    expectJimError(await viewer.post('/api/v1/schedules', { name: 'x' }), 403, 'FORBIDDEN');
    expectJimError(await viewer.put(`/api/v1/schedules/${created.id}`, { name: 'x', triggerType: 'Manual' }), 403, 'FORBIDDEN');
    expectJimError(await viewer.del(`/api/v1/schedules/${created.id}`), 403, 'FORBIDDEN');
    expectJimError(await viewer.post(`/api/v1/schedules/${created.id}/run`), 403, 'FORBIDDEN');
    expectJimError(await viewer.post(`/api/v1/schedules/${created.id}/enable`), 403, 'FORBIDDEN');
    const operator = jimClient(sked, await createKey(sked, 'operator'));
    expectJimError(await operator.post('/api/v1/schedules', { name: 'x' }), 403, 'FORBIDDEN');
    expect((await operator.post(`/api/v1/schedules/${created.id}/enable`)).statusCode).toBe(200);
    expect((await operator.post(`/api/v1/schedules/${created.id}/disable`)).statusCode).toBe(200);
    expect((await operator.post(`/api/v1/schedules/${created.id}/run`)).statusCode).toBe(202);
    expect(await count()).toBe(1);
  });

  it('rate limited: 429 TOO_MANY_REQUESTS with Retry-After (which the PowerShell client waits out)', async () => {
    const limited = await skedWithSurfaces({ 'rate-limit': 1, 'shutdown-grace': 'PT0S' });
    try {
      const api = jimClient(() => limited);
      let res = await api.get('/api/v1/schedules');
      for (let i = 0; i < 10 && res.statusCode !== 429; i++) res = await api.get('/api/v1/schedules');
      expectJimError(res, 429, 'TOO_MANY_REQUESTS');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});

describe('unknown ids', () => {
  it('schedules: 404 NOT_FOUND "Schedule not found: {id}" on every verb', async () => {
    const id = randomUUID();
    const err = expectJimError(await jim.get(`/api/v1/schedules/${id}`), 404, 'NOT_FOUND');
    expect(err.message).toBe(`Schedule not found: ${id}`);
    expectJimError(await jim.put(`/api/v1/schedules/${id}`, { name: 'x', triggerType: 'Manual' }), 404, 'NOT_FOUND');
    expectJimError(await jim.del(`/api/v1/schedules/${id}`), 404, 'NOT_FOUND');
    expectJimError(await jim.post(`/api/v1/schedules/${id}/enable`), 404, 'NOT_FOUND');
    expectJimError(await jim.post(`/api/v1/schedules/${id}/disable`), 404, 'NOT_FOUND');
    expectJimError(await jim.post(`/api/v1/schedules/${id}/run`), 404, 'NOT_FOUND');
    expectJimError(await jim.get('/api/v1/schedules/not%20an%20id'), 404, 'NOT_FOUND');
    expect(await count()).toBe(0);
  });

  it('executions: 404 NOT_FOUND "Schedule execution not found: {id}"', async () => {
    const id = randomUUID();
    const err = expectJimError(await jim.get(`/api/v1/schedule-executions/${id}`), 404, 'NOT_FOUND');
    expect(err.message).toBe(`Schedule execution not found: ${id}`);
    expectJimError(await jim.post(`/api/v1/schedule-executions/${id}/cancel`), 404, 'NOT_FOUND');
  });

  it('GUIDs in the path are case-insensitive', async () => {
    const created = await createFromSeed(sked, 'manual');
    const res = await jim.get(`/api/v1/schedules/${created.id.toUpperCase()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(created.id);
  });
});

describe('the list: paging, search, sort', () => {
  it('pages with totals, caps pageSize at 100, refuses non-numbers and paging past a million rows', async () => {
    for (let i = 0; i < 25; i++) expect((await jim.post('/api/v1/schedules', { name: `schedule ${String(i).padStart(2, '0')}`, description: i % 5 === 0 ? 'Nightly EXPORT' : '' })).statusCode).toBe(201);
    const p3 = (await jim.get('/api/v1/schedules?page=3&pageSize=10')).json();
    expect(p3).toMatchObject({ totalCount: 25, page: 3, pageSize: 10, totalPages: 3, hasNextPage: false, hasPreviousPage: true });
    expect(p3.items.map((s: any) => s.name)).toEqual(['schedule 20', 'schedule 21', 'schedule 22', 'schedule 23', 'schedule 24']);
    const p1 = (await jim.get('/api/v1/schedules?pageSize=10')).json();
    expect(p1).toMatchObject({ page: 1, totalPages: 3, hasNextPage: true, hasPreviousPage: false });
    expect((await jim.get('/api/v1/schedules')).json()).toMatchObject({ pageSize: 20, totalPages: 2 });
    expect((await jim.get('/api/v1/schedules?pageSize=500')).json()).toMatchObject({ pageSize: 100, totalPages: 1 });
    expect((await jim.get('/api/v1/schedules?page=0')).json()).toMatchObject({ page: 1 });
    expectJimError(await jim.get('/api/v1/schedules?page=abc'), 400, 'VALIDATION_ERROR', 'page');
    expectJimError(await jim.get('/api/v1/schedules?pageSize=1.5'), 400, 'VALIDATION_ERROR', 'pageSize');
    expectJimError(await jim.get('/api/v1/schedules?page=10001&pageSize=100'), 400, 'VALIDATION_ERROR', 'page');
    expectJimError(await jim.get('/api/v1/schedules?sortDescending=maybe'), 400, 'VALIDATION_ERROR', 'sortDescending');
    const found = (await jim.get('/api/v1/schedules?search=export')).json();
    expect(found.totalCount).toBe(5);
    const byName = (await jim.get('/api/v1/schedules?search=SCHEDULE%202&sortBy=name&sortDescending=true')).json();
    expect(byName.items.map((s: any) => s.name)).toEqual(['schedule 24', 'schedule 23', 'schedule 22', 'schedule 21', 'schedule 20']);
    const created = (await jim.get('/api/v1/schedules?sortBy=created&pageSize=100')).json().items.map((s: any) => s.name);
    expect(created[0]).toBe('schedule 00');
  });
});

describe('replays with any sked key', () => {
  it('a seed example sent with an operator key is refused (creating needs admin)', async () => {
    expectJimError(await replay(sked, 'morningImport', await createKey(sked, 'operator')), 403, 'FORBIDDEN');
  });
});

describe('hostile values', () => {
  const HOSTILE: unknown[] = [null, true, -1, 1e300, 2 ** 53, '', ' ', 'x'.repeat(5000), [], [1, 'a'], {}, { a: { b: [] } }, '\u0000', '../../etc/passwd'];
  const FIELDS = ['name', 'description', 'triggerType', 'patternType', 'daysOfWeek', 'runTimes', 'intervalValue', 'intervalUnit', 'intervalWindowStart', 'intervalWindowEnd', 'cronExpression', 'isEnabled', 'steps', 'changeReason'];
  const STEP_FIELDS = ['id', 'stepIndex', 'name', 'executionMode', 'stepType', 'continueOnFailure', 'timeoutSeconds', 'connectedSystemId', 'runProfileId', 'scriptPath', 'arguments', 'executablePath', 'workingDirectory', 'sqlConnectionString', 'sqlScriptPath'];

  it('any value in any field is a 201 or a 4xx in JIM\'s shape, never a 500', async () => {
    const created = await createFromSeed(sked, 'fullPipeline');
    for (const value of HOSTILE) {
      for (const field of FIELDS) {
        const body = { name: 'h', triggerType: 'Cron', patternType: 'Custom', cronExpression: '0 3 * * *', [field]: value };
        for (const res of [await jim.post('/api/v1/schedules', body), await jim.put(`/api/v1/schedules/${created.id}`, body)]) {
          expect(res.statusCode, `${field}=${JSON.stringify(value)?.slice(0, 40)}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.json().code).toMatch(/^[A-Z_]+$/);
        }
      }
      for (const field of STEP_FIELDS) {
        const step = { stepIndex: 0, stepType: 'Executable', executablePath: '/bin/true', [field]: value };
        const res = await jim.post('/api/v1/schedules', { name: 'h', steps: [step] });
        expect(res.statusCode, `steps[0].${field}=${JSON.stringify(value)?.slice(0, 40)}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      }
    }
    for (const q of ['page=%00', 'pageSize=-5', 'sortBy[]=a', 'search=%25%27', 'page=1&page=2', 'scheduleId=' + 'x'.repeat(300)]) {
      expect((await jim.get(`/api/v1/schedules?${q}`)).statusCode).toBeLessThan(500);
      expect((await jim.get(`/api/v1/schedule-executions?${q}`)).statusCode).toBeLessThan(500);
    }
  }, 60_000);
});
