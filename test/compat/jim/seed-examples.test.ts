/**
 * Every curl example of the JIM seed (seeds/004), replayed verbatim (path, headers, body; the API key is a
 * sked key), with the answers checked field by field against ScheduleDetailDto, and what sked made of
 * them: the trigger (manual / daily / window / cron in UTC), the derived cron expression, the next run in
 * UTC, and the steps (dispatch for RunProfile, exec through pwsh for PowerShell, timeouts, parallel groups).
 */

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEED_CURL } from './seed-curl.js';
import { createFromSeed, DOTNET_DATE, expectJimError, GUID, jimClient, replay, useSked } from './support.js';

const sked = useSked();
const jim = jimClient(sked);

const NO_LAST_EXECUTION = {
  lastExecutionId: null,
  lastExecutionStatus: null,
  lastExecutionCurrentStepIndex: null,
  lastExecutionTotalSteps: null,
  lastExecutionCompletedAt: null,
  lastExecutionErrorMessage: null,
};

const NO_PATTERN = { daysOfWeek: null, runTimes: null, intervalValue: null, intervalUnit: null, intervalWindowStart: null, intervalWindowEnd: null };

/** Every key of a ScheduleDetailDto, in JIM's order. */
const DETAIL_KEYS = [
  'id', 'name', 'description', 'triggerType', 'cronExpression', 'patternType', 'daysOfWeek', 'runTimes', 'intervalValue', 'intervalUnit',
  'intervalWindowStart', 'intervalWindowEnd', 'isEnabled', 'lastRunTime', 'nextRunTime', 'stepCount', 'created', 'lastUpdated',
  'lastExecutionId', 'lastExecutionStatus', 'lastExecutionCurrentStepIndex', 'lastExecutionTotalSteps', 'lastExecutionCompletedAt', 'lastExecutionErrorMessage', 'steps',
];

const STEP_KEYS = [
  'id', 'stepIndex', 'name', 'executionMode', 'stepType', 'continueOnFailure', 'timeoutSeconds', 'connectedSystemId', 'runProfileId',
  'scriptPath', 'arguments', 'executablePath', 'workingDirectory', 'sqlConnectionString', 'sqlScriptPath',
];

/** The first minute after `from` (UTC) that `matches`, by brute force: an oracle independent of sked's maths. */
function nextMinute(from: number, matches: (d: Date) => boolean): string {
  let t = Math.floor(from / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 60 * 24 * 100; i++, t += 60_000) if (matches(new Date(t))) return new Date(t).toISOString().replace('.000Z', 'Z');
  throw new Error('no matching minute within 100 days');
}

