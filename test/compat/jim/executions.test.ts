/**
 * Schedule executions on sked runs: steps with equal stepIndex really run at once (exec steps write
 * timestamps), the next group waits for both; JIM statuses for runs and steps; failures, continueOnFailure
 * and timeouts; RunProfile dispatched to the configured URL (or failing clearly without one); SqlScript
 * on SQLite; PowerShell through pwsh (failing clearly where pwsh is not installed); the executions list,
 * /active and cancel.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { Database } from '../../../src/store/sqlite/sqlite-driver.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestSked } from '../../support/app-harness.js';
import { skedWithSurfaces } from '../puppet/with-surfaces.js';
import { createFromSeed, expectJimError, GUID, jimClient, useSked, waitFor, waitForExecution, DOTNET_DATE } from './support.js';

const sked = useSked();
const jim = jimClient(sked);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sked-jim-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A node script that appends `start <ms>` to a file, waits, then appends `end <ms>`. */
function stampScript(): string {
  const path = join(dir, 'stamp.cjs');
  writeFileSync(path, "const fs = require('fs'); const [file, ms] = process.argv.slice(2);\nfs.appendFileSync(file, `start ${Date.now()}\\n`);\nsetTimeout(() => fs.appendFileSync(file, `end ${Date.now()}\\n`), Number(ms));\n");
  return path;
}

function stamps(file: string): { start: number; end: number } {
  const text = readFileSync(file, 'utf8');
  const get = (k: string) => Number(new RegExp(`${k} (\\d+)`).exec(text)?.[1]);
  return { start: get('start'), end: get('end') };
}

