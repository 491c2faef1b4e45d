/** Runs: list with filters, read one, its log, cancel (running, queued, finished). */

import { describe, expect, it } from 'vitest';
import {
  client,
  expectInvalid,
  expectProblem,
  jobBody,
  putJob,
  sleeperBody,
  trigger,
  useSked,
  waitFor,
  waitForRun,
  FINISHED,
} from './support.js';

const sked = useSked();
const api = client(sked);

const exec = (command: string, args: string[] = [], extra: Record<string, unknown> = {}) => ({
  stepIndex: 0,
  type: 'exec',
  command,
  args,
  ...extra,
});

describe('GET /api/v1/runs/{id} and /log', () => {
  it('reads a finished run with its step results and output', async () => {
    await putJob(
      api,
      'echo',
      jobBody({
        steps: [
          exec('/bin/echo', ['hello', 'sked'], { name: 'say' }),
          { stepIndex: 1, type: 'shell', script: 'echo second; echo oops >&2' },
        ],
      }),
    );
    const runId = await trigger(api, 'echo');
    const run = await waitForRun(api, runId, FINISHED);
    expect(run).toMatchObject({
      id: runId,
      jobId: 'echo',
      trigger: 'manual',
      status: 'succeeded',
      attempt: 1,
      nodeId: 'test-node',
      error: null,
      scheduledFor: null,
    });
    for (const k of ['queuedAt', 'startedAt', 'finishedAt']) expect(run[k]).toMatch(/Z$/);
    expect(run.steps).toHaveLength(2);
    expect(run.steps[0]).toMatchObject({
      stepIndex: 0,
      name: 'say',
      type: 'exec',
      status: 'succeeded',
      exitCode: 0,
      httpStatus: null,
      output: 'hello sked\n',
      error: null,
    });
    expect(run.steps[1]).toMatchObject({ stepIndex: 1, type: 'shell', status: 'succeeded', exitCode: 0 });
    expect(run.steps[1].output).toContain('second');
    expect(run.steps[1].output).toContain('oops');
  });

  it('serves the captured output as text, step by step', async () => {
    await putJob(
      api,
      'echo',
      jobBody({
        steps: [
          exec('/bin/echo', ['first line'], { name: 'one' }),
          { stepIndex: 1, type: 'shell', script: 'echo second line; exit 3' },
        ],
      }),
    );
    const runId = await trigger(api, 'echo');
    const run = await waitForRun(api, runId, FINISHED);
    expect(run.status).toBe('failed');
    const log = await api.get(`/api/v1/runs/${runId}/log`);
    expect(log.statusCode).toBe(200);
    expect(log.headers['content-type']).toMatch(/^text\/plain/);
    expect(log.body).toMatch(/step 0 'one' \(exec\) succeeded/);
    expect(log.body).toContain('first line');
    expect(log.body).toMatch(/step 1 \(shell\) failed exit 3/);
    expect(log.body).toContain('second line');
    expect(log.body.indexOf('first line')).toBeLessThan(log.body.indexOf('second line'));
  });

  it('records a failing step: status failed, exit code, error, failureCount', async () => {
    await putJob(api, 'bad', jobBody({ steps: [exec('/bin/sh', ['-c', 'exit 7'])] }));
    const runId = await trigger(api, 'bad');
    const run = await waitForRun(api, runId, FINISHED);
    expect(run.status).toBe('failed');
    expect(run.steps[0]).toMatchObject({ status: 'failed', exitCode: 7 });
    expect(run.error).toEqual(expect.any(String));
    const job = (await api.get('/api/v1/jobs/bad')).json();
    expect(job.status).toMatchObject({
      runCount: 1,
      failureCount: 1,
      lastRun: { id: runId, status: 'failed' },
    });
  });

  it('times a run out after the job timeout', async () => {
    await putJob(api, 'slow', sleeperBody(30, { timeout: 'PT0.3S' }));
    const runId = await trigger(api, 'slow');
    const run = await waitForRun(api, runId, FINISHED);
    expect(run.status).toBe('timedOut');
  });

  it('retries a failed run per the retry policy: attempt 2, trigger retry, retryOf the first', async () => {
    await putJob(
      api,
      'flaky',
      jobBody({
        steps: [exec('/bin/false')],
        retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT0.2S' },
      }),
    );
    const first = await trigger(api, 'flaky');
    await waitForRun(api, first, FINISHED);
    const retry = await waitFor(async () => {
      const items = (await api.get('/api/v1/runs?jobId=flaky')).json().items;
      return items.length === 2 && FINISHED.includes(items[0].status) ? items[0] : undefined;
    }, 'the retry to finish');
    expect(retry).toMatchObject({ trigger: 'retry', attempt: 2, retryOf: first, status: 'failed' });
  });

  it('answers 404 for an unknown run', async () => {
    expectProblem(await api.get('/api/v1/runs/01900000-0000-7000-8000-000000000000'), 404, 'NOT_FOUND');
    expectProblem(await api.get('/api/v1/runs/nope/log'), 404, 'NOT_FOUND');
  });
});

