/** The scheduler as a whole: status and counts, standby/start, triggers acquired vs waiting, nodes. */

import { describe, expect, it } from 'vitest';
import { testSked } from '../support/app-harness.js';
import {
  client,
  cronJobBody,
  expectInvalid,
  jobBody,
  putJob,
  sleep,
  sleeperBody,
  snapshot,
  trigger,
  TEST_FLAGS,
  TOMORROW,
  useSked,
  waitFor,
  waitForRun,
} from './support.js';

const sked = useSked();
const api = client(sked);

describe('GET /api/v1/scheduler', () => {
  it('reports state, node and zero counts on an empty scheduler', async () => {
    const res = await api.get('/api/v1/scheduler');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      state: 'started',
      nodeId: 'test-node',
      nodes: 1,
      counts: { jobs: 0, enabled: 0, paused: 0, completed: 0, faulted: 0, running: 0, queued: 0 },
    });
  });

  it('counts jobs by state and runs running and queued', async () => {
    await putJob(api, 'a', cronJobBody());
    await putJob(api, 'b', cronJobBody({ enabled: false }));
    await putJob(api, 'c', cronJobBody());
    await api.post('/api/v1/jobs/c/pause', {});
    await putJob(api, 'sleeper', sleeperBody(30));
    const running = await trigger(api, 'sleeper');
    await waitForRun(api, running, ['running']);
    await trigger(api, 'sleeper');
    const counts = (await api.get('/api/v1/scheduler')).json().counts;
    expect(counts).toEqual({
      jobs: 4,
      enabled: 2,
      paused: 2,
      completed: 0,
      faulted: 0,
      running: 1,
      queued: 1,
    });
  });
});

describe('POST /api/v1/scheduler/standby and /start', () => {
  it('standby stops firing without touching jobs; start resumes and the missed fire follows its catch-up policy', async () => {
    await putJob(api, 'steady', cronJobBody());
    const res = await api.post('/api/v1/scheduler/standby');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'standby', nodeId: 'test-node' });
    expect((await api.get('/api/v1/scheduler')).json().state).toBe('standby');

    const at = Date.now() + 1000;
    await putJob(api, 'soon', {
      name: 'soon',
      schedule: { type: 'once', at: new Date(at).toISOString() },
      steps: [{ stepIndex: 0, type: 'noop' }],
    });
    const jobsBefore = await snapshot(api);
    // Nothing fires while in standby: wait past the instant (a negative check needs a bounded wait).
    await sleep(Math.max(0, at - Date.now()) + 800);
    expect((await api.get('/api/v1/runs?jobId=soon')).json().pagination.total).toBe(0);
    expect(await snapshot(api)).toEqual(jobsBefore);

    const started = await api.post('/api/v1/scheduler/start');
    expect(started.statusCode).toBe(200);
    expect(started.json().state).toBe('started');
    const run = await waitFor(
      async () => (await api.get('/api/v1/runs?jobId=soon')).json().items[0],
      'the held fire to run after start',
    );
    expect(['schedule', 'catchUp']).toContain(run.trigger);
    expect((await api.get('/api/v1/jobs/steady')).json().state).toBe('enabled');
  });

  it('standby and start are idempotent, and manual triggers still run in standby', async () => {
    await api.post('/api/v1/scheduler/standby');
    expect((await api.post('/api/v1/scheduler/standby')).json().state).toBe('standby');
    await putJob(api, 'm', jobBody({ steps: [{ stepIndex: 0, type: 'noop' }] }));
    const runId = await trigger(api, 'm');
    expect((await waitForRun(api, runId, ['succeeded', 'failed'])).status).toBe('succeeded');
    await api.post('/api/v1/scheduler/start');
    expect((await api.post('/api/v1/scheduler/start')).json().state).toBe('started');
  });
});

describe('GET /api/v1/triggers', () => {
  it('lists waiting triggers by next fire time, and none for paused or manual jobs', async () => {
    await putJob(api, 'yearly', cronJobBody({ schedule: { type: 'cron', expression: '0 0 1 1 *' } }));
    await putJob(
      api,
      'hourly',
      cronJobBody({ schedule: { type: 'cron', expression: '0 * * * *', startAt: TOMORROW } }),
    );
    await putJob(api, 'paused', cronJobBody({ enabled: false }));
    await putJob(api, 'manual');
    const res = await api.get('/api/v1/triggers?state=waiting');
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((t: { jobId: string }) => t.jobId)).toEqual(['hourly', 'yearly']);
    expect(items[0]).toEqual({
      jobId: 'hourly',
      scheduledFor: expect.stringMatching(/:00:00\.000Z$/),
      state: 'waiting',
      nodeId: null,
    });
    expect((await api.get('/api/v1/triggers?state=waiting&limit=1')).json().items).toHaveLength(1);
    expect((await api.get('/api/v1/triggers?state=acquired')).json().items).toEqual([]);
  });

  it('shows a fire acquired ahead of time with the node holding it', async () => {
    const s = await testSked({ ...TEST_FLAGS, lookahead: 'PT1M' });
    try {
      const a = client(() => s);
      await putJob(a, 'later', cronJobBody());
      const at = new Date(Date.now() + 45_000).toISOString();
      await putJob(a, 'soon', { name: 'soon', schedule: { type: 'once', at } });
      const acquired = await waitFor(
        async () => (await a.get('/api/v1/triggers?state=acquired')).json().items[0],
        'the fire to be acquired',
      );
      expect(acquired).toEqual({
        jobId: 'soon',
        scheduledFor: new Date(at).toISOString(),
        state: 'acquired',
        nodeId: 'test-node',
      });
      const all = (await a.get('/api/v1/triggers')).json().items;
      expect(all.map((t: { jobId: string; state: string }) => `${t.jobId}:${t.state}`)).toEqual([
        'soon:acquired',
        'later:waiting',
      ]);
      const fires = (await a.get('/api/v1/jobs/soon/fires')).json();
      expect(fires.items).toEqual([
        expect.objectContaining({
          jobId: 'soon',
          scheduledFor: new Date(at).toISOString(),
          nodeId: 'test-node',
        }),
      ]);
    } finally {
      await s.close();
    }
  });

  it('refuses an unknown state or a bad limit naming the parameter', async () => {
    expectInvalid(await api.get('/api/v1/triggers?state=fired'), '/query/state');
    expectInvalid(await api.get('/api/v1/triggers?limit=0'), '/query/limit');
    expectInvalid(await api.get('/api/v1/triggers?limit=1001'), '/query/limit');
  });
});

describe('GET /api/v1/nodes', () => {
  it('lists this node with its heartbeat and what it is running', async () => {
    const res = await api.get('/api/v1/nodes');
    expect(res.statusCode).toBe(200);
    const [node, ...others] = res.json().items;
    expect(others).toEqual([]);
    expect(node).toMatchObject({ id: 'test-node', pid: process.pid, state: 'active', running: [] });
    expect(node.heartbeatAgeMs).toBeGreaterThanOrEqual(0);
    expect(node.heartbeatAgeMs).toBeLessThan(60_000);
    for (const k of ['startedAt', 'heartbeatAt']) expect(node[k]).toMatch(/Z$/);
    expect(typeof node.version).toBe('string');

    await putJob(api, 'sleeper', sleeperBody(30));
    const runId = await trigger(api, 'sleeper');
    await waitForRun(api, runId, ['running']);
    expect((await api.get('/api/v1/nodes')).json().items[0].running).toEqual([runId]);
    await api.post(`/api/v1/runs/${runId}/cancel`);
  });
});
