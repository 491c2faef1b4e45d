/**
 * Schedules over their life, as JIM's clients drive them: PUT (a full replace with .NET's defaults), the
 * PowerShell module's read-modify-write cmdlets (Set-JIMSchedule, Add-/Remove-JIMScheduleStep) keeping
 * step ids and untouched steps, enable/disable (200 ScheduleDto), delete (204), run (202 with the
 * execution id; 400 without steps or while running) and Start-JIMSchedule's polling to a terminal status.
 */

import { describe, expect, it } from 'vitest';
import { createFromSeed, expectJimError, GUID, jimClient, useSked, waitForExecution } from './support.js';

const sked = useSked();
const jim = jimClient(sked);

const native = (method: 'GET' | 'PUT' | 'POST', url: string, body?: unknown) =>
  sked().app.inject({ method, url, ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });

/** The body Set-JIMSchedule builds: the schedule as read, its steps as requests, then the overrides. */
function setJimScheduleBody(existing: any, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: existing.name,
    description: existing.description,
    triggerType: existing.triggerType,
    patternType: existing.patternType,
    isEnabled: existing.isEnabled,
    daysOfWeek: existing.daysOfWeek,
    runTimes: existing.runTimes,
    intervalValue: existing.intervalValue,
    intervalUnit: existing.intervalUnit,
    intervalWindowStart: existing.intervalWindowStart,
    intervalWindowEnd: existing.intervalWindowEnd,
    cronExpression: existing.cronExpression,
    steps: existing.steps.map((s: any) => ({ ...s })),
    ...overrides,
  };
}

describe('PUT /api/v1/schedules/{id}', () => {
  it('replaces the whole schedule; .NET defaults apply to what is left out (isEnabled false, steps none)', async () => {
    const created = await createFromSeed(sked, 'morningImport');
    expect(created.isEnabled).toBe(true);
    const res = await jim.put(`/api/v1/schedules/${created.id}`, { name: 'Evening Import', triggerType: 'Cron', patternType: 'SpecificTimes', daysOfWeek: '1,2,3,4,5', runTimes: '18:30' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: created.id, name: 'Evening Import', cronExpression: '30 18 * * 1-5', runTimes: '18:30', isEnabled: false, nextRunTime: null, stepCount: 0, steps: [] });
    expect(body.lastUpdated).not.toBeNull();
    expect(body.created).toBe(created.created);
    const job = (await native('GET', `/api/v1/jobs/${created.id}`)).json();
    expect(job).toMatchObject({ name: 'Evening Import', state: 'paused', schedule: { type: 'daily', times: ['18:30'] } });
  });

  it('an absent triggerType is Cron (the enum default), so a body with neither cron nor pattern is refused', async () => {
    const created = await createFromSeed(sked, 'manual');
    expectJimError(await jim.put(`/api/v1/schedules/${created.id}`, { name: 'x' }), 400, 'VALIDATION_ERROR', 'CronExpression');
    expect((await jim.get(`/api/v1/schedules/${created.id}`)).json().name).toBe('Ad-Hoc Full Sync');
  });

  it('Set-JIMSchedule -IntervalValue 15: the pattern wins over the stale cron sent back, steps keep their ids', async () => {
    const created = await createFromSeed(sked, 'deltaSyncBusinessHours');
    const withSteps = await jim.put(`/api/v1/schedules/${created.id}`, setJimScheduleBody(created, { steps: [{ stepIndex: 0, stepType: 'RunProfile', connectedSystemId: 3, runProfileId: 7 }] }));
    expect(withSteps.statusCode, withSteps.body).toBe(200);
    const existing = (await jim.get(`/api/v1/schedules/${created.id}`)).json();
    const stepId = existing.steps[0].id;
    const res = await jim.put(`/api/v1/schedules/${created.id}`, setJimScheduleBody(existing, { intervalValue: 15 }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ intervalValue: 15, intervalUnit: 'Minutes', cronExpression: '*/15 8-17 * * 1-5', isEnabled: true, steps: [{ id: stepId, connectedSystemId: 3, runProfileId: 7 }] });
    const job = (await native('GET', `/api/v1/jobs/${created.id}`)).json();
    expect(job.schedule).toMatchObject({ type: 'window', every: 'PT15M' });
  });

  it('Add-JIMScheduleStep / Remove-JIMScheduleStep: GET, edit the steps array, PUT it back', async () => {
    const created = await createFromSeed(sked, 'fullPipeline');
    const ids = created.steps.map((s: any) => s.id);
    const added = await jim.put(`/api/v1/schedules/${created.id}`, setJimScheduleBody(created, { steps: [...created.steps, { stepIndex: 3, stepType: 'RunProfile', connectedSystemId: 2, runProfileId: 9 }] }));
    expect(added.statusCode, added.body).toBe(200);
    const afterAdd = added.json();
    expect(afterAdd.stepCount).toBe(4);
    expect(afterAdd.steps.slice(0, 3).map((s: any) => s.id)).toEqual(ids);
    expect(afterAdd.steps[3]).toMatchObject({ id: expect.stringMatching(GUID), stepIndex: 3, connectedSystemId: 2, runProfileId: 9 });
    const removed = await jim.put(`/api/v1/schedules/${created.id}`, setJimScheduleBody(afterAdd, { steps: afterAdd.steps.filter((s: any) => s.id !== ids[1]) }));
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().steps.map((s: any) => s.id)).toEqual([ids[0], ids[2], afterAdd.steps[3].id]);
    const job = (await native('GET', `/api/v1/jobs/${created.id}`)).json();
    expect(job.steps.map((s: any) => s.action.runProfileId)).toEqual([1, 3, 9]);
  });

  it('a job made natively survives a read-modify-write through JIM: its schedule kind, zone and steps are kept', async () => {
    const put = await native('PUT', '/api/v1/jobs/nightly-report', {
      name: 'Nightly report',
      schedule: { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'Europe/London' },
      steps: [
        { stepIndex: 0, type: 'http', request: { method: 'POST', url: 'http://127.0.0.1:9/hook' } },
        { stepIndex: 1, type: 'shell', script: 'echo done' },
      ],
      retry: { maxAttempts: 3, backoff: 'fixed', interval: 'PT30S' },
      labels: { team: 'billing' },
    });
    expect(put.statusCode, put.body).toBe(201);
    const shown = (await jim.get('/api/v1/schedules/nightly-report')).json();
    expect(shown).toMatchObject({ id: 'nightly-report', triggerType: 'Cron', patternType: 'Custom', cronExpression: '30 2 * * *', isEnabled: true, stepCount: 2 });
    expect(shown.steps[0]).toMatchObject({ stepType: 'Executable', executablePath: 'sked:http', arguments: 'POST http://127.0.0.1:9/hook', id: expect.stringMatching(GUID) });
    expect(shown.steps[1]).toMatchObject({ stepType: 'Executable', executablePath: '/bin/sh', arguments: '-c "echo done"' });
    const res = await jim.put('/api/v1/schedules/nightly-report', setJimScheduleBody(shown, { description: 'kept by JIM' }));
    expect(res.statusCode, res.body).toBe(200);
    const job = (await native('GET', '/api/v1/jobs/nightly-report')).json();
    expect(job).toMatchObject({
      description: 'kept by JIM',
      schedule: { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'Europe/London' },
      steps: [{ type: 'http', request: { url: 'http://127.0.0.1:9/hook' } }, { type: 'shell', script: 'echo done' }],
      retry: { maxAttempts: 3 },
      labels: { team: 'billing' },
    });
    const again = (await jim.get('/api/v1/schedules/nightly-report')).json();
    expect(again.steps.map((s: any) => s.id)).toEqual(shown.steps.map((s: any) => s.id));
    expect(again).toEqual({ ...shown, description: 'kept by JIM', lastUpdated: again.lastUpdated });
  });
});

