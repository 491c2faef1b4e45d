/**
 * Limits, end to end through the API with their settings (the units are tested in test/unit): the body
 * limit (SKED_BODY_LIMIT, 413 naming it), the output kept per step (SKED_MAX_OUTPUT: a step printing
 * far more keeps at most about that much, and the run still succeeds), steps per job (100; 101 is a 400
 * naming /steps), and runs kept per job (SKED_RUN_RETENTION).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSked } from '../support/app-harness.js';
import {
  clientFor,
  expectProblem,
  securitySked,
  TEST_KEY,
  triggerJob,
  waitFor,
  waitForRunEnd,
} from './support.js';

const MAX_OUTPUT = 2048;
let sked: TestSked;
const admin = clientFor(() => sked, TEST_KEY);

beforeAll(async () => {
  sked = await securitySked({ 'body-limit': 4096, 'max-output': MAX_OUTPUT, 'run-retention': 2 });
});
afterAll(async () => {
  await sked?.close();
});

describe('limits with their settings', () => {
  it('a body over SKED_BODY_LIMIT is a 413 PAYLOAD_TOO_LARGE; just under it is judged on its content', async () => {
    const over = await admin.post('/api/v1/jobs', { name: 'x', description: 'd'.repeat(5000), schedule: { type: 'manual' } });
    expectProblem(over, 413, 'PAYLOAD_TOO_LARGE', 'over the body limit');
    const under = await admin.post('/api/v1/jobs', { name: 'x', description: 'd'.repeat(1000), schedule: { type: 'manual' } });
    expect(under.statusCode, under.body).toBe(201);
  });

  it('a step printing far more than SKED_MAX_OUTPUT keeps at most about that much', async () => {
    const res = await admin.put('/api/v1/jobs/loud', {
      name: 'loud',
      schedule: { type: 'manual' },
      steps: [{ stepIndex: 0, type: 'shell', script: 'head -c 200000 /dev/zero | tr "\\0" a; echo; echo tail-marker' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const run = await waitForRunEnd(admin, await triggerJob(admin, 'loud'));
    expect(run.status).toBe('succeeded');
    const output = String(run.steps[0].output);
    expect(output.length).toBeGreaterThan(MAX_OUTPUT / 2);
    // Head and tail are kept (with a note of what was cut), never the whole 200 KB.
    expect(output.length).toBeLessThanOrEqual(MAX_OUTPUT + 512);
    expect(output).toContain('tail-marker');
  });

  it('101 steps are a 400 naming /steps; 100 are accepted', async () => {
    const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ stepIndex: i, type: 'noop' }));
    // (A body of 101 noop steps is about 3.5 KB: under this server's 4 KiB body limit.)
    const refused = await admin.post('/api/v1/jobs', { name: 'many', schedule: { type: 'manual' }, steps: steps(101) });
    const body = expectProblem(refused, 400, 'VALIDATION_ERROR', '101 steps');
    expect(JSON.stringify(body.errors)).toContain('/steps');
    const ok = await admin.post('/api/v1/jobs', { name: 'many', schedule: { type: 'manual' }, steps: steps(100) });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('keeps at most SKED_RUN_RETENTION finished runs of a job', async () => {
    expect((await admin.put('/api/v1/jobs/often', { name: 'often', schedule: { type: 'manual' } })).statusCode).toBe(201);
    for (let i = 0; i < 4; i++) await waitForRunEnd(admin, await triggerJob(admin, 'often'));
    // Pruning runs in the background (at most every 10 s per node).
    await waitFor(
      'the runs of often to be pruned to 2',
      async () => {
        const total = (await admin.get('/api/v1/jobs/often/runs')).json().pagination.total as number;
        if (total > 2) {
          // Another finished run gives the pruner a reason to look again.
          await waitForRunEnd(admin, await triggerJob(admin, 'often'));
          return undefined;
        }
        return total;
      },
      30_000,
    );
    expect((await admin.get('/api/v1/jobs/often/runs')).json().pagination.total).toBe(2);
  }, 40_000);
});
