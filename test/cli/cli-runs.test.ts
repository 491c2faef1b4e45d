/**
 * `sked jobs trigger` and `sked runs ...` through the built binary, against a real `sked server`
 * process on a temp SQLite file: trigger with a payload, runs ls/get/logs, logs -f following a run to
 * its end, cancel, and deleting a job with its runs.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/process.js';
import { TERMINAL, useCliServer } from './cli-harness.js';

const srv = useCliServer('cli-runs');

const echoJob = (id: string, name: string, words: string[]) => ({
  id,
  name,
  schedule: { type: 'manual' },
  steps: [{ stepIndex: 0, name: 'say', type: 'exec', command: '/bin/echo', args: words }],
});

/** The manual run of 'payload-job' (set by the trigger test, read by later ones). */
let runId = '';

describe('sked jobs trigger and sked runs', () => {
  it('trigger --payload prints a run id; the payload reaches the step', async () => {
    const path = srv.file('payload.json', {
      id: 'payload-job',
      name: 'Payload',
      schedule: { type: 'manual' },
      steps: [
        {
          stepIndex: 0,
          name: 'show',
          type: 'shell',
          script: 'echo "payload=$SKED_PAYLOAD run=$SKED_RUN_ID"',
        },
      ],
    });
    expect((await srv.sked(['jobs', 'apply', '-f', path])).code).toBe(0);
    expect(
      (await srv.sked(['jobs', 'apply', '-f', srv.file('idle.json', echoJob('idle', 'Idle', ['never']))]))
        .code,
    ).toBe(0);
    const r = await srv.sked(['jobs', 'trigger', 'payload-job', '--payload', '{"a":1}']);
    expect(r.code, r.stderr).toBe(0);
    runId = r.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const run = await srv.finishedRun(runId);
    expect(run).toMatchObject({
      jobId: 'payload-job',
      trigger: 'manual',
      status: 'succeeded',
      payload: { a: 1 },
    });
  });

  it('trigger --payload that is not JSON exits 2; an unknown job exits 3', async () => {
    const [bad, ghost] = await Promise.all([
      srv.sked(['jobs', 'trigger', 'payload-job', '--payload', '{a:1}']),
      srv.sked(['jobs', 'trigger', 'ghost']),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--payload');
    expect(ghost.code).toBe(3);
  });

  it("runs ls --job lists that job's runs in a table, and as JSON", async () => {
    const [r, jsonOut, noneOut] = await Promise.all([
      srv.sked(['runs', 'ls', '--job', 'payload-job']),
      srv.sked(['--json', 'runs', 'ls', '--job', 'payload-job']),
      srv.sked(['--json', 'runs', 'ls', '--job', 'idle']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual([
      'ID',
      'JOB',
      'TRIGGER',
      'STATUS',
      'QUEUED',
      'DURATION',
      'ATTEMPT',
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(
      new RegExp(`^${runId}\\s+payload-job\\s+manual\\s+succeeded\\s+\\d+[smhd] ago\\s+\\d+\\.\\ds\\s+1$`),
    );
    const json = JSON.parse(jsonOut.stdout) as { items: { id: string }[] };
    expect(json.items.map((x) => x.id)).toEqual([runId]);
    const none = JSON.parse(noneOut.stdout) as { items: unknown[] };
    expect(none.items).toEqual([]);
  });

  it('runs get prints the run with its steps; an unknown run exits 3', async () => {
    const [r, missing] = await Promise.all([
      srv.sked(['runs', 'get', runId]),
      srv.sked(['runs', 'get', '00000000-0000-0000-0000-000000000000']),
    ]);
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout);
    expect(run).toMatchObject({
      id: runId,
      status: 'succeeded',
      steps: [{ stepIndex: 0, type: 'shell', status: 'succeeded', exitCode: 0 }],
    });
    expect(run.steps[0].output).toBe(`payload={"a":1} run=${runId}\n`);
    expect(missing.code).toBe(3);
  });

  it('runs logs prints the step output', async () => {
    const [r, missing] = await Promise.all([
      srv.sked(['runs', 'logs', runId]),
      srv.sked(['runs', 'logs', 'nope']),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("== step 0 'show' (shell) succeeded exit 0 ==");
    expect(r.stdout).toContain(`payload={"a":1} run=${runId}`);
    expect(missing.code).toBe(3);
  });

  it('runs logs -f follows a running run until it finishes', async () => {
    const path = srv.file('slow.json', {
      id: 'slow-log',
      name: 'Slow log',
      schedule: { type: 'manual' },
      steps: [
        {
          stepIndex: 0,
          name: 'first',
          type: 'shell',
          script: 'echo first-line; sleep 1.5; echo second-line',
        },
        { stepIndex: 1, name: 'second', type: 'exec', command: '/bin/echo', args: ['last-line'] },
      ],
    });
    expect((await srv.sked(['jobs', 'apply', '-f', path])).code).toBe(0);
    const id = (await srv.sked(['jobs', 'trigger', 'slow-log'])).stdout.trim();
    const before = await srv.api('GET', `/api/v1/runs/${id}`);
    expect(TERMINAL).not.toContain(before.status); // following starts while the run is going
    const r = await srv.sked(['runs', 'logs', '-f', id], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const after = await srv.api('GET', `/api/v1/runs/${id}`);
    expect(after.status).toBe('succeeded'); // -f returned only once the run was over
    for (const text of ['first-line', 'second-line', 'last-line', "step 1 'second'"])
      expect(r.stdout).toContain(text);
    // printed once, not repeated by each poll
    expect(r.stdout.split('first-line').length - 1).toBe(1);
  });

  it('runs cancel stops a running run; cancelling it again is a conflict (4)', async () => {
    const marker = join(srv.dir, 'cancel-started');
    const path = srv.file('long.json', {
      id: 'long',
      name: 'Long',
      schedule: { type: 'manual' },
      steps: [{ stepIndex: 0, type: 'shell', script: `touch ${marker}; sleep 60` }],
    });
    expect((await srv.sked(['jobs', 'apply', '-f', path])).code).toBe(0);
    const id = (await srv.sked(['jobs', 'trigger', 'long'])).stdout.trim();
    await waitFor(
      'the long step to start',
      async () => (await srv.api('GET', `/api/v1/runs/${id}`)).status === 'running' && existsSync(marker),
    );
    const r = await srv.sked(['runs', 'cancel', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^cancelled ${id} \\(\\w+\\)\\n$`));
    const run = await srv.finishedRun(id);
    expect(run.status).toBe('cancelled');
    const [again, unknown] = await Promise.all([
      srv.sked(['runs', 'cancel', id]),
      srv.sked(['runs', 'cancel', 'no-such-run']),
    ]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already finished/);
    expect(unknown.code).toBe(3);
  });
});

describe('sked jobs rm', () => {
  it('rm deletes the job with its runs; a second rm exits 3', async () => {
    const r = await srv.sked(['jobs', 'rm', 'payload-job']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('deleted payload-job\n');
    const [get, run, again] = await Promise.all([
      srv.sked(['jobs', 'get', 'payload-job']),
      srv.sked(['runs', 'get', runId]),
      srv.sked(['jobs', 'rm', 'payload-job']),
    ]);
    expect(get.code).toBe(3);
    expect(run.code).toBe(3);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('payload-job');
  });
});