describe('enable, disable, delete', () => {
  it('enable and disable answer 200 with a ScheduleDto; the sked job is resumed and paused', async () => {
    const created = await createFromSeed(sked, 'morningImport');
    const off = await jim.post(`/api/v1/schedules/${created.id}/disable?changeReason=maintenance`);
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ id: created.id, isEnabled: false, nextRunTime: null, lastExecutionId: null });
    expect(off.json()).not.toHaveProperty('steps');
    expect((await native('GET', `/api/v1/jobs/${created.id}`)).json()).toMatchObject({ state: 'paused', pause: { reason: 'maintenance' } });
    const on = await jim.post(`/api/v1/schedules/${created.id}/enable`);
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ isEnabled: true, nextRunTime: created.nextRunTime });
    expect((await native('GET', `/api/v1/jobs/${created.id}`)).json().state).toBe('enabled');
  });

  it('delete answers 204; the schedule is gone everywhere', async () => {
    const created = await createFromSeed(sked, 'weekendFullImport');
    const res = await jim.del(`/api/v1/schedules/${created.id}?changeReason=retired`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectJimError(await jim.get(`/api/v1/schedules/${created.id}`), 404, 'NOT_FOUND');
    expect((await native('GET', `/api/v1/jobs/${created.id}`)).statusCode).toBe(404);
  });
});

