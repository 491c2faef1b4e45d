/**
 * The legacy commands `command/schedule_task` and `command/schedule_plan`, as the Go client
 * (go-pe-client `CommandScheduleTask`, its JSON fixtures) and the Ruby client (POST must answer 202) send
 * them: the 202 `{scheduled_job: {id, name}}` answer, what sked makes (`puppet-<n>`, a once or interval
 * schedule, a dispatch step carrying the task), ids handed out in order, validation-errors, and the task
 * really dispatched at its scheduled time.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TestSked } from '../../support/app-harness.js';
import { expectPuppetError, GO_CLIENT_TASK, GO_SCHEDULE_TASK_REQUEST, nativeClient, puppetClient, useSked, waitFor } from './support.js';
import { skedWithSurfaces } from './with-surfaces.js';

const sked = useSked();
const orch = puppetClient(sked);
const native = nativeClient(sked);

describe('POST /orchestrator/v1/command/schedule_task', () => {
  it('the Go client\'s fixture: 202 {scheduled_job: {id, name}}; an interval sked job with a dispatch step', async () => {
    const res = await orch.post('/orchestrator/v1/command/schedule_task', GO_SCHEDULE_TASK_REQUEST);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ scheduled_job: { id: 'http://localhost:80/orchestrator/v1/scheduled_jobs/1', name: '1' } });
    const job = (await native('GET', '/api/v1/jobs/puppet-1')).json();
    expect(job).toMatchObject({
      id: 'puppet-1',
      name: 'task package',
      collection: 'default',
      state: 'enabled',
      schedule: { type: 'interval', every: 'PT86400S', startAt: '2027-05-05T19:50:08.000Z' },
      steps: [
        {
          stepIndex: 0,
          type: 'dispatch',
          surface: 'puppet',
          action: { type: 'task', environment: 'test-env-1', task: 'package', params: { action: 'install', package: 'httpd' }, scope: { nodes: ['node1.example.com'] }, noop: false, description: '' },
        },
      ],
      status: { nextFireTime: '2027-05-05T19:50:08.000Z' },
    });
    const item = (await orch.get('/orchestrator/v1/scheduled_jobs')).json().items[0];
    expect(item).toMatchObject({
      id: 'http://localhost:80/orchestrator/v1/scheduled_jobs/1',
      name: '1',
      type: 'task',
      task: 'package',
      environment: 'test-env-1',
      scope: { nodes: ['node1.example.com'] },
      scheduled_time: '2027-05-05T19:50:08.000Z',
      next_run: '2027-05-05T19:50:08.000Z',
      schedule_options: { interval: { units: 'seconds', value: 86400 } },
      noop: false,
    });
  });

  it('the Go client\'s ScheduleTaskRequest (environment omitted): production, a one-time job', async () => {
    const res = await orch.post('/orchestrator/v1/command/schedule_task', GO_CLIENT_TASK);
    expect(res.statusCode, res.body).toBe(202);
    const job = (await native('GET', `/api/v1/jobs/puppet-${res.json().scheduled_job.name}`)).json();
    expect(job.schedule).toEqual({ type: 'once', at: '2027-05-05T19:50:08.000Z' });
    expect(job.steps[0].action.environment).toBe('production');
  });

  it('extra fields are kept as job_options; description and noop are served back', async () => {
    const res = await orch.post('/orchestrator/v1/command/schedule_task', { ...GO_CLIENT_TASK, description: 'patch web', noop: true, concurrency: 5 });
    expect(res.statusCode, res.body).toBe(202);
    expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().items[0]).toMatchObject({ description: 'patch web', noop: true, job_options: { concurrency: 5 } });
  });

  it('ids count up; a deleted number is not handed out again; racing creations get distinct numbers', async () => {
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await orch.post('/orchestrator/v1/command/schedule_task', GO_CLIENT_TASK)).json().scheduled_job.name);
    expect(names).toEqual(['1', '2', '3']);
    expect((await orch.del('/orchestrator/v1/scheduled_jobs/3')).statusCode).toBe(204);
    expect((await orch.post('/orchestrator/v1/command/schedule_task', GO_CLIENT_TASK)).json().scheduled_job.name).toBe('4');
    const raced = await Promise.all(Array.from({ length: 8 }, () => orch.post('/orchestrator/v1/command/schedule_task', GO_CLIENT_TASK)));
    for (const r of raced) expect(r.statusCode, r.body).toBe(202);
    const racedNames = raced.map((r) => r.json().scheduled_job.name);
    expect(new Set(racedNames).size).toBe(8);
    expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().pagination.total).toBe(11);
  });

  const invalid: [string, unknown, string][] = [
    ['task missing', { ...GO_CLIENT_TASK, task: undefined }, 'task'],
    ['params missing', { ...GO_CLIENT_TASK, params: undefined }, 'params'],
    ['scope missing', { ...GO_CLIENT_TASK, scope: undefined }, 'scope'],
    ['scope with two targets', { ...GO_CLIENT_TASK, scope: { nodes: ['a'], query: 'nodes {}' } }, 'scope'],
    ['scope with no target', { ...GO_CLIENT_TASK, scope: {} }, 'scope'],
    ['an empty node list', { ...GO_CLIENT_TASK, scope: { nodes: [] } }, 'scope.nodes'],
    ['scheduled_time missing', { ...GO_CLIENT_TASK, scheduled_time: undefined }, 'scheduled_time'],
    ['scheduled_time not a timestamp', { ...GO_CLIENT_TASK, scheduled_time: 'tomorrow' }, 'scheduled_time'],
    ['scheduled_time in the past', { ...GO_CLIENT_TASK, scheduled_time: '2020-01-01T00:00:00Z' }, 'scheduled_time'],
    ['interval in minutes', { ...GO_CLIENT_TASK, schedule_options: { interval: { units: 'minutes', value: 5 } } }, 'schedule_options.interval.units'],
    ['interval of 0 seconds', { ...GO_CLIENT_TASK, schedule_options: { interval: { units: 'seconds', value: 0 } } }, 'schedule_options.interval.value'],
    ['noop not a boolean', { ...GO_CLIENT_TASK, noop: 'yes' }, 'noop'],
  ];
  for (const [what, body, field] of invalid) {
    it(`${what}: 400 validation-error naming ${field}, nothing made`, async () => {
      const err = expectPuppetError(await orch.post('/orchestrator/v1/command/schedule_task', body), 400, 'puppetlabs.orchestrator/validation-error');
      expect(err.details).toHaveProperty([field]);
      expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().pagination.total).toBe(0);
    });
  }

  it('a body that is not a JSON object, or not JSON: 400 validation-error', async () => {
    expectPuppetError(await orch.post('/orchestrator/v1/command/schedule_task', '[1, 2]'), 400, 'puppetlabs.orchestrator/validation-error');
    expectPuppetError(await orch.post('/orchestrator/v1/command/schedule_task', '{"task": '), 400, 'puppetlabs.orchestrator/validation-error');
    expectPuppetError(await orch.post('/orchestrator/v1/command/schedule_task'), 400, 'puppetlabs.orchestrator/validation-error');
  });
});

describe('POST /orchestrator/v1/command/schedule_plan', () => {
  it('{plan_name, params, scheduled_time}: 202 with the same answer; listed as a plan', async () => {
    const res = await orch.post('/orchestrator/v1/command/schedule_plan', { plan_name: 'canary::deploy', params: { version: '1.2.3' }, scheduled_time: '2027-05-05T19:55:08Z', description: 'canary' });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ scheduled_job: { id: 'http://localhost:80/orchestrator/v1/scheduled_jobs/1', name: '1' } });
    const item = (await orch.get('/orchestrator/v1/scheduled_jobs?type=plan')).json().items[0];
    expect(item).toMatchObject({ name: '1', type: 'plan', plan: 'canary::deploy', environment: 'production', description: 'canary', scheduled_time: '2027-05-05T19:55:08.000Z' });
    expect(item).not.toHaveProperty('task');
    expectPuppetError(await orch.post('/orchestrator/v1/command/schedule_plan', { params: {}, scheduled_time: '2027-05-05T19:55:08Z' }), 400, 'puppetlabs.orchestrator/validation-error');
  });
});

describe('POST /orchestrator/v1/command/schedule_deploy', () => {
  it('a scheduled Puppet run: 202 with the same answer; listed as a deploy with its scope', async () => {
    const res = await orch.post('/orchestrator/v1/command/schedule_deploy', { environment: 'production', scope: { node_group: '00000000-0000-4000-8000-000000000000' }, scheduled_time: '2027-05-05T19:55:08Z', noop: true });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ scheduled_job: { id: 'http://localhost:80/orchestrator/v1/scheduled_jobs/1', name: '1' } });
    const item = (await orch.get('/orchestrator/v1/scheduled_jobs?type=deploy')).json().items[0];
    expect(item).toMatchObject({ name: '1', type: 'deploy', scope: { node_group: '00000000-0000-4000-8000-000000000000' }, noop: true });
    expect(item).not.toHaveProperty('task');
    expect((await native('GET', '/api/v1/jobs/puppet-1')).json()).toMatchObject({ name: 'deploy production', steps: [{ action: { type: 'deploy', environment: 'production', noop: true } }] });
    expectPuppetError(await orch.post('/orchestrator/v1/command/schedule_deploy', { environment: 'production', scheduled_time: '2027-05-05T19:55:08Z' }), 400, 'puppetlabs.orchestrator/validation-error');
  });
});

describe('the Ruby client\'s contract: POST answers 202, GET 200, errors carry kind/msg/details', () => {
  it('every creation is 202 and every read 200', async () => {
    for (const [path, body] of [
      ['/orchestrator/v1/command/schedule_task', GO_CLIENT_TASK],
      ['/orchestrator/v1/command/schedule_plan', { plan_name: 'p', params: {}, scheduled_time: '2027-05-05T19:55:08Z' }],
      ['/orchestrator/v1/scheduled_jobs/environment_jobs', { type: 'task', environment: 'production', input: { name: 'package', parameters: {}, scope: { nodes: ['n'] } }, schedule: { start_time: '2027-05-05T19:55:08Z', interval: null } }],
    ] as const) {
      expect((await orch.post(path, body)).statusCode).toBe(202);
    }
    for (const path of ['/orchestrator/v1/scheduled_jobs', '/orchestrator/v1/scheduled_jobs/environment_jobs', '/orchestrator/v1/scheduled_jobs/1', '/orchestrator/v1/scheduled_jobs/environment_jobs/3']) {
      expect((await orch.get(path)).statusCode).toBe(200);
    }
  });
});

describe('a scheduled task runs at its scheduled time, as a dispatch to the puppet surface\'s URL', () => {
  async function withDispatchServer(fn: (own: TestSked, received: any[]) => Promise<void>): Promise<void> {
    const received: any[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end('{"job":{"id":"https://pe.example.com:8143/orchestrator/v1/jobs/81","name":"81"}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const own = await skedWithSurfaces({ 'shutdown-grace': 'PT0S', dispatch: `puppet=http://127.0.0.1:${(server.address() as AddressInfo).port}/run` });
    try {
      await fn(own, received);
    } finally {
      await own.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('once: dispatched at scheduled_time with the task\'s fields; then the job has no next run', async () => {
    await withDispatchServer(async (own, received) => {
      const api = puppetClient(() => own);
      const at = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000).toISOString();
      const res = await api.post('/orchestrator/v1/command/schedule_task', { ...GO_CLIENT_TASK, environment: 'test-env-1', scheduled_time: at });
      expect(res.statusCode, res.body).toBe(202);
      await waitFor(async () => (received.length ? received : undefined), 'the dispatch', 30_000);
      expect(received[0]).toMatchObject({
        surface: 'puppet',
        jobId: 'puppet-1',
        scheduledFor: at,
        action: { type: 'task', task: 'package', environment: 'test-env-1', params: { action: 'install', package: 'httpd' }, scope: { nodes: ['node1.example.com'] }, noop: false },
      });
      const item = await waitFor(async () => {
        const i = (await api.get('/orchestrator/v1/scheduled_jobs/1')).json();
        return i.next_run === null ? i : undefined;
      }, 'the job to have no next run');
      expect(item.scheduled_time).toBe(at);
    });
  });

  it('with an interval: dispatched again every interval from scheduled_time', async () => {
    await withDispatchServer(async (own, received) => {
      const api = puppetClient(() => own);
      const at = new Date(Math.ceil((Date.now() + 2500) / 1000) * 1000);
      const res = await api.post('/orchestrator/v1/command/schedule_task', { ...GO_CLIENT_TASK, scheduled_time: at.toISOString(), schedule_options: { interval: { units: 'seconds', value: 1 } } });
      expect(res.statusCode).toBe(202);
      await waitFor(async () => (received.length >= 2 ? received : undefined), 'two dispatches', 30_000);
      expect(received[0].scheduledFor).toBe(at.toISOString());
      expect(new Date(received[1].scheduledFor).getTime() - at.getTime()).toBe(1000);
      expect((await api.del('/orchestrator/v1/scheduled_jobs/1')).statusCode).toBe(204);
    });
  });

  it('without a dispatch URL the run fails, saying what to configure', async () => {
    const at = new Date(Math.ceil((Date.now() + 2500) / 1000) * 1000).toISOString();
    expect((await orch.post('/orchestrator/v1/command/schedule_task', { ...GO_CLIENT_TASK, scheduled_time: at })).statusCode).toBe(202);
    const run = await waitFor(async () => {
      const runs = (await native('GET', '/api/v1/runs?jobId=puppet-1')).json().items;
      return runs.find((r: any) => r.status === 'failed');
    }, 'the run to fail', 30_000);
    expect(run.error).toMatch(/SKED_DISPATCH_PUPPET_URL/);
  });
});

describe('hostile values', () => {
  const HOSTILE: unknown[] = [null, true, -1, 1e300, '', 'x'.repeat(5000), [], [1, 'a'], {}, { nodes: 'web1' }, { value: { value: 1 } }, '\u0000'];

  it('any value in any field is a 202 or a 4xx {kind, msg}, never a 500', async () => {
    const task = { ...GO_CLIENT_TASK, schedule_options: { interval: { units: 'seconds', value: 60 } } };
    const env = { type: 'task', environment: 'production', input: { name: 'package', parameters: {}, scope: { nodes: ['n'] } }, schedule: { start_time: '2027-05-05T19:50:08Z', interval: null }, description: '', userdata: {} };
    expect((await orch.post('/orchestrator/v1/scheduled_jobs/environment_jobs', env)).statusCode).toBe(202);
    for (const value of HOSTILE) {
      const attempts = [
        ...Object.keys(task).map((k) => orch.post('/orchestrator/v1/command/schedule_task', { ...task, [k]: value })),
        ...['plan_name', 'params', 'scheduled_time', 'schedule_options'].map((k) => orch.post('/orchestrator/v1/command/schedule_plan', { plan_name: 'p', params: {}, scheduled_time: '2027-05-05T19:50:08Z', [k]: value })),
        ...Object.keys(env).map((k) => orch.post('/orchestrator/v1/scheduled_jobs/environment_jobs', { ...env, [k]: value })),
        ...['input', 'environment', 'schedule', 'description', 'userdata', 'enabled'].map((k) => orch.put('/orchestrator/v1/scheduled_jobs/environment_jobs/1', { [k]: value })),
        orch.post('/orchestrator/v1/command/schedule_task', { ...task, scope: value }),
        orch.post('/orchestrator/v1/scheduled_jobs/environment_jobs', { ...env, input: { ...env.input, scope: value } }),
        orch.post('/orchestrator/v1/scheduled_jobs/environment_jobs', { ...env, schedule: { start_time: '2027-05-05T19:50:08Z', interval: value } }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json().kind).toMatch(/^puppetlabs\./);
      }
    }
    for (const q of ['limit=%00', 'offset=99999999999', 'order_by[]=name', 'limit=1&limit=2', 'type=']) {
      expect((await orch.get(`/orchestrator/v1/scheduled_jobs?${q}`)).statusCode).toBeLessThan(500);
      expect((await orch.get(`/orchestrator/v1/scheduled_jobs/environment_jobs?${q}`)).statusCode).toBeLessThan(500);
    }
    for (const id of ['0', '-1', '99999999999999999999', 'x'.repeat(300), '%00']) expect((await orch.get(`/orchestrator/v1/scheduled_jobs/${id}`)).statusCode).toBeLessThan(500);
  }, 60_000);
});
