/**
 * The current scheduled-job API, `/orchestrator/v1/scheduled_jobs/environment_jobs`: create (the docs'
 * example body, verbatim and with a future start), read one, list (limit/offset/order_by/order/type with
 * totals), edit (top-level keys replace, others unchanged; a disabled job must be enabled to be edited),
 * delete; sensitive parameters named but not shown.
 */

import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_JOB_EXAMPLE, expectPuppetError, inAnHour, nativeClient, puppetClient, useSked } from './support.js';

const sked = useSked();
const orch = puppetClient(sked);
const native = nativeClient(sked);
const PATH = '/orchestrator/v1/scheduled_jobs/environment_jobs';

const taskJob = (overrides: Record<string, unknown> = {}) => ({
  type: 'task',
  environment: 'production',
  input: { name: 'package', parameters: { action: { value: 'install' }, package: { value: 'httpd' } }, scope: { nodes: ['node1.example.com'] } },
  schedule: { start_time: inAnHour(), interval: { units: 'seconds', value: 3600 } },
  description: 'hourly package check',
  userdata: { ticket: 'CHG-1' },
  ...overrides,
});

async function create(body: unknown): Promise<string> {
  const res = await orch.post(PATH, body);
  expect(res.statusCode, res.body).toBe(202);
  return res.json().scheduled_job.name;
}

const ITEM_KEYS = ['id', 'name', 'enabled', 'environment', 'owner', 'description', 'type', 'input', 'userdata', 'schedule', 'next_run', 'last_run'];

describe('POST and GET', () => {
  it('the docs\' example verbatim starts in 2022: a 400 validation-error naming schedule.start_time', async () => {
    const err = expectPuppetError(await orch.post(PATH, ENVIRONMENT_JOB_EXAMPLE), 400, 'puppetlabs.orchestrator/validation-error');
    expect(err.details).toHaveProperty(['schedule.start_time']);
  });

  it('the docs\' example with a future start: 202, then read back with every key', async () => {
    const start = inAnHour();
    const body = JSON.parse(ENVIRONMENT_JOB_EXAMPLE);
    body.schedule.start_time = start;
    const res = await orch.post(PATH, body);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ scheduled_job: { id: `http://localhost:80${PATH}/1`, name: '1' } });
    const item = (await orch.get(`${PATH}/1`)).json();
    expect(Object.keys(item)).toEqual(ITEM_KEYS);
    expect(item).toEqual({
      id: `http://localhost:80${PATH}/1`,
      name: '1',
      enabled: true,
      environment: 'my_environment',
      owner: expect.objectContaining({ login: 'SKED_API_KEY' }),
      description: 'run facts plan once on node1 in my_environment',
      type: 'plan',
      input: { name: 'sensitive_params::scheduled_jobs_storage', parameters: { primary: { value: 'example.delivery.puppetlabs.net' }, param_one: { value: 'first_value' } }, sensitive_parameters: [] },
      userdata: { snow_ticket: 'INC0011211' },
      schedule: { start_time: new Date(start).toISOString(), interval: null },
      next_run: new Date(start).toISOString(),
      last_run: null,
    });
    const job = (await native('GET', '/api/v1/jobs/puppet-1')).json();
    expect(job.schedule).toEqual({ type: 'once', at: new Date(start).toISOString() });
    expect(job.steps[0].action).toMatchObject({ type: 'plan', plan: 'sensitive_params::scheduled_jobs_storage', environment: 'my_environment', params: { primary: 'example.delivery.puppetlabs.net', param_one: 'first_value' } });
    // The same job through the legacy list.
    expect((await orch.get('/orchestrator/v1/scheduled_jobs/1')).json()).toMatchObject({ name: '1', type: 'plan', plan: 'sensitive_params::scheduled_jobs_storage', environment: 'my_environment' });
  });

  it('a task with an interval; sensitive parameters are named, never shown', async () => {
    const name = await create(taskJob({ input: { name: 'db::backup', parameters: { password: { value: 's3cret', sensitive: true }, target: { value: 'db1' } }, scope: { node_group: 'databases' } } }));
    const item = (await orch.get(`${PATH}/${name}`)).json();
    expect(item).toMatchObject({ type: 'task', schedule: { interval: { units: 'seconds', value: 3600 } }, input: { name: 'db::backup', parameters: { target: { value: 'db1' } }, sensitive_parameters: ['password'], scope: { node_group: 'databases' } } });
    expect(JSON.stringify(item)).not.toContain('s3cret');
    expect((await native('GET', `/api/v1/jobs/puppet-${name}`)).json().schedule).toMatchObject({ type: 'interval', every: 'PT3600S' });
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['type missing', { ...taskJob(), type: undefined }, 'type'],
    ['type unknown', taskJob({ type: 'reboot' }), 'type'],
    ['input missing', { ...taskJob(), input: undefined }, 'input'],
    ['a task without a name', taskJob({ input: { parameters: {}, scope: { nodes: ['n'] } } }), 'input.name'],
    ['a task without a scope', taskJob({ input: { name: 'package', parameters: {} } }), 'input.scope'],
    ['schedule missing', { ...taskJob(), schedule: undefined }, 'schedule'],
    ['an interval in hours', taskJob({ schedule: { start_time: inAnHour(), interval: { units: 'hours', value: 1 } } }), 'schedule.interval.units'],
    ['an empty environment for a task', taskJob({ environment: '' }), 'environment'],
    ['an unknown key', taskJob({ colour: 'blue' }), 'colour'],
  ];
  for (const [what, body, field] of invalid) {
    it(`${what}: 400 validation-error naming ${field}`, async () => {
      const err = expectPuppetError(await orch.post(PATH, body), 400, 'puppetlabs.orchestrator/validation-error');
      expect(err.details).toHaveProperty([field]);
      expect((await orch.get(PATH)).json().pagination.total).toBe(0);
    });
  }

  it('404 unknown-job for an id that does not exist', async () => {
    expectPuppetError(await orch.get(`${PATH}/99`), 404, 'puppetlabs.orchestrator/unknown-job');
    expectPuppetError(await orch.put(`${PATH}/99`, { description: 'x' }), 404, 'puppetlabs.orchestrator/unknown-job');
    expectPuppetError(await orch.del(`${PATH}/99`), 404, 'puppetlabs.orchestrator/unknown-job');
  });
});