async function nativeJob(id: string): Promise<any> {
  const res = await sked().app.inject({ method: 'GET', url: `/api/v1/jobs/${id}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

function expectDetailShape(body: any): void {
  expect(Object.keys(body)).toEqual(DETAIL_KEYS);
  expect(body.id).toMatch(GUID);
  expect(body.created).toMatch(DOTNET_DATE);
  for (const step of body.steps) expect(Object.keys(step)).toEqual(STEP_KEYS);
}

describe('the seed examples, verbatim', () => {
  it('the embedded examples are the seed document\'s own text', (ctx) => {
    const seed = new URL('../../../../shared/seeds/004_ea53e59848370ddc.txt', import.meta.url);
    // The seeds live beside the repository; without them the embedded copy is the test's source of truth.
    if (!existsSync(seed)) ctx.skip('../shared/seeds/004_ea53e59848370ddc.txt is not beside the repository: the embedded copy is not compared with it');
    const text = readFileSync(seed, 'utf8');
    for (const example of Object.values(SEED_CURL)) expect(text).toContain(`curl -X POST ${example.url} \\\n  -H "X-Api-Key: ${example.apiKey}" \\\n  -H "Content-Type: application/json" \\\n  -d '${example.body}'`);
    expect(text.match(/curl -X POST/g)).toHaveLength(Object.keys(SEED_CURL).length);
  });

  it('the seed\'s own key (jim_xxxxxxxxxxxx) is no sked key: 401 UNAUTHORISED in JIM\'s shape, nothing made', async () => {
    const res = await replay(sked, 'manual', SEED_CURL.manual.apiKey);
    expectJimError(res, 401, 'UNAUTHORISED');
    expect((await jim.get('/api/v1/schedules')).json().totalCount).toBe(0);
  });

  it('Manual trigger: 201, Location, a manual sked job, created disabled (isEnabled defaults to false)', async () => {
    const res = await replay(sked, 'manual');
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expectDetailShape(body);
    expect(res.headers['location']).toBe(`http://localhost:80/api/v1/schedules/${body.id}`);
    expect(body).toEqual({
      id: body.id,
      name: 'Ad-Hoc Full Sync',
      description: 'Full import and sync, triggered manually when needed',
      triggerType: 'Manual',
      cronExpression: null,
      patternType: 'SpecificTimes',
      ...NO_PATTERN,
      isEnabled: false,
      lastRunTime: null,
      nextRunTime: null,
      stepCount: 0,
      created: body.created,
      lastUpdated: null,
      ...NO_LAST_EXECUTION,
      steps: [],
    });
    const job = await nativeJob(body.id);
    expect(job).toMatchObject({ id: body.id, name: 'Ad-Hoc Full Sync', schedule: { type: 'manual' }, state: 'paused', steps: [] });
    const read = await jim.get(`/api/v1/schedules/${body.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(body);
  });

  const specificTimes = [
    { name: 'morningImport', title: 'Morning Import', days: '1,2,3,4,5', runTimes: '06:00', cron: '0 6 * * 1-5', daily: { daysOfWeek: [1, 2, 3, 4, 5], times: ['06:00'] }, matches: (d: Date) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() === 6 && d.getUTCMinutes() === 0 },
    { name: 'threeDailySync', title: 'Three-Daily Sync', days: '0,1,2,3,4,5,6', runTimes: '06:00,12:00,18:00', cron: '0 6,12,18 * * *', daily: { daysOfWeek: [0, 1, 2, 3, 4, 5, 6], times: ['06:00', '12:00', '18:00'] }, matches: (d: Date) => [6, 12, 18].includes(d.getUTCHours()) && d.getUTCMinutes() === 0 },
    { name: 'weekendFullImport', title: 'Weekend Full Import', days: '0,6', runTimes: '02:00', cron: '0 2 * * 0,6', daily: { daysOfWeek: [0, 6], times: ['02:00'] }, matches: (d: Date) => (d.getUTCDay() === 0 || d.getUTCDay() === 6) && d.getUTCHours() === 2 && d.getUTCMinutes() === 0 },
  ] as const;

  for (const ex of specificTimes) {
    it(`SpecificTimes — ${ex.title}: a daily sked schedule in UTC, the cron derived, the next run right in UTC`, async () => {
      const before = Date.now();
      const body = await createFromSeed(sked, ex.name);
      expectDetailShape(body);
      expect(body).toEqual({
        ...body,
        name: ex.title,
        description: null,
        triggerType: 'Cron',
        cronExpression: ex.cron,
        patternType: 'SpecificTimes',
        ...NO_PATTERN,
        daysOfWeek: ex.days,
        runTimes: ex.runTimes,
        isEnabled: true,
        lastRunTime: null,
        stepCount: 0,
        lastUpdated: null,
        ...NO_LAST_EXECUTION,
        steps: [],
      });
      expect(body.nextRunTime).toBe(nextMinute(before, ex.matches));
      const job = await nativeJob(body.id);
      expect(job.schedule).toEqual({ type: 'daily', ...ex.daily, timeZone: 'UTC' });
      expect(job.state).toBe('enabled');
      expect(job.status.nextFireTime).toBe(new Date(body.nextRunTime).toISOString());
    });
  }

  const intervals = [
    { name: 'deltaSyncBusinessHours', title: 'Delta Sync (Business Hours)', days: '1,2,3,4,5', value: 30, unit: 'Minutes', start: '08:00', end: '18:00', cron: '*/30 8-17 * * 1-5', every: 'PT30M', matches: (d: Date) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 8 && d.getUTCHours() < 18 && d.getUTCMinutes() % 30 === 0 },
    { name: 'regularSync', title: 'Regular Sync', days: '0,1,2,3,4,5,6', value: 2, unit: 'Hours', start: '00:00', end: '23:59', cron: '0 */2 * * *', every: 'PT2H', matches: (d: Date) => d.getUTCHours() % 2 === 0 && d.getUTCMinutes() === 0 },
    { name: 'frequentMorningSync', title: 'Frequent Morning Sync', days: '1,2,3,4,5', value: 15, unit: 'Minutes', start: '07:00', end: '12:00', cron: '*/15 7-11 * * 1-5', every: 'PT15M', matches: (d: Date) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 7 && d.getUTCHours() < 12 && d.getUTCMinutes() % 15 === 0 },
  ] as const;

  for (const ex of intervals) {
    it(`Interval — ${ex.title}: a window sked schedule [start, end) in UTC, the cron derived`, async () => {
      const before = Date.now();
      const body = await createFromSeed(sked, ex.name);
      expectDetailShape(body);
      expect(body).toEqual({
        ...body,
        name: ex.title,
        description: null,
        triggerType: 'Cron',
        cronExpression: ex.cron,
        patternType: 'Interval',
        daysOfWeek: ex.days,
        runTimes: null,
        intervalValue: ex.value,
        intervalUnit: ex.unit,
        intervalWindowStart: ex.start,
        intervalWindowEnd: ex.end,
        isEnabled: true,
        stepCount: 0,
        steps: [],
      });
      expect(body.nextRunTime).toBe(nextMinute(before, ex.matches));
      const job = await nativeJob(body.id);
      expect(job.schedule).toEqual({ type: 'window', daysOfWeek: ex.days.split(',').map(Number), every: ex.every, from: ex.start, to: ex.end, timeZone: 'UTC' });
    });
  }

  const custom = [
    { name: 'monthlyFullImport', title: 'Monthly Full Import', cron: '0 3 1-7 * 1', matches: (d: Date) => d.getUTCHours() === 3 && d.getUTCMinutes() === 0 && (d.getUTCDate() <= 7 || d.getUTCDay() === 1) },
    { name: 'continuousDeltaSync', title: 'Continuous Delta Sync', cron: '*/5 * * * *', matches: (d: Date) => d.getUTCMinutes() % 5 === 0 },
    { name: 'quarterlyAuditExport', title: 'Quarterly Audit Export', cron: '0 1 1 1,4,7,10 *', matches: (d: Date) => [0, 3, 6, 9].includes(d.getUTCMonth()) && d.getUTCDate() === 1 && d.getUTCHours() === 1 && d.getUTCMinutes() === 0 },
  ] as const;

  for (const ex of custom) {
    it(`Custom — ${ex.title}: a Unix cron in UTC, served back as sent`, async () => {
      const before = Date.now();
      const body = await createFromSeed(sked, ex.name);
      expectDetailShape(body);
      expect(body).toMatchObject({ name: ex.title, triggerType: 'Cron', patternType: 'Custom', cronExpression: ex.cron, ...NO_PATTERN, isEnabled: true, stepCount: 0 });
      const job = await nativeJob(body.id);
      expect(job.schedule).toEqual({ type: 'cron', expression: ex.cron, dialect: 'unix', timeZone: 'UTC' });
      expect(body.nextRunTime).toBe(nextMinute(before, ex.matches));
    });
  }

  it('"0 3 1-7 * 1" keeps cron\'s day rule (days 1–7 OR Mondays), as NCrontab and Vixie cron read it', async () => {
    const body = await createFromSeed(sked, 'monthlyFullImport');
    const fires = await sked().app.inject({ method: 'GET', url: `/api/v1/jobs/${body.id}/fires` });
    const next = fires.json().next.map((f: { scheduledFor: string }) => new Date(f.scheduledFor));
    expect(next.length).toBeGreaterThan(5);
    for (const d of next) expect(d.getUTCDate() <= 7 || d.getUTCDay() === 1).toBe(true);
    expect(next.some((d: Date) => d.getUTCDate() > 7)).toBe(true);
  });

  it('Sequential steps: three RunProfile steps become dispatch steps, one per stepIndex', async () => {
    const body = await createFromSeed(sked, 'fullPipeline');
    expectDetailShape(body);
    expect(body).toMatchObject({ name: 'Full Pipeline', triggerType: 'Manual', isEnabled: false, stepCount: 3 });
    expect(body.steps.map((s: any) => [s.stepIndex, s.stepType, s.executionMode, s.connectedSystemId, s.runProfileId])).toEqual([
      [0, 'RunProfile', 'Sequential', 1, 1],
      [1, 'RunProfile', 'Sequential', 1, 2],
      [2, 'RunProfile', 'Sequential', 1, 3],
    ]);
    for (const s of body.steps) {
      expect(s).toEqual({ ...s, id: expect.stringMatching(GUID), name: null, continueOnFailure: false, timeoutSeconds: null, scriptPath: null, arguments: null, executablePath: null, workingDirectory: null, sqlConnectionString: null, sqlScriptPath: null });
    }
    expect(new Set(body.steps.map((s: any) => s.id)).size).toBe(3);
    const job = await nativeJob(body.id);
    expect(job.steps).toEqual(
      body.steps.map((s: any) => ({ stepIndex: s.stepIndex, type: 'dispatch', surface: 'jim', action: { stepType: 'RunProfile', stepId: s.id, connectedSystemId: 1, runProfileId: s.runProfileId } })),
    );
  });

  it('Parallel steps: equal stepIndex share a group; ParallelWithPrevious is served back as sent', async () => {
    const body = await createFromSeed(sked, 'multiSystemSync');
    expect(body.stepCount).toBe(5);
    expect(body.steps.map((s: any) => [s.stepIndex, s.executionMode, s.connectedSystemId, s.runProfileId])).toEqual([
      [0, 'Sequential', 1, 1],
      [0, 'ParallelWithPrevious', 2, 3],
      [1, 'Sequential', 1, 2],
      [1, 'ParallelWithPrevious', 2, 4],
      [2, 'Sequential', 1, 5],
    ]);
    const job = await nativeJob(body.id);
    expect(job.steps.map((s: any) => s.stepIndex)).toEqual([0, 0, 1, 1, 2]);
  });

  it('Mixed step types: PowerShell through pwsh with timeouts, arguments split, continueOnFailure', async () => {
    const body = await createFromSeed(sked, 'mixedStepTypes');
    expect(body.stepCount).toBe(4);
    const [pre, import1, sync, post] = body.steps;
    expect(pre).toMatchObject({ stepIndex: 0, stepType: 'PowerShell', name: 'Pre-import validation', scriptPath: '/opt/jim/scripts/validate-source.ps1', arguments: null, timeoutSeconds: 300, continueOnFailure: false, executionMode: 'Sequential' });
    expect(import1).toMatchObject({ stepIndex: 1, stepType: 'RunProfile', connectedSystemId: 1, runProfileId: 1 });
    expect(sync).toMatchObject({ stepIndex: 2, stepType: 'RunProfile', connectedSystemId: 1, runProfileId: 2 });
    expect(post).toMatchObject({ stepIndex: 3, stepType: 'PowerShell', name: 'Post-sync notifications', scriptPath: '/opt/jim/scripts/send-report.ps1', arguments: '-ReportType Summary -SendEmail', continueOnFailure: true, timeoutSeconds: 120 });
    const job = await nativeJob(body.id);
    expect(job.steps[0]).toEqual({ stepIndex: 0, name: 'Pre-import validation', timeout: 'PT300S', type: 'exec', command: 'pwsh', args: ['-NoProfile', '-NonInteractive', '-File', '/opt/jim/scripts/validate-source.ps1'] });
    expect(job.steps[3]).toEqual({ stepIndex: 3, name: 'Post-sync notifications', continueOnFailure: true, timeout: 'PT120S', type: 'exec', command: 'pwsh', args: ['-NoProfile', '-NonInteractive', '-File', '/opt/jim/scripts/send-report.ps1', '-ReportType', 'Summary', '-SendEmail'] });
  });

  it('every example lists back through GET /api/v1/schedules (as Get-JIMSchedule reads .items with pageSize=100)', async () => {
    const ids: string[] = [];
    for (const name of Object.keys(SEED_CURL) as (keyof typeof SEED_CURL)[]) ids.push((await createFromSeed(sked, name)).id);
    const res = await jim.get('/api/v1/schedules?pageSize=100');
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(Object.keys(page)).toEqual(['items', 'totalCount', 'page', 'pageSize', 'totalPages', 'hasNextPage', 'hasPreviousPage']);
    expect(page).toMatchObject({ totalCount: 13, page: 1, pageSize: 100, totalPages: 1, hasNextPage: false, hasPreviousPage: false });
    expect(page.items.map((s: any) => s.id).sort()).toEqual([...ids].sort());
    // Default order: by name; list items are ScheduleDto (no steps).
    expect(page.items.map((s: any) => s.name)).toEqual([...page.items.map((s: any) => s.name)].sort((a: string, b: string) => a.localeCompare(b)));
    for (const item of page.items) expect(Object.keys(item)).toEqual(DETAIL_KEYS.filter((k) => k !== 'steps'));
  });
});
