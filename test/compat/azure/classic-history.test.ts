/**
 * Classic Get Job History (seed 001) on real runs against a local HTTP target: entries
 * `{jobId,timestamp,startTime,endTime,state,status,message,actionName,retryCount,repeatCount}`, the
 * error action's own entry, `$filter=status eq completed|failed` / `state eq`, `$top`, `$skip`, the
 * status counters; and when jobs run: no startTime = now, a past startTime moves forward by intervals.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_FLAGS, useSked, waitFor } from '../../api/support.js';
import { classic, CLASSIC, classicError, collectionXml, startTarget, type Target } from './support.js';

const sked = useSked(TEST_FLAGS);
const api = classic(sked);
const native = (url: string) => sked().app.inject({ url });
const JOBS = `${CLASSIC}/jc1/jobs`;

let target: Target;
beforeEach(async () => {
  target = await startTarget();
});
afterEach(async () => {
  await target.close();
});

async function finishedRuns(jobId: string, count: number): Promise<any[]> {
  return waitFor(async () => {
    const runs = (await native(`/api/v1/jobs/${jobId}/runs`)).json().items as { status: string }[];
    const done = runs.filter((r) => !['queued', 'running'].includes(r.status));
    return done.length >= count && done.length === runs.length ? runs : undefined;
  }, `${count} finished runs of ${jobId}`);
}

describe('Get Job History', () => {
  it('one entry per run, newest first; retries count in retryCount; the errorAction has its own entry; filters and paging', async () => {
    await api.put(`${CLASSIC}/jc1`, collectionXml());
    const created = await api.put(`${JOBS}/flaky`, {
      startTime: new Date(Date.now() + 86_400_000).toISOString(),
      action: {
        type: 'http',
        request: { uri: `${target.url}/main`, method: 'POST', body: 'work' },
        retryPolicy: { retryType: 'fixed', retryInterval: 'PT1S', retryCount: 1 },
        errorAction: { type: 'http', request: { uri: `${target.url}/error`, method: 'POST', body: 'it failed' } },
      },
      recurrence: { frequency: 'day', interval: 1 },
    });
    expect(created.statusCode, created.body).toBe(201);

    // First run succeeds; then the target fails: a run and its retry fail, and the error action runs each time.
    expect((await sked().app.inject({ method: 'POST', url: '/api/v1/jobs/jc1.flaky/trigger', payload: {} })).statusCode).toBe(202);
    await finishedRuns('jc1.flaky', 1);
    target.failing.add('/main');
    expect((await sked().app.inject({ method: 'POST', url: '/api/v1/jobs/jc1.flaky/trigger', payload: {} })).statusCode).toBe(202);
    await finishedRuns('jc1.flaky', 3);
    expect(target.requests.filter((r) => r.url === '/error').map((r) => r.body)).toEqual(['it failed', 'it failed']);

    const res = await api.get(`${JOBS}/flaky/history?api-version=2014-04-01`);
    expect(res.statusCode).toBe(200);
    const history = res.json() as any[];
    expect(history.map((h) => [h.actionName, h.status, h.retryCount, h.repeatCount])).toEqual([
      ['ErrorAction', 'completed', 1, 1],
      ['MainAction', 'failed', 1, 1],
      ['ErrorAction', 'completed', 0, 1],
      ['MainAction', 'failed', 0, 1],
      ['MainAction', 'completed', 0, 0],
    ]);
    const ok = history[4];
    expect(Object.keys(ok).sort()).toEqual(['actionName', 'endTime', 'jobId', 'message', 'repeatCount', 'retryCount', 'startTime', 'state', 'status', 'timestamp']);
    expect(ok).toMatchObject({ jobId: 'flaky', state: 'enabled', message: `Http Action - Response from host '${new URL(target.url).host}': '200' Body: pong` });
    expect(Date.parse(ok.startTime)).toBeLessThanOrEqual(Date.parse(ok.endTime));
    expect(ok.timestamp).toBe(ok.endTime);
    expect(history[1].message).toContain("'500'");

    const statuses = async (query: string) => (await api.get(`${JOBS}/flaky/history?${query}`)).json().map((h: any) => `${h.actionName}:${h.status}`);
    expect(await statuses('$filter=status%20eq%20failed')).toEqual(['MainAction:failed', 'MainAction:failed']);
    expect(await statuses('$filter=status eq Completed&$top=2')).toEqual(['ErrorAction:completed', 'ErrorAction:completed']);
    expect(await statuses('$skip=3&$top=1')).toEqual(['MainAction:failed']);
    expect(await statuses('$filter=state eq enabled&$skip=4')).toEqual(['MainAction:completed']);
    expect(classicError(await api.get(`${JOBS}/flaky/history?$filter=result eq ok`)).code).toBe('MissingOrInvalidRequiredQueryParameter');
    expect((await api.get(`${JOBS}/nope/history`)).statusCode).toBe(404);

    // The counters: 3 executions, 2 failures, 1 faulted occurrence (its retries exhausted).
    const status = (await api.get(`${JOBS}/flaky`)).json().status;
    expect(status).toMatchObject({ executionCount: 3, failureCount: 2, faultedCount: 1, nextExecutionTime: expect.any(String) });
    // Manual runs count as executions: the last one started at the newest MainAction's start.
    expect(status.lastExecutionTime).toBe(history[1].startTime);
  });
});

describe('when jobs run', () => {
  it('no startTime means the job runs now', async () => {
    await api.put(`${CLASSIC}/jc1`, collectionXml());
    const res = await api.post(JOBS, { action: { type: 'http', request: { uri: `${target.url}/now`, method: 'GET' } } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    await finishedRuns(`jc1.${id}`, 1);
    expect(target.requests.map((r) => r.url)).toContain('/now');
    await waitFor(async () => ((await api.get(`${JOBS}/${id}`)).json().state === 'completed' ? true : undefined), 'the one-time job to complete');
    const history = (await api.get(`${JOBS}/${id}/history`)).json();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'completed', state: 'completed' });
  });

  it('a past startTime moves forward by whole intervals; with a count, the count starts at the next run', async () => {
    await api.put(`${CLASSIC}/jc1`, collectionXml());
    const past = Date.now() - 90 * 60_000;
    const res = await api.put(`${JOBS}/late`, { startTime: new Date(past).toISOString(), action: { type: 'http', request: { uri: `${target.url}/late`, method: 'GET' } }, recurrence: { frequency: 'hour', interval: 1 } });
    expect(res.statusCode, res.body).toBe(201);
    const next = Date.parse(res.json().status.nextExecutionTime);
    expect(next).toBeGreaterThan(Date.now());
    expect((next - past) % 3_600_000).toBe(0);
    expect(res.json().startTime).toBe(new Date(past).toISOString());

    const counted = await api.put(`${JOBS}/counted`, { startTime: new Date(past).toISOString(), action: { type: 'http', request: { uri: `${target.url}/late`, method: 'GET' } }, recurrence: { frequency: 'hour', interval: 1, count: 2 } });
    expect(counted.statusCode, counted.body).toBe(201);
    const job = counted.json();
    expect(Date.parse(job.startTime)).toBe(next);
    const fires = (await native('/api/v1/jobs/jc1.counted/fires')).json().next.map((f: { scheduledFor: string }) => Date.parse(f.scheduledFor));
    expect(fires).toEqual([next, next + 3_600_000]);
  });
});
