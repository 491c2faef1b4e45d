/** Job actions: trigger (with a payload), pause (reason, until), resume, and the bulk pause/resume. */

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { testSked } from '../support/app-harness.js';
import {
  client,
  cronJobBody,
  expectInvalid,
  expectProblem,
  jobBody,
  putJob,
  snapshot,
  trigger,
  TEST_FLAGS,
  useSked,
  waitFor,
  waitForRun,
  FINISHED,
} from './support.js';

const sked = useSked();
const api = client(sked);

const state = async (id: string): Promise<string> => (await api.get(`/api/v1/jobs/${id}`)).json().state;

describe('POST /api/v1/jobs/{id}/trigger', () => {
  it('answers 202 with the run id and its Location; the run is manual, with the payload', async () => {
    await putJob(api, 'j', jobBody({ steps: [{ stepIndex: 0, type: 'noop' }] }));
    const res = await api.post('/api/v1/jobs/j/trigger', { payload: { invoice: 42, tags: ['a'] } });
    expect(res.statusCode, res.body).toBe(202);
    const { runId } = res.json();
    expect(typeof runId).toBe('string');
    expect(res.headers['location']).toBe(`/api/v1/runs/${runId}`);
    const run = await waitForRun(api, runId, FINISHED);
    expect(run).toMatchObject({
      id: runId,
      jobId: 'j',
      trigger: 'manual',
      scheduledFor: null,
      status: 'succeeded',
      attempt: 1,
      payload: { invoice: 42, tags: ['a'] },
    });
    const job = (await api.get('/api/v1/jobs/j')).json();
    expect(job.status.lastRun).toEqual({ id: runId, status: 'succeeded' });
    expect(job.status.runCount).toBe(1);
  });

  it('hands the payload, run id and job id to exec and shell steps (SKED_PAYLOAD, SKED_RUN_ID, SKED_JOB_ID)', async () => {
    await putJob(
      api,
      'env',
      jobBody({
        steps: [
          {
            stepIndex: 0,
            type: 'shell',
            script: 'printf "%s|%s|%s" "$SKED_PAYLOAD" "$SKED_RUN_ID" "$SKED_JOB_ID"',
          },
        ],
      }),
    );
    const runId = await trigger(api, 'env', { hello: 'world', n: [1, 2] });
    const run = await waitForRun(api, runId, FINISHED);
    expect(run.status).toBe('succeeded');
    const [payload, rid, jid] = run.steps[0].output.split('|');
    expect(JSON.parse(payload)).toEqual({ hello: 'world', n: [1, 2] });
    expect(rid).toBe(runId);
    expect(jid).toBe('env');
  });

  it('renders the payload into an http body template', async () => {
    const received: { method: string; url: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(201, { 'content-type': 'text/plain' }).end('created');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await putJob(
        api,
        'hook',
        jobBody({
          steps: [
            {
              stepIndex: 0,
              type: 'http',
              request: {
                method: 'POST',
                url: `http://127.0.0.1:${port}/hook/{{jobId}}`,
                body: '{"p":{{payload}},"who":"{{payload.user}}"}',
              },
            },
          ],
        }),
      );
      const runId = await trigger(api, 'hook', { user: 'ada' });
      const run = await waitForRun(api, runId, FINISHED);
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      expect(run.steps[0].httpStatus).toBe(201);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ method: 'POST', url: '/hook/hook' });
      expect(JSON.parse(received[0]!.body)).toEqual({ p: { user: 'ada' }, who: 'ada' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('accepts any JSON payload, and no payload (null)', async () => {
    await putJob(api, 'j', jobBody({ overlap: 'allow' }));
    for (const payload of ['text', 7, [1, 'two'], true]) {
      const runId = await trigger(api, 'j', payload);
      expect((await api.get(`/api/v1/runs/${runId}`)).json().payload).toEqual(payload);
    }
    const res = await api.post('/api/v1/jobs/j/trigger', {});
    expect(res.statusCode).toBe(202);
    expect((await api.get(`/api/v1/runs/${res.json().runId}`)).json().payload).toBeNull();
  });

  it('refuses unknown fields (400 naming them) and unknown jobs (404), creating no run', async () => {
    await putJob(api, 'j');
    expectInvalid(await api.post('/api/v1/jobs/j/trigger', { payload: 1, data: 2 }), '/data');
    expectProblem(await api.post('/api/v1/jobs/nope/trigger', {}), 404, 'NOT_FOUND');
    expectInvalid(await api.post('/api/v1/jobs/a%20b/trigger', {}), '/path/id');
    expect((await api.get('/api/v1/runs')).json().pagination.total).toBe(0);
  });

  it('accepts a trigger without a body (the body and its payload are optional)', async () => {
    // BUG: POST /api/v1/jobs/{id}/trigger with no body answers 400 "/: must be object": the route's
    // `Type.Optional(TriggerBody)` does not make a body optional in JSON schema. Expected 202 {runId}.
    await putJob(api, 'j');
    const res = await api.post('/api/v1/jobs/j/trigger');
    expect(res.statusCode, res.body).toBe(202);
  });
});

describe('POST /api/v1/jobs/{id}/pause and /resume', () => {
  it('pauses with a reason and an until: state, pause object, ETag, no next fire', async () => {
    const job = await putJob(api, 'j', cronJobBody());
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const res = await api.post('/api/v1/jobs/j/pause', { reason: 'maintenance window', until });
    expect(res.statusCode, res.body).toBe(200);
    const paused = res.json();
    expect(res.headers['etag']).toBe(`"${job.version + 1}"`);
    expect(paused.state).toBe('paused');
    expect(paused.version).toBe(job.version + 1);
    expect(paused.pause).toEqual({
      reason: 'maintenance window',
      until,
      pausedAt: expect.any(String),
      by: expect.any(String),
    });
    expect(paused.status.nextFireTime).toBeNull();
    expect((await api.get('/api/v1/triggers?state=waiting')).json().items).toEqual([]);
  });

  it('pauses with an empty body: no reason, no until', async () => {
    await putJob(api, 'j', cronJobBody());
    const paused = (await api.post('/api/v1/jobs/j/pause', {})).json();
    expect(paused.state).toBe('paused');
    expect(paused.pause).toMatchObject({ reason: null, until: null });
  });

  it('resumes: enabled again with its next fire, pause cleared', async () => {
    const job = await putJob(api, 'j', cronJobBody());
    await api.post('/api/v1/jobs/j/pause', { reason: 'x' });
    const res = await api.post('/api/v1/jobs/j/resume');
    expect(res.statusCode, res.body).toBe(200);
    const resumed = res.json();
    expect(resumed).toMatchObject({ state: 'enabled', pause: null, version: job.version + 2 });
    expect(resumed.status.nextFireTime).toBe(job.status.nextFireTime);
    expect(res.headers['etag']).toBe(`"${job.version + 2}"`);
  });

  it('resuming a job that is not paused changes nothing', async () => {
    const job = await putJob(api, 'j', cronJobBody());
    const res = await api.post('/api/v1/jobs/j/resume', {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(job);
  });

  it('resumes by itself once `until` has passed', async () => {
    await putJob(api, 'j', cronJobBody());
    const until = new Date(Date.now() + 2000).toISOString();
    expect((await api.post('/api/v1/jobs/j/pause', { until })).json().state).toBe('paused');
    const job = await waitFor(async () => {
      const j = (await api.get('/api/v1/jobs/j')).json();
      return j.state === 'enabled' ? j : undefined;
    }, 'the pause to expire');
    expect(job.pause).toBeNull();
    expect(job.status.nextFireTime).not.toBeNull();
  });

  it('refuses a bad until, a past until, a long reason and unknown fields, changing nothing', async () => {
    await putJob(api, 'j', cronJobBody());
    const before = await snapshot(api);
    expectInvalid(await api.post('/api/v1/jobs/j/pause', { until: 'tomorrow' }), '/until');
    expectInvalid(await api.post('/api/v1/jobs/j/pause', { until: '2020-01-01T00:00:00Z' }), '/until');
    expectInvalid(await api.post('/api/v1/jobs/j/pause', { reason: 'r'.repeat(1001) }), '/reason');
    expectInvalid(await api.post('/api/v1/jobs/j/pause', { reason: 5 }), '/reason');
    expectInvalid(await api.post('/api/v1/jobs/j/pause', { why: 'x' }), '/why');
    expectInvalid(await api.post('/api/v1/jobs/j/pause', []));
    expect(await snapshot(api)).toEqual(before);
    expect(await state('j')).toBe('enabled');
  });

  it('answers 404 for unknown jobs', async () => {
    expectProblem(await api.post('/api/v1/jobs/nope/pause', {}), 404, 'NOT_FOUND');
    expectProblem(await api.post('/api/v1/jobs/nope/resume'), 404, 'NOT_FOUND');
  });

  it('refuses to pause a completed job (409 CONFLICT), leaving it as it is', async () => {
    await putJob(api, 'once', {
      name: 'once',
      schedule: { type: 'once', at: new Date(Date.now() + 1000).toISOString() },
    });
    const done = await waitFor(async () => {
      const j = (await api.get('/api/v1/jobs/once')).json();
      return j.state === 'completed' && j.status.lastRun?.status === 'succeeded' ? j : undefined;
    }, 'the once job to fire and complete');
    expect(done.status.runCount).toBe(1);
    const body = expectProblem(
      await api.post('/api/v1/jobs/once/pause', { reason: 'too late' }),
      409,
      'CONFLICT',
    );
    expect(body.detail).toContain('completed');
    expect((await api.get('/api/v1/jobs/once')).json()).toEqual(done);
  });

  it(
    'a once job whose fire is acquired but not yet due is not completed: it can still be paused',
    async () => {
      // BUG: the engine marks a job `completed` as soon as it acquires the job's last fire (up to
      // `lookahead` before the instant), so for that long the job claims it has "no fires left":
      // pause answers 409 CONFLICT, bulk pause skips it, and GET shows state completed with
      // nextFireTime null while its fire is still pending in the ledger. Expected: the job stays
      // `enabled` until the fire happens, and pausing it then is a 200 that also stops that fire.
      const s = await testSked({ ...TEST_FLAGS, lookahead: 'PT1M' });
      try {
        const a = client(() => s);
        await putJob(a, 'once', {
          name: 'once',
          schedule: { type: 'once', at: new Date(Date.now() + 40_000).toISOString() },
        });
        await waitFor(
          async () =>
            (await a.get('/api/v1/triggers?state=acquired')).json().items.length ? true : undefined,
          'the fire to be acquired',
        );
        const res = await a.post('/api/v1/jobs/once/pause', {});
        expect(res.statusCode, res.body).toBe(200);
      } finally {
        await s.close();
      }
    },
  );

  it('accepts a pause without a body', async () => {
    // BUG: POST /api/v1/jobs/{id}/pause with no body (the documented body `{reason?, until?}` is
    // optional) answers 400 "/: must be object". Expected 200 and the job paused.
    await putJob(api, 'j', cronJobBody());
    const res = await api.post('/api/v1/jobs/j/pause');
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('POST /api/v1/jobs/pause and /resume (bulk)', () => {
  const seed = async () => {
    await putJob(api, 'a', cronJobBody({ labels: { team: 'billing' } }));
    await putJob(api, 'b', cronJobBody({ labels: { team: 'billing' } }));
    await putJob(api, 'c', cronJobBody({ labels: { team: 'ops' } }));
    await putJob(api, 'd', cronJobBody({ labels: { team: 'ops' }, enabled: false }));
  };
  const states = async () => {
    const items = (await api.get('/api/v1/jobs?sort=id')).json().items as { id: string; state: string }[];
    return Object.fromEntries(items.map((j) => [j.id, j.state]));
  };

  it('pauses and resumes the jobs listed by id', async () => {
    await seed();
    const res = await api.post('/api/v1/jobs/pause', { ids: ['a', 'c'], reason: 'bulk' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ count: 2, ids: ['a', 'c'] });
    expect(await states()).toEqual({ a: 'paused', b: 'enabled', c: 'paused', d: 'paused' });
    expect((await api.get('/api/v1/jobs/a')).json().pause.reason).toBe('bulk');
    const resumed = await api.post('/api/v1/jobs/resume', { ids: ['a', 'd'] });
    expect(resumed.json()).toEqual({ count: 2, ids: ['a', 'd'] });
    expect(await states()).toEqual({ a: 'enabled', b: 'enabled', c: 'paused', d: 'enabled' });
  });

  it('pauses and resumes the jobs matching a filter', async () => {
    await seed();
    const res = await api.post('/api/v1/jobs/pause', { filter: 'labels/team eq "billing"' });
    expect(res.json()).toEqual({ count: 2, ids: expect.arrayContaining(['a', 'b']) });
    expect(await states()).toEqual({ a: 'paused', b: 'paused', c: 'enabled', d: 'paused' });
    const resumed = await api.post('/api/v1/jobs/resume', { filter: 'labels/team eq "ops"' });
    // Only the paused ones among the matches are resumed.
    expect(resumed.json()).toEqual({ count: 1, ids: ['d'] });
    expect(await states()).toEqual({ a: 'paused', b: 'paused', c: 'enabled', d: 'enabled' });
  });

  it('with neither ids nor filter pauses every enabled job, and resumes every paused one', async () => {
    await seed();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const res = await api.post('/api/v1/jobs/pause', { reason: 'freeze', until });
    expect(res.json()).toEqual({ count: 3, ids: expect.arrayContaining(['a', 'b', 'c']) });
    expect(await states()).toEqual({ a: 'paused', b: 'paused', c: 'paused', d: 'paused' });
    expect((await api.get('/api/v1/jobs/b')).json().pause).toMatchObject({ reason: 'freeze', until });
    const resumed = await api.post('/api/v1/jobs/resume', {});
    expect(resumed.json()).toEqual({ count: 4, ids: expect.arrayContaining(['a', 'b', 'c', 'd']) });
    expect(await states()).toEqual({ a: 'enabled', b: 'enabled', c: 'enabled', d: 'enabled' });
    const scheduler = (await api.get('/api/v1/scheduler')).json();
    expect(scheduler.counts).toMatchObject({ jobs: 4, enabled: 4, paused: 0 });
  });

  it('refuses a malformed filter, bad ids, a past until and unknown fields, changing nothing', async () => {
    await seed();
    const before = await snapshot(api);
    expectInvalid(await api.post('/api/v1/jobs/pause', { filter: 'labels/team eq' }));
    expectInvalid(await api.post('/api/v1/jobs/resume', { filter: '(state eq "paused"' }));
    expectInvalid(await api.post('/api/v1/jobs/pause', { ids: ['ok', 'not ok'] }), '/ids/1');
    expectInvalid(await api.post('/api/v1/jobs/pause', { ids: 'a' }), '/ids');
    expectInvalid(await api.post('/api/v1/jobs/pause', { until: '2020-01-01T00:00:00Z' }), '/until');
    expectInvalid(await api.post('/api/v1/jobs/pause', { all: true }), '/all');
    expect(await snapshot(api)).toEqual(before);
  });

  it('names the body field /filter when the filter of a bulk action is malformed', async () => {
    // BUG: the bulk body's filter is parsed by JobService.list with the default pointer, so the error
    // says `/query/filter` although the filter came in the body: expected pointer `/filter`.
    await seed();
    expectInvalid(await api.post('/api/v1/jobs/pause', { filter: 'labels/team eq' }), '/filter');
  });

  it('does not report unknown ids as paused', async () => {
    // BUG: POST /api/v1/jobs/pause {"ids": ["a", "ghost"]} answers {count: 2, ids: ["a", "ghost"]}:
    // the missing job is silently "paused". Expected: either a 404 naming /ids/1, or a count and ids
    // of the jobs actually paused ({count: 1, ids: ["a"]}).
    await seed();
    const res = await api.post('/api/v1/jobs/pause', { ids: ['a', 'ghost'] });
    if (res.statusCode === 404) {
      expectProblem(res, 404, 'NOT_FOUND');
      expect(await states()).toMatchObject({ a: 'enabled' });
    } else {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ count: 1, ids: ['a'] });
    }
  });

  it('accepts a bulk pause without a body (neither ids nor filter = all jobs)', async () => {
    // BUG: POST /api/v1/jobs/pause (and /resume) with no body answer 400 "/: must be object";
    // PRODUCT.md: "neither = all jobs". Expected 200 and every job paused.
    await seed();
    const res = await api.post('/api/v1/jobs/pause');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().count).toBe(3);
  });
});