describe('GET /api/v1/runs', () => {
  it('lists newest first, paginated, filtered by jobId, status and from/to', async () => {
    await putJob(api, 'ok', jobBody({ steps: [exec('/bin/true')], overlap: 'allow' }));
    await putJob(api, 'ko', jobBody({ steps: [exec('/bin/false')] }));
    const okRuns = [await trigger(api, 'ok'), await trigger(api, 'ok')];
    const koRun = await trigger(api, 'ko');
    for (const id of [...okRuns, koRun]) await waitForRun(api, id, FINISHED);

    const all = (await api.get('/api/v1/runs')).json();
    expect(all.pagination).toEqual({ limit: 50, offset: 0, total: 3 });
    expect(all.items.map((r: { id: string }) => r.id)).toEqual([koRun, okRuns[1], okRuns[0]]);
    expect(all.items[0].steps[0]).not.toHaveProperty('output');

    expect((await api.get('/api/v1/runs?jobId=ok')).json().items.map((r: { id: string }) => r.id)).toEqual([
      okRuns[1],
      okRuns[0],
    ]);
    expect(
      (await api.get('/api/v1/runs?status=failed')).json().items.map((r: { id: string }) => r.id),
    ).toEqual([koRun]);
    expect((await api.get('/api/v1/runs?status=succeeded,failed')).json().pagination.total).toBe(3);
    expect((await api.get('/api/v1/runs?status=cancelled')).json().pagination.total).toBe(0);
    expect((await api.get('/api/v1/runs?jobId=ko&status=succeeded')).json().pagination.total).toBe(0);

    const page = (await api.get('/api/v1/runs?limit=1&offset=1')).json();
    expect(page.items.map((r: { id: string }) => r.id)).toEqual([okRuns[1]]);
    expect(page.pagination).toEqual({ limit: 1, offset: 1, total: 3 });

    // Manual runs have no scheduledFor: from/to apply to queuedAt.
    const queuedAt = Date.parse(all.items[1].queuedAt);
    const iso = (t: number) => encodeURIComponent(new Date(t).toISOString());
    expect((await api.get(`/api/v1/runs?from=${iso(queuedAt - 60_000)}`)).json().pagination.total).toBe(3);
    expect((await api.get(`/api/v1/runs?from=${iso(queuedAt + 60_000)}`)).json().pagination.total).toBe(0);
    expect((await api.get(`/api/v1/runs?to=${iso(queuedAt - 60_000)}`)).json().pagination.total).toBe(0);
    expect(
      (await api.get(`/api/v1/runs?from=${iso(queuedAt - 60_000)}&to=${iso(queuedAt + 60_000)}`)).json()
        .pagination.total,
    ).toBe(3);
  });

  it('refuses malformed parameters naming /query/...', async () => {
    expectInvalid(await api.get('/api/v1/runs?status=weird'), '/query/status');
    expectInvalid(await api.get('/api/v1/runs?status=succeeded,nope'), '/query/status');
    expectInvalid(await api.get('/api/v1/runs?from=yesterday'), '/query/from');
    expectInvalid(await api.get('/api/v1/runs?to=2026-13-01T00:00:00Z'), '/query/to');
    expectInvalid(await api.get('/api/v1/runs?jobId=a%20b'), '/query/jobId');
    expectInvalid(await api.get('/api/v1/runs?limit=1001'), '/query/limit');
    expectInvalid(await api.get('/api/v1/runs?offset=-1'), '/query/offset');
    expectInvalid(await api.get('/api/v1/runs?job=x'), '/query/job');
  });
});