describe('POST /api/v1/schedules/{id}/run', () => {
  it('a schedule without steps cannot run: 400', async () => {
    const created = await createFromSeed(sked, 'manual');
    const err = expectJimError(await jim.post(`/api/v1/schedules/${created.id}/run`), 400, 'VALIDATION_ERROR');
    expect(err.message).toBe('Cannot run a schedule with no steps');
  });

  it('Start-JIMSchedule -Wait: 202 {executionId, message}, then the execution is polled to Complete', async () => {
    const created = await jim.post('/api/v1/schedules', { name: 'Echo', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/echo', arguments: 'hello "from JIM"' }] });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    // The PowerShell module sends Content-Type: application/json with no body.
    const res = await jim.post(`/api/v1/schedules/${id}/run`);
    expect(res.statusCode, res.body).toBe(202);
    expect(Object.keys(res.json())).toEqual(['executionId', 'message']);
    expect(res.json()).toEqual({ executionId: expect.stringMatching(GUID), message: "Schedule 'Echo' started successfully" });
    const first = await jim.get(`/api/v1/schedule-executions/${res.json().executionId}`);
    expect(first.statusCode).toBe(200);
    expect(['Queued', 'InProgress', 'Complete']).toContain(first.json().status);
    const done = await waitForExecution(jim, res.json().executionId);
    expect(done).toMatchObject({ id: res.json().executionId, scheduleId: id, scheduleName: 'Echo', status: 'Complete', currentStepIndex: 0, totalSteps: 1, errorMessage: null, initiatedByType: 'ApiKey' });
    const run = (await native('GET', `/api/v1/runs/${done.id}`)).json();
    expect(run.steps[0].output).toBe('hello from JIM\n');
  });

  it('a schedule already running cannot be started again: 400', async () => {
    const created = await jim.post('/api/v1/schedules', { name: 'Sleeper', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: 'sleep', arguments: '30' }] });
    const id = created.json().id;
    const first = await jim.post(`/api/v1/schedules/${id}/run`);
    expect(first.statusCode).toBe(202);
    const err = expectJimError(await jim.post(`/api/v1/schedules/${id}/run`), 400, 'BAD_REQUEST');
    expect(err.message).toBe('Failed to start schedule execution. The schedule may already be running.');
    const cancel = await jim.post(`/api/v1/schedule-executions/${first.json().executionId}/cancel`);
    expect(cancel.statusCode, cancel.body).toBe(200);
  });

  it('two simultaneous runs of one schedule: exactly one 202, the other the already-running 400', async () => {
    const created = await jim.post('/api/v1/schedules', { name: 'Racer', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: 'sleep', arguments: '30' }] });
    const id = created.json().id;
    const [a, b] = await Promise.all([jim.post(`/api/v1/schedules/${id}/run`), jim.post(`/api/v1/schedules/${id}/run`)]);
    const started = [a, b].filter((res) => res.statusCode === 202);
    const refused = [a, b].filter((res) => res.statusCode !== 202);
    expect(started, `${a.statusCode} ${a.body} / ${b.statusCode} ${b.body}`).toHaveLength(1);
    const err = expectJimError(refused[0] as (typeof refused)[number], 400, 'BAD_REQUEST');
    expect(err.message).toBe('Failed to start schedule execution. The schedule may already be running.');
    const executionId = (started[0] as (typeof started)[number]).json().executionId;
    const runs = (await native('GET', `/api/v1/runs?jobId=${id}`)).json();
    expect(runs.items.map((r: { id: string }) => r.id)).toEqual([executionId]);
    expect((await jim.post(`/api/v1/schedule-executions/${executionId}/cancel`)).statusCode).toBe(200);
  });

  it('many simultaneous runs over several schedules: one execution each', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await jim.post('/api/v1/schedules', { name: `Racer ${i}`, steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: 'sleep', arguments: '30' }] });
      ids.push(created.json().id);
    }
    const results = await Promise.all(ids.flatMap((id) => [1, 2, 3].map(() => jim.post(`/api/v1/schedules/${id}/run`))));
    expect(results.filter((res) => res.statusCode === 202)).toHaveLength(ids.length);
    for (const res of results.filter((r) => r.statusCode !== 202)) expectJimError(res, 400, 'BAD_REQUEST');
    for (const id of ids) {
      const runs = (await native('GET', `/api/v1/runs?jobId=${id}`)).json();
      expect(runs.items, id).toHaveLength(1);
      expect((await jim.post(`/api/v1/schedule-executions/${runs.items[0].id}/cancel`)).statusCode).toBe(200);
    }
  });

  it('a disabled schedule still runs when started by hand (Start-JIMSchedule runs regardless of state)', async () => {
    const created = await jim.post('/api/v1/schedules', { name: 'Off', isEnabled: false, steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/true' }] });
    const res = await jim.post(`/api/v1/schedules/${created.json().id}/run`);
    expect(res.statusCode).toBe(202);
    expect((await waitForExecution(jim, res.json().executionId)).status).toBe('Complete');
  });
});
