/**
 * One set of jobs behind the five surfaces (issue 6, "Done means": create through one surface, observe
 * and change through two others). For each surface a job is created through it, then read and changed
 * through two other compatibility surfaces (never only the native API), and every change is checked
 * where the job was made:
 *
 * - Azure classic → IDM (pause) and JIM (enable, run: the http action runs natively, Azure's history and
 *   counters show it);
 * - InfinniPlatform → Azure (disable, under the collection its Group names) and JIM (enable, delete);
 * - Puppet → IDM (pause) and InfinniPlatform (resume, trigger with a data body: the dispatch carries the
 *   task's fields and the data, delete);
 * - IDM → JIM (disable) and Puppet (re-enable by PUT, keeping the IDM action; delete);
 * - JIM → IDM (trigger: an execution in JIM) and InfinniPlatform (pause), seen by Azure in `default`.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_FLAGS, useSked, waitFor } from '../api/support.js';
import { TEST_KEY } from '../support/app-harness.js';
import { classic, CLASSIC, collectionXml, startTarget, TOMORROW, type Target } from './azure/support.js';
import { idmClient, scriptSchedule } from './idm/support.js';
import { jimClient, waitForExecution } from './jim/support.js';
import { puppetClient } from './puppet/support.js';

let target: Target;
const flags: Record<string, unknown> = { ...TEST_FLAGS };
beforeAll(async () => {
  target = await startTarget();
  flags['dispatch'] = `puppet=${target.url}/puppet`;
});
afterAll(async () => {
  await target.close();
});

const sked = useSked(flags);
const azure = classic(sked);
const idm = idmClient(sked);
const jim = jimClient(sked);
const orch = puppetClient(sked);
/** InfinniPlatform's callers are local and send no key (the harness would add one unless one is named). */
const infinni = {
  get: (url: string) => sked().app.inject({ method: 'GET', url, headers: { 'x-api-key': 'unused' } }),
  post: (url: string, body?: unknown) =>
    sked().app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': 'unused', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    }),
  del: (url: string) => sked().app.inject({ method: 'DELETE', url, headers: { 'x-api-key': 'unused' } }),
};
const native = (url: string) => sked().app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TEST_KEY}` } });

/** The same instant, whatever the API's spelling of it (JIM drops zero milliseconds). */
const instant = (text: string | null): number | null => (text === null ? null : Date.parse(text));

describe('created through Azure (classic)', () => {
  it('IDM pauses it and JIM re-enables and runs it; Azure sees the state, the history and the counters', async () => {
    expect((await azure.put(`${CLASSIC}/jc1`, collectionXml())).statusCode).toBe(202);
    const made = await azure.put(`${CLASSIC}/jc1/jobs/report`, {
      startTime: TOMORROW(),
      action: { type: 'http', request: { uri: `${target.url}/report`, method: 'GET' } },
      recurrence: { frequency: 'day', interval: 1 },
    });
    expect(made.statusCode, made.body).toBe(201);
    const next = made.json().status.nextExecutionTime as string;

    const shown = (await idm.get('/openidm/scheduler/job/jc1.report')).json();
    expect(shown).toMatchObject({
      _id: 'jc1.report',
      enabled: true,
      type: 'cron',
      invokeService: 'org.forgerock.openidm.sked',
      invokeContext: { steps: [{ type: 'http', request: { method: 'GET', url: `${target.url}/report` } }] },
      triggers: [{ state: 'NORMAL' }],
    });
    expect(instant(shown.nextRunDate)).toBe(instant(next));
    expect((await idm.post('/openidm/scheduler/job/jc1.report?_action=pause')).json()).toEqual({ success: true });
    expect((await azure.get(`${CLASSIC}/jc1/jobs/report`)).json()).toMatchObject({ id: 'report', state: 'disabled' });

    const schedule = (await jim.get('/api/v1/schedules/jc1.report')).json();
    expect(schedule).toMatchObject({ id: 'jc1.report', name: 'report', isEnabled: false, nextRunTime: null, stepCount: 1 });
    expect((await jim.post('/api/v1/schedules/jc1.report/enable')).json()).toMatchObject({ isEnabled: true });
    const enabled = (await azure.get(`${CLASSIC}/jc1/jobs/report`)).json();
    expect(enabled.state).toBe('enabled');
    expect(enabled.status.nextExecutionTime).toBe(next);

    const run = await jim.post('/api/v1/schedules/jc1.report/run');
    expect(run.statusCode, run.body).toBe(202);
    expect(await waitForExecution(jim, run.json().executionId)).toMatchObject({ status: 'Complete', scheduleId: 'jc1.report' });
    expect(target.requests).toContainEqual(expect.objectContaining({ method: 'GET', url: '/report' }));
    const history = (await azure.get(`${CLASSIC}/jc1/jobs/report/history`)).json();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ jobId: 'report', status: 'completed', actionName: 'MainAction' });
    expect((await azure.get(`${CLASSIC}/jc1/jobs/report`)).json().status).toMatchObject({ executionCount: 1, failureCount: 0 });
  });
});

describe('created through InfinniPlatform', () => {
  it('Azure disables it in the collection its Group names; JIM re-enables and deletes it; Infinni sees each change', async () => {
    const made = await infinni.post('/scheduler/jobs/reports.daily', {
      Name: 'daily',
      Group: 'reports',
      HandlerType: 'Reports.DailyHandler',
      CronExpression: '0 0 2 * * ?',
      Data: { format: 'pdf' },
    });
    expect(made.json()).toEqual({ Success: true, Result: true });

    // Group `reports` is collection `reports`; Azure shows job `reports.daily` there as `daily`.
    const listed = (await azure.get(`${CLASSIC}/reports/jobs`)).json();
    expect(listed.map((j: { id: string }) => j.id)).toEqual(['daily']);
    expect(listed[0]).toMatchObject({ state: 'enabled', status: { executionCount: 0 } });
    expect(new Date(listed[0].status.nextExecutionTime).getUTCHours()).toBe(2);
    expect((await azure.patch(`${CLASSIC}/reports/jobs/daily`, { state: 'disabled' })).json().state).toBe('disabled');
    expect((await infinni.get('/scheduler/jobs/reports.daily')).json().Result).toMatchObject({ Id: 'reports.daily', Group: 'reports', State: 1 });

    const schedule = (await jim.get('/api/v1/schedules/reports.daily')).json();
    expect(schedule).toMatchObject({ name: 'daily', triggerType: 'Cron', cronExpression: '0 2 * * *', isEnabled: false });
    expect((await jim.post('/api/v1/schedules/reports.daily/enable')).statusCode).toBe(200);
    expect((await infinni.get('/scheduler/jobs/reports.daily')).json().Result).toMatchObject({
      State: 0,
      HandlerType: 'Reports.DailyHandler',
      Data: { format: 'pdf' },
    });
    expect((await jim.del('/api/v1/schedules/reports.daily')).statusCode).toBe(204);
    expect((await infinni.get('/scheduler/jobs/reports.daily')).json()).toEqual({ Success: false });
    expect((await azure.get(`${CLASSIC}/reports/jobs`)).json()).toEqual([]);
  });
});

describe('created through Puppet', () => {
  it('IDM pauses it, Infinni resumes, triggers (the dispatch carries the task and the data) and deletes it', async () => {
    const at = TOMORROW().replace(/\.\d{3}Z$/, 'Z');
    const made = await orch.post('/orchestrator/v1/command/schedule_task', {
      task: 'package',
      params: { action: 'status', package: 'openssl' },
      scope: { nodes: ['web1.example.com'] },
      scheduled_time: at,
    });
    expect(made.statusCode, made.body).toBe(202);
    expect(made.json().scheduled_job.name).toBe('1');

    const shown = (await idm.get('/openidm/scheduler/job/puppet-1')).json();
    expect(shown).toMatchObject({ _id: 'puppet-1', enabled: true, type: 'simple', repeatCount: 0 });
    expect(instant(shown.nextRunDate)).toBe(instant(at));
    expect(shown.invokeContext.steps[0]).toMatchObject({ type: 'dispatch', surface: 'puppet', action: { task: 'package' } });
    expect((await idm.post('/openidm/scheduler/job/puppet-1?_action=pause')).json()).toEqual({ success: true });
    expect((await orch.get('/orchestrator/v1/scheduled_jobs/environment_jobs/1')).json()).toMatchObject({ enabled: false, next_run: null });

    expect((await infinni.get('/scheduler/jobs/puppet-1')).json().Result).toMatchObject({ Id: 'puppet-1', Name: 'task package', State: 1 });
    expect((await infinni.post('/scheduler/resume?ids=puppet-1')).json()).toEqual({ Success: true, Result: true });
    const resumed = (await orch.get('/orchestrator/v1/scheduled_jobs/1')).json();
    expect(resumed).toMatchObject({ name: '1', task: 'package', scope: { nodes: ['web1.example.com'] } });
    expect(instant(resumed.next_run)).toBe(instant(at));

    expect((await infinni.post('/scheduler/trigger?ids=puppet-1', { reason: 'hotfix' })).json()).toEqual({ Success: true, Result: true });
    const dispatched = await waitFor(async () => target.requests.find((r) => r.url === '/puppet'), 'the Puppet dispatch');
    expect(JSON.parse(dispatched.body)).toMatchObject({
      surface: 'puppet',
      jobId: 'puppet-1',
      payload: { reason: 'hotfix' },
      action: { type: 'task', task: 'package', params: { action: 'status', package: 'openssl' }, scope: { nodes: ['web1.example.com'] }, environment: 'production' },
    });

    expect((await infinni.del('/scheduler/jobs/puppet-1')).json()).toEqual({ Success: true, Result: true });
    expect((await orch.get('/orchestrator/v1/scheduled_jobs/1')).statusCode).toBe(404);
    expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().pagination.total).toBe(0);
  });
});

describe('created through IDM', () => {
  it('JIM disables it; Puppet re-enables it by PUT (the IDM action is kept) and deletes it; IDM sees each change', async () => {
    const made = await idm.put(
      '/openidm/scheduler/job/recon',
      scriptSchedule({ schedule: '0 0 12 1 1 ?', invokeService: 'sync', invokeContext: { action: 'reconcile', mapping: 'ldap_user' } }),
    );
    expect(made.statusCode, made.body).toBe(201);
    const next = made.json().nextRunDate as string;

    const schedule = (await jim.get('/api/v1/schedules/recon')).json();
    expect(schedule).toMatchObject({ id: 'recon', name: 'recon', triggerType: 'Cron', cronExpression: '0 12 1 1 *', isEnabled: true, stepCount: 1 });
    expect(instant(schedule.nextRunTime)).toBe(instant(next));
    expect((await jim.post('/api/v1/schedules/recon/disable')).json()).toMatchObject({ isEnabled: false });
    expect((await idm.get('/openidm/scheduler/job/recon')).json()).toMatchObject({ enabled: false, triggers: [], nextRunDate: null });

    const item = (await orch.get('/orchestrator/v1/scheduled_jobs/environment_jobs/recon')).json();
    expect(item).toMatchObject({ name: 'recon', enabled: false, next_run: null });
    const put = await orch.put('/orchestrator/v1/scheduled_jobs/environment_jobs/recon', { enabled: true });
    expect(put.statusCode, put.body).toBe(200);
    const back = (await idm.get('/openidm/scheduler/job/recon')).json();
    expect(back).toMatchObject({
      enabled: true,
      schedule: '0 0 12 1 1 ?',
      invokeService: 'org.forgerock.openidm.sync',
      invokeContext: { action: 'reconcile', mapping: 'ldap_user' },
      triggers: [{ state: 'NORMAL' }],
    });
    expect(instant(back.nextRunDate)).not.toBeNull();

    expect((await orch.del('/orchestrator/v1/scheduled_jobs/recon')).statusCode).toBe(204);
    expect((await idm.get('/openidm/scheduler/job/recon')).statusCode).toBe(404);
  });
});

describe('created through JIM', () => {
  it('IDM triggers it (an execution in JIM) and Infinni pauses it; Azure lists it in the default collection', async () => {
    const made = await jim.post('/api/v1/schedules', {
      name: 'Morning Import',
      triggerType: 'Cron',
      patternType: 'SpecificTimes',
      daysOfWeek: '1,2,3,4,5',
      runTimes: '06:00',
      isEnabled: true,
      steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: process.execPath, arguments: '-e "process.exit(0)"' }],
    });
    expect(made.statusCode, made.body).toBe(201);
    const { id, nextRunTime } = made.json() as { id: string; nextRunTime: string };

    const shown = (await idm.get(`/openidm/scheduler/job/${id}`)).json();
    expect(shown).toMatchObject({ _id: id, enabled: true, type: 'cron', schedule: '0 0 6 ? * MON-FRI', timeZone: 'UTC' });
    expect(instant(shown.nextRunDate)).toBe(instant(nextRunTime));
    expect((await idm.post(`/openidm/scheduler/job/${id}?_action=trigger`)).json()).toEqual({ success: true });
    const execution = await waitFor(async () => {
      const page = (await jim.get(`/api/v1/schedule-executions?scheduleId=${id}`)).json();
      return page.items.find((e: { status: string }) => e.status === 'Complete');
    }, 'the execution IDM started');
    expect(execution).toMatchObject({ scheduleId: id, scheduleName: 'Morning Import', totalSteps: 1 });

    expect((await infinni.get(`/scheduler/jobs/${id}`)).json().Result).toMatchObject({ Id: id, Name: 'Morning Import', Group: 'Default', State: 0, CronExpression: '0 0 6 ? * MON-FRI' });
    expect((await infinni.post(`/scheduler/pause?ids=${id}`)).json()).toEqual({ Success: true, Result: true });
    expect((await jim.get(`/api/v1/schedules/${id}`)).json()).toMatchObject({ isEnabled: false, nextRunTime: null });
    // The list call fills the last-execution fields (as JIM's does): the run IDM started.
    expect((await jim.get('/api/v1/schedules')).json().items).toEqual([
      expect.objectContaining({ id, isEnabled: false, lastExecutionId: execution.id, lastExecutionStatus: 'Complete' }),
    ]);

    const listed = (await azure.get(`${CLASSIC}/default/jobs`)).json();
    expect(listed).toEqual([expect.objectContaining({ id, state: 'disabled' })]);
    expect((await native(`/api/v1/jobs/${id}`)).json()).toMatchObject({ state: 'paused', pause: { by: 'infinni (local)' } });
  });
});