describe('POST /api/v1/runs/{id}/cancel', () => {
  it('cancels a running run (its process is killed) and a queued one; status=running lists the executing one', async () => {
    await putJob(api, 'sleeper', sleeperBody(30));
    const running = await trigger(api, 'sleeper');
    await waitForRun(api, running, ['running']);
    // overlap "skip" makes a second manual run of the same job wait in the queue.
    const queued = await trigger(api, 'sleeper', { second: true });
    expect((await api.get(`/api/v1/runs/${queued}`)).json().status).toBe('queued');

    const executing = (await api.get('/api/v1/runs?status=running')).json();
    expect(executing.items.map((r: { id: string }) => r.id)).toEqual([running]);
    expect(
      (await api.get('/api/v1/runs?status=queued')).json().items.map((r: { id: string }) => r.id),
    ).toEqual([queued]);
    expect((await api.get('/api/v1/nodes')).json().items[0].running).toEqual([running]);

    const cq = await api.post(`/api/v1/runs/${queued}/cancel`);
    expect(cq.statusCode, cq.body).toBe(200);
    expect(cq.json()).toMatchObject({
      id: queued,
      status: 'cancelled',
      startedAt: null,
      payload: { second: true },
    });

    const started = Date.now();
    const cr = await api.post(`/api/v1/runs/${running}/cancel`);
    expect(cr.statusCode, cr.body).toBe(200);
    expect(cr.json().id).toBe(running);
    const run = await waitForRun(api, running, FINISHED);
    expect(run.status).toBe('cancelled');
    expect(run.steps[0].status).toBe('cancelled');
    // The sleep 30 was killed, not waited for.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(Date.parse(run.finishedAt) - Date.parse(run.startedAt)).toBeLessThan(15_000);

    expect((await api.get('/api/v1/runs?status=running')).json().pagination.total).toBe(0);
    expect((await api.get(`/api/v1/runs/${queued}`)).json().status).toBe('cancelled');
    expect((await api.get('/api/v1/scheduler')).json().counts).toMatchObject({ running: 0, queued: 0 });
  });

  it('answers 409 CONFLICT for a finished run, leaving it as it was', async () => {
    await putJob(api, 'quick', jobBody({ steps: [exec('/bin/true')] }));
    const runId = await trigger(api, 'quick');
    const done = await waitForRun(api, runId, FINISHED);
    const body = expectProblem(await api.post(`/api/v1/runs/${runId}/cancel`), 409, 'CONFLICT');
    expect(body.detail).toContain('succeeded');
    expect((await api.get(`/api/v1/runs/${runId}`)).json()).toEqual(done);
  });

  it('answers 409 when cancelling a cancelled run twice', async () => {
    await putJob(api, 'sleeper', sleeperBody(30));
    const runId = await trigger(api, 'sleeper');
    await waitForRun(api, runId, ['running']);
    await api.post(`/api/v1/runs/${runId}/cancel`);
    await waitForRun(api, runId, FINISHED);
    expectProblem(await api.post(`/api/v1/runs/${runId}/cancel`), 409, 'CONFLICT');
  });

  it('answers 404 for an unknown run', async () => {
    expectProblem(await api.post('/api/v1/runs/nope/cancel'), 404, 'NOT_FOUND');
  });
});