describe('GET the list', () => {
  it('limit, offset, total; order_by next_run_time (default), name, environment, type; type filter', async () => {
    const base = Date.now() + 86_400_000;
    const at = (k: number) => new Date(base + k * 60_000).toISOString();
    await create(taskJob({ environment: 'b-env', schedule: { start_time: at(3), interval: null } }));
    await create(taskJob({ environment: 'a-env', schedule: { start_time: at(1), interval: null } }));
    await create({ type: 'plan', environment: 'c-env', input: { name: 'p', parameters: {} }, schedule: { start_time: at(2), interval: null } });
    await create({ type: 'deploy', environment: 'production', input: { scope: { query: 'nodes[certname] {}' }, noop: true }, schedule: { start_time: at(4), interval: null } });
    const names = async (q: string) => (await orch.get(`${PATH}?${q}`)).json().items.map((i: any) => i.name);
    expect(await names('')).toEqual(['2', '3', '1', '4']);
    expect(await names('order_by=name&order=desc')).toEqual(['4', '3', '2', '1']);
    expect(await names('order_by=environment')).toEqual(['2', '1', '3', '4']);
    expect(await names('type=task')).toEqual(['2', '1']);
    const page = (await orch.get(`${PATH}?limit=2&offset=1`)).json();
    expect(page.pagination).toEqual({ limit: 2, offset: 1, total: 4 });
    expect(page.items.map((i: any) => i.name)).toEqual(['3', '1']);
    const deploy = (await orch.get(`${PATH}/4`)).json();
    expect(deploy).toMatchObject({ type: 'deploy', input: { scope: { query: 'nodes[certname] {}' }, noop: true } });
    expectPuppetError(await orch.get(`${PATH}?limit=two`), 400, 'puppetlabs.orchestrator/validation-error');
    expectPuppetError(await orch.get(`${PATH}?order_by=next_run`), 400, 'puppetlabs.orchestrator/validation-error');
  });
});

describe('PUT and DELETE', () => {
  it('top-level keys replace, the others stay; 200 {scheduled_job}', async () => {
    const name = await create(taskJob());
    const before = (await orch.get(`${PATH}/${name}`)).json();
    const res = await orch.put(`${PATH}/${name}`, { description: 'now daily', schedule: { start_time: before.schedule.start_time, interval: { units: 'seconds', value: 86400 } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ scheduled_job: { id: `http://localhost:80${PATH}/${name}`, name } });
    const after = (await orch.get(`${PATH}/${name}`)).json();
    expect(after).toEqual({ ...before, description: 'now daily', schedule: { ...before.schedule, interval: { units: 'seconds', value: 86400 } } });
    const input = { name: 'service', parameters: { name: { value: 'nginx' } }, scope: { nodes: ['web1'] } };
    expect((await orch.put(`${PATH}/${name}`, { input, userdata: { ticket: 'CHG-2' } })).statusCode).toBe(200);
    expect((await orch.get(`${PATH}/${name}`)).json()).toMatchObject({ input: { ...input, sensitive_parameters: [] }, userdata: { ticket: 'CHG-2' }, description: 'now daily' });
    expect((await native('GET', `/api/v1/jobs/puppet-${name}`)).json().steps[0].action).toMatchObject({ task: 'service', params: { name: 'nginx' }, scope: { nodes: ['web1'] } });
  });

  it('enabled: false disables (soft delete); a disabled job is edited only when enabled again', async () => {
    const name = await create(taskJob());
    expect((await orch.put(`${PATH}/${name}`, { enabled: false })).statusCode).toBe(200);
    expect((await orch.get(`${PATH}/${name}`)).json()).toMatchObject({ enabled: false, next_run: null });
    expect((await native('GET', `/api/v1/jobs/puppet-${name}`)).json().state).toBe('paused');
    expectPuppetError(await orch.put(`${PATH}/${name}`, { description: 'edit while disabled' }), 400, 'puppetlabs.orchestrator/disabled-scheduled-job');
    expect((await orch.put(`${PATH}/${name}`, { enabled: true, description: 'back on' })).statusCode).toBe(200);
    expect((await orch.get(`${PATH}/${name}`)).json()).toMatchObject({ enabled: true, description: 'back on', next_run: expect.any(String) });
  });

  it('DELETE answers 204; the job is gone from both lists', async () => {
    const name = await create(taskJob());
    expect((await orch.del(`${PATH}/${name}`)).statusCode).toBe(204);
    expect((await orch.get(PATH)).json().pagination.total).toBe(0);
    expect((await orch.get('/orchestrator/v1/scheduled_jobs')).json().pagination.total).toBe(0);
  });
});
