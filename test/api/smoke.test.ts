import { afterEach, describe, expect, it } from 'vitest';
import { testSked, type TestSked } from '../support/app-harness.js';

let sked: TestSked;
afterEach(async () => sked?.close());

describe('native API smoke', () => {
  it('creates a job, triggers it, and reads the finished run', async () => {
    sked = await testSked();
    const created = await sked.app.inject({ method: 'POST', url: '/api/v1/jobs', payload: { name: 'echo', schedule: { type: 'manual' }, steps: [{ stepIndex: 0, type: 'exec', command: '/bin/echo', args: ['hello', 'sked'] }] } });
    expect(created.statusCode).toBe(201);
    const job = created.json();
    const trig = await sked.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/trigger`, payload: { payload: { a: 1 } } });
    expect(trig.statusCode).toBe(202);
    const { runId } = trig.json();
    let run;
    for (let i = 0; i < 100; i++) {
      run = (await sked.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}` })).json();
      if (run.status === 'succeeded' || run.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(run.status).toBe('succeeded');
    expect(run.steps[0].output).toBe('hello sked\n');
    const log = await sked.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/log` });
    expect(log.body).toContain('hello sked');
  });

  it('rejects an unknown field with its pointer', async () => {
    sked = await testSked();
    const res = await sked.app.inject({ method: 'POST', url: '/api/v1/jobs', payload: { name: 'x', schedule: { type: 'cron', expression: '* * * * *', timezone: 'UTC' } } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toContainEqual({ pointer: '/schedule/timezone', message: 'is not a known field' });
  });
});