async function createSchedule(body: Record<string, unknown>): Promise<string> {
  const res = await jim.post('/api/v1/schedules', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function run(id: string): Promise<string> {
  const res = await jim.post(`/api/v1/schedules/${id}/run`);
  expect(res.statusCode, res.body).toBe(202);
  return res.json().executionId;
}

const EXECUTION_KEYS = ['id', 'scheduleId', 'scheduleName', 'status', 'currentStepIndex', 'totalSteps', 'queuedAt', 'startedAt', 'completedAt', 'initiatedByType', 'initiatedById', 'initiatedByName', 'errorMessage'];

describe('parallel and sequential steps', () => {
  it('equal stepIndex runs at the same time; the next index starts after both finished', async () => {
    const script = stampScript();
    const step = (stepIndex: number, file: string, extra: Record<string, unknown> = {}) => ({ stepIndex, stepType: 'Executable', executablePath: process.execPath, arguments: `"${script}" "${join(dir, file)}" 2000`, ...extra });
    const id = await createSchedule({
      name: 'Parallel',
      steps: [step(0, 'a', { name: 'import A' }), step(0, 'b', { name: 'import B', executionMode: 'ParallelWithPrevious' }), step(1, 'c', { name: 'sync' })],
    });
    const executionId = await run(id);
    const done = await waitForExecution(jim, executionId, 30_000);
    expect(done.status).toBe('Complete');
    const a = stamps(join(dir, 'a'));
    const b = stamps(join(dir, 'b'));
    const c = stamps(join(dir, 'c'));
    expect(b.start).toBeLessThan(a.end);
    expect(a.start).toBeLessThan(b.end);
    expect(c.start).toBeGreaterThanOrEqual(Math.max(a.end, b.end));

    expect(Object.keys(done)).toEqual([...EXECUTION_KEYS, 'steps', 'progress']);
    expect(done).toMatchObject({ scheduleId: id, scheduleName: 'Parallel', currentStepIndex: 1, totalSteps: 2, errorMessage: null, initiatedByType: 'ApiKey', initiatedById: null });
    for (const k of ['queuedAt', 'startedAt', 'completedAt']) expect(done[k]).toMatch(DOTNET_DATE);
    expect(done.steps.map((s: any) => [s.stepIndex, s.name, s.stepType, s.executionMode, s.status])).toEqual([
      [0, 'import A', 'Executable', 'Sequential', 'Completed'],
      [0, 'import B', 'Executable', 'ParallelWithPrevious', 'Completed'],
      [1, 'sync', 'Executable', 'Sequential', 'Completed'],
    ]);
    for (const s of done.steps) expect(s).toMatchObject({ taskId: null, activityId: null, errorMessage: null, startedAt: expect.stringMatching(DOTNET_DATE), completedAt: expect.stringMatching(DOTNET_DATE), continueOnFailure: false });
    expect(done.progress).toEqual({
      currentStepNumber: null,
      totalSteps: 2,
      steps: [
        { stepIndex: 0, name: '2 steps in parallel', status: 'Completed', taskStatuses: ['Completed', 'Completed'], isParallel: true },
        { stepIndex: 1, name: 'sync', status: 'Completed', taskStatuses: ['Completed'], isParallel: false },
      ],
    });
  });
});

describe('failures, continueOnFailure, timeouts', () => {
  it('a failing step fails the execution; later steps do not run (Cancelled, said why)', async () => {
    const id = await createSchedule({ name: 'Fails', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/false' }, { stepIndex: 1, stepType: 'Executable', executablePath: '/bin/true' }] });
    const done = await waitForExecution(jim, await run(id));
    expect(done).toMatchObject({ status: 'Failed', currentStepIndex: 0, totalSteps: 2, errorMessage: expect.stringContaining('exited with code 1') });
    expect(done.steps.map((s: any) => s.status)).toEqual(['Failed', 'Cancelled']);
    expect(done.steps[1].errorMessage).toBe('Not run: an earlier step failed');
    expect(done.progress.steps.map((s: any) => s.status)).toEqual(['Failed', 'Cancelled']);
  });

  it('continueOnFailure carries on: the execution completes', async () => {
    const id = await createSchedule({ name: 'Carries on', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/false', continueOnFailure: true }, { stepIndex: 1, stepType: 'Executable', executablePath: '/bin/true' }] });
    const done = await waitForExecution(jim, await run(id));
    expect(done.status).toBe('Complete');
    expect(done.steps.map((s: any) => [s.status, s.continueOnFailure])).toEqual([['Failed', true], ['Completed', false]]);
  });

  it('timeoutSeconds stops a step that runs too long', async () => {
    const id = await createSchedule({ name: 'Slow', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: 'sleep', arguments: '30', timeoutSeconds: 1 }] });
    const started = Date.now();
    const done = await waitForExecution(jim, await run(id));
    expect(done.status).toBe('Failed');
    expect(done.steps[0].status).toBe('Failed');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('Executable: workingDirectory is the step\'s cwd; quoted arguments keep their spaces', async () => {
    const id = await createSchedule({ name: 'Pwd', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/sh', arguments: '-c "pwd > out.txt; echo \\"two words\\" >> out.txt"', workingDirectory: dir }] });
    expect((await waitForExecution(jim, await run(id))).status).toBe('Complete');
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe(`${dir}\ntwo words\n`);
  });
});

describe('platform and script steps', () => {
  it('RunProfile without a dispatch URL: the execution fails, saying what to configure', async () => {
    const created = await createFromSeed(sked, 'fullPipeline');
    const done = await waitForExecution(jim, await run(created.id));
    expect(done.status).toBe('Failed');
    expect(done.errorMessage).toMatch(/SKED_DISPATCH_JIM_URL/);
    expect(done.steps.map((s: any) => [s.stepType, s.status, s.runProfileId])).toEqual([
      ['RunProfile', 'Failed', 1],
      ['RunProfile', 'Cancelled', 2],
      ['RunProfile', 'Cancelled', 3],
    ]);
    expect(done.steps.map((s: any) => s.name)).toEqual(['Step 1', 'Step 2', 'Step 3']);
  });

  it('RunProfile with a dispatch URL: each step is POSTed there with JIM\'s fields, in order and in parallel groups', async () => {
    const received: any[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let own: TestSked | null = null;
    try {
      own = await skedWithSurfaces({ 'shutdown-grace': 'PT0S', dispatch: `jim=http://127.0.0.1:${(server.address() as AddressInfo).port}/jim` });
      const api = jimClient(() => own as TestSked);
      const created = (await api.post('/api/v1/schedules', JSON.parse((await import('./seed-curl.js')).SEED_CURL.multiSystemSync.body))).json();
      const executionId = (await api.post(`/api/v1/schedules/${created.id}/run`)).json().executionId;
      const done = await waitForExecution(api, executionId);
      expect(done.status).toBe('Complete');
      expect(received).toHaveLength(5);
      for (const r of received) expect(r).toMatchObject({ surface: 'jim', jobId: created.id, runId: executionId, action: { stepType: 'RunProfile', stepId: expect.stringMatching(GUID) } });
      const profiles = received.map((r) => r.action.runProfileId);
      expect(profiles.slice(0, 2).sort()).toEqual([1, 3]);
      expect(profiles.slice(2, 4).sort()).toEqual([2, 4]);
      expect(profiles[4]).toBe(5);
    } finally {
      await own?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('SqlScript on a sqlite: connection runs the script file\'s statements', async () => {
    const script = join(dir, 'load.sql');
    writeFileSync(script, 'CREATE TABLE imported (id INTEGER, name TEXT);\nINSERT INTO imported VALUES (1, \'alice\'), (2, \'bob\');\n');
    const db = join(dir, 'jim.db');
    const id = await createSchedule({ name: 'Sql', steps: [{ stepIndex: 0, stepType: 'SqlScript', name: 'load', sqlConnectionString: `sqlite:${db}`, sqlScriptPath: script }] });
    const shown = (await jim.get(`/api/v1/schedules/${id}`)).json();
    expect(shown.steps[0]).toMatchObject({ stepType: 'SqlScript', sqlConnectionString: `sqlite:${db}`, sqlScriptPath: script });
    const done = await waitForExecution(jim, await run(id));
    expect(done.status, JSON.stringify(done)).toBe('Complete');
    const rows = new Database(db, { readonly: true }).prepare('SELECT id, name FROM imported ORDER BY id').all();
    expect(rows).toEqual([{ id: 1, name: 'alice' }, { id: 2, name: 'bob' }]);
  });

  it('PowerShell runs through pwsh: where pwsh is not installed the run fails saying so', async () => {
    const script = join(dir, 'hello.ps1');
    const out = join(dir, 'ps.txt');
    writeFileSync(script, `param([string]$Name)\nSet-Content -Path '${out}' -Value "hello $Name"\n`);
    const id = await createSchedule({ name: 'Ps', steps: [{ stepIndex: 0, stepType: 'PowerShell', scriptPath: script, arguments: '-Name JIM' }] });
    const done = await waitForExecution(jim, await run(id), 60_000);
    const pwshInstalled = (process.env['PATH'] ?? '').split(delimiter).some((p) => p && existsSync(join(p, 'pwsh')));
    if (pwshInstalled) {
      expect(done.status).toBe('Complete');
      expect(readFileSync(out, 'utf8').trim()).toBe('hello JIM');
    } else {
      expect(done.status).toBe('Failed');
      expect(done.errorMessage).toMatch(/cannot run 'pwsh'.*not found/);
    }
  });
});

describe('GET /api/v1/schedule-executions, /active, cancel', () => {
  it('lists executions newest first (or oldest first), filtered by schedule, paged with totals', async () => {
    const a = await createSchedule({ name: 'A', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/true' }] });
    const b = await createSchedule({ name: 'B', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: '/bin/true' }] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const e = await run(a);
      await waitForExecution(jim, e);
      ids.push(e);
    }
    await waitForExecution(jim, await run(b));
    const all = (await jim.get('/api/v1/schedule-executions')).json();
    expect(all).toMatchObject({ totalCount: 4, page: 1, pageSize: 20, totalPages: 1 });
    for (const item of all.items) expect(Object.keys(item)).toEqual(EXECUTION_KEYS);
    const ofA = (await jim.get(`/api/v1/schedule-executions?scheduleId=${a}&pageSize=2`)).json();
    expect(ofA).toMatchObject({ totalCount: 3, pageSize: 2, totalPages: 2, hasNextPage: true });
    expect(ofA.items.map((e: any) => e.id)).toEqual([ids[2], ids[1]]);
    expect(ofA.items[0]).toMatchObject({ scheduleId: a, scheduleName: 'A', status: 'Complete' });
    const oldest = (await jim.get(`/api/v1/schedule-executions?scheduleId=${a}&sortDescending=false&pageSize=2&page=2`)).json();
    expect(oldest.items.map((e: any) => e.id)).toEqual([ids[2]]);
    expect((await jim.get(`/api/v1/schedule-executions?scheduleId=${a}&sortDescending=false`)).json().items.map((e: any) => e.id)).toEqual(ids);
    expectJimError(await jim.get('/api/v1/schedule-executions?scheduleId=not%20an%20id'), 400, 'VALIDATION_ERROR', 'scheduleId');
    // The list call fills the last-execution fields.
    const listed = (await jim.get('/api/v1/schedules?search=A')).json().items.find((s: any) => s.id === a);
    expect(listed).toMatchObject({ lastExecutionId: ids[2], lastExecutionStatus: 'Complete', lastExecutionCurrentStepIndex: 0, lastExecutionTotalSteps: 1, lastExecutionErrorMessage: null, lastExecutionCompletedAt: expect.stringMatching(DOTNET_DATE) });
    expect((await jim.get(`/api/v1/schedules/${a}`)).json().lastExecutionId).toBeNull();
  });

  it('/active is a bare array of running executions; cancel answers 200 Cancelled, then 400 once finished', async () => {
    const id = await createSchedule({ name: 'Long', steps: [{ stepIndex: 0, stepType: 'Executable', executablePath: 'sleep', arguments: '30' }] });
    const executionId = await run(id);
    const active = await waitFor(async () => {
      const list = (await jim.get('/api/v1/schedule-executions/active')).json();
      return Array.isArray(list) && list.some((e: any) => e.id === executionId && e.status === 'InProgress') ? list : undefined;
    }, 'the execution to be active');
    expect(active).toHaveLength(1);
    expect(Object.keys(active[0])).toEqual(EXECUTION_KEYS);
    const inProgress = (await jim.get(`/api/v1/schedule-executions/${executionId}`)).json();
    expect(inProgress).toMatchObject({ status: 'InProgress', completedAt: null, progress: { currentStepNumber: 1, totalSteps: 1 } });
    const cancelled = await jim.post(`/api/v1/schedule-executions/${executionId}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(Object.keys(cancelled.json())).toEqual(EXECUTION_KEYS);
    expect(cancelled.json()).toMatchObject({ id: executionId, status: 'Cancelled', completedAt: expect.stringMatching(DOTNET_DATE) });
    expect((await jim.get('/api/v1/schedule-executions/active')).json()).toEqual([]);
    const again = expectJimError(await jim.post(`/api/v1/schedule-executions/${executionId}/cancel`), 400, 'BAD_REQUEST');
    expect(again.message).toBe('Cannot cancel execution with status: Cancelled');
  });

  it('runs of jobs made natively are executions too', async () => {
    const put = await sked().app.inject({ method: 'PUT', url: '/api/v1/jobs/native-job', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'Native', schedule: { type: 'manual' }, steps: [{ stepIndex: 0, type: 'noop' }] }) });
    expect(put.statusCode).toBe(201);
    const executionId = await run('native-job');
    const done = await waitForExecution(jim, executionId);
    expect(done).toMatchObject({ scheduleId: 'native-job', scheduleName: 'Native', status: 'Complete', steps: [{ stepType: 'Executable', status: 'Completed' }] });
  });
});
