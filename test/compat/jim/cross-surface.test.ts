/**
 * One job, three surfaces: a JIM schedule is listed by the Puppet orchestrator and the native API; paused
 * natively it shows isEnabled:false in JIM and enabled:false in Puppet; a Puppet task is a JIM schedule
 * that JIM can disable, run and delete; and a change through one surface is what the others see.
 */

import { describe, expect, it } from 'vitest';
import { nativeClient, puppetClient } from '../puppet/support.js';
import { createFromSeed, jimClient, useSked, waitForExecution } from './support.js';

const sked = useSked();
const jim = jimClient(sked);
const orch = puppetClient(sked);
const native = nativeClient(sked);

describe('a JIM schedule through Puppet and the native API', () => {
  it('is listed by the orchestrator and read natively, with the same next run', async () => {
    const created = await createFromSeed(sked, 'morningImport');
    const list = (await orch.get('/orchestrator/v1/scheduled_jobs')).json();
    expect(list.pagination.total).toBe(1);
    expect(list.items[0]).toMatchObject({
      id: `http://localhost:80/orchestrator/v1/scheduled_jobs/${created.id}`,
      name: created.id,
      type: 'task',
      task: 'Morning Import',
      next_run: new Date(created.nextRunTime).toISOString(),
      job_options: { schedule: { type: 'daily', daysOfWeek: [1, 2, 3, 4, 5], times: ['06:00'], timeZone: 'UTC' } },
    });
    expect((await orch.get(`/orchestrator/v1/scheduled_jobs/environment_jobs/${created.id}`)).json()).toMatchObject({ name: created.id, enabled: true });
    const job = (await native('GET', `/api/v1/jobs/${created.id}`)).json();
    expect(job).toMatchObject({ id: created.id, name: 'Morning Import', state: 'enabled', status: { nextFireTime: new Date(created.nextRunTime).toISOString() } });
  });

  it('paused through the native API: isEnabled false in JIM, enabled false in Puppet; resumed: back on', async () => {
    const created = await createFromSeed(sked, 'deltaSyncBusinessHours');
    expect((await native('POST', `/api/v1/jobs/${created.id}/pause`, { reason: 'freeze' })).statusCode).toBe(200);
    expect((await jim.get(`/api/v1/schedules/${created.id}`)).json()).toMatchObject({ isEnabled: false, nextRunTime: null });
    const listed = (await jim.get('/api/v1/schedules')).json().items[0];
    expect(listed).toMatchObject({ id: created.id, isEnabled: false });
    expect((await orch.get(`/orchestrator/v1/scheduled_jobs/environment_jobs/${created.id}`)).json()).toMatchObject({ enabled: false, next_run: null });
    expect((await native('POST', `/api/v1/jobs/${created.id}/resume`)).statusCode).toBe(200);
    expect((await jim.get(`/api/v1/schedules/${created.id}`)).json()).toMatchObject({ isEnabled: true, nextRunTime: created.nextRunTime });
  });

  it('renamed natively, the new name shows in JIM; deleted through Puppet, gone from JIM', async () => {
    const created = await createFromSeed(sked, 'fullPipeline');
    expect((await native('PATCH', `/api/v1/jobs/${created.id}`, { name: 'Renamed Pipeline' })).statusCode).toBe(200);
    const shown = (await jim.get(`/api/v1/schedules/${created.id}`)).json();
    expect(shown).toMatchObject({ name: 'Renamed Pipeline', stepCount: 3 });
    // The steps are still the ones JIM made: served back verbatim, with their ids.
    expect(shown.steps.map((s: any) => s.id)).toEqual(created.steps.map((s: any) => s.id));
    expect((await orch.del(`/orchestrator/v1/scheduled_jobs/${created.id}`)).statusCode).toBe(204);
    expect((await jim.get(`/api/v1/schedules/${created.id}`)).statusCode).toBe(404);
  });

  it('a step changed natively is served from the sked definition, keeping its id', async () => {
    const created = await jim.post('/api/v1/schedules', { name: 'Exe', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/echo', arguments: 'one' }] });
    const body = created.json();
    const job = (await native('GET', `/api/v1/jobs/${body.id}`)).json();
    const steps = [{ ...job.steps[0], args: ['two', 'words here'] }];
    expect((await native('PATCH', `/api/v1/jobs/${body.id}`, { steps })).statusCode).toBe(200);
    const shown = (await jim.get(`/api/v1/schedules/${body.id}`)).json();
    expect(shown.steps[0]).toMatchObject({ id: body.steps[0].id, stepType: 'Executable', executablePath: '/bin/echo', arguments: 'two "words here"' });
  });
});

describe('a Puppet task through JIM', () => {
  it('is a JIM schedule: read, disabled (Puppet sees it), run (the dispatch step fails without a URL), deleted', async () => {
    const res = await orch.post('/orchestrator/v1/command/schedule_task', { task: 'package', params: { action: 'status' }, scope: { nodes: ['web1'] }, scheduled_time: '2027-05-05T19:50:08Z', description: 'from Puppet' });
    expect(res.statusCode).toBe(202);
    const shown = (await jim.get('/api/v1/schedules/puppet-1')).json();
    expect(shown).toMatchObject({
      id: 'puppet-1',
      name: 'task package',
      description: 'from Puppet',
      triggerType: 'Cron',
      patternType: 'Custom',
      isEnabled: true,
      nextRunTime: '2027-05-05T19:50:08Z',
      stepCount: 1,
      steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: 'sked:dispatch', arguments: 'puppet', name: 'task package' }],
    });
    expect((await jim.post('/api/v1/schedules/puppet-1/disable')).statusCode).toBe(200);
    expect((await orch.get('/orchestrator/v1/scheduled_jobs/environment_jobs/1')).json()).toMatchObject({ enabled: false, next_run: null });
    const run = await jim.post('/api/v1/schedules/puppet-1/run');
    expect(run.statusCode).toBe(202);
    const done = await waitForExecution(jim, run.json().executionId);
    expect(done).toMatchObject({ status: 'Failed', scheduleName: 'task package', errorMessage: expect.stringMatching(/SKED_DISPATCH_PUPPET_URL/) });
    expect((await jim.del('/api/v1/schedules/puppet-1')).statusCode).toBe(204);
    expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().pagination.total).toBe(0);
  });
});
