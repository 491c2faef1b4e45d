/**
 * End-to-end: the dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
 * against a real listening sked (SQLite file, real engine and executor) serving the built app from
 * web/dist. A person's path through it: sign in (a wrong key first), create a job with the editor and
 * watch its preview (an error naming its field, a DST-shifted fire, every schedule kind answered, the
 * description), trigger it and watch the run appear and finish without a reload, open a run and read
 * its output live and final, edit the job, pause it by keyboard with a reason and an until, filter and
 * bulk-resume on the jobs page, see the cluster page (standby and start), delete a job after
 * confirming, read ran and skipped fires on a job's timeline, switch to dark, read every page on a
 * phone, sign out; then a viewer's key is refused an action and, once revoked, sent back to sign-in
 * with a 401 message. Screenshots of each page go to test-results/dashboard/; with SKED_SCREENSHOTS=1
 * the jobs page (light and dark), the run page (live and final) and the cluster page are copied to
 * docs/screenshots/ for the README. Any console error (a CSP violation included) fails the test.
 *
 * Steps of the job wait for a release file per run (`release-<run id>`), so "running" is observed for
 * sure and nothing depends on timing.
 */

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { TEST_KEY, testSked, type TestSked } from '../../support/app-harness.js';
import { REPO_ROOT, waitFor } from '../../support/process.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = join(REPO_ROOT, 'test-results', 'dashboard');
const README_SHOTS = join(REPO_ROOT, 'docs', 'screenshots');
const JOB_ID = 'hello-dashboard';

let sked: TestSked;
let base = '';
let browser: Browser;
let context: BrowserContext;
let page: Page;
let releaseDir = '';
const problems: string[] = [];

async function call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${TEST_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Polls until the expectation holds (generous: a loaded 2-core machine is slow). */
const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 20_000, interval: 100 });

/** A screenshot of the page from its top, without the transient notices (and sticky bars in place). */
async function shot(name: string, fullPage = true): Promise<string> {
  const file = join(SHOTS, `${name}.png`);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({
    path: file,
    fullPage,
    style: '.notices { display: none !important; } .topbar, .sticky-actions { position: static !important; }',
  });
  return file;
}

/** A few jobs of different kinds and states, so the pages look like a scheduler in use. */
async function seedJobs(): Promise<void> {
  const jobs = [
    {
      id: 'nightly-report',
      name: 'Nightly report',
      schedule: { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'Europe/London' },
      steps: [
        { stepIndex: 0, name: 'export', type: 'exec', command: '/bin/echo', args: ['exported 1204 rows'] },
      ],
    },
    {
      id: 'invoice-sync',
      name: 'Invoice sync',
      schedule: {
        type: 'window',
        daysOfWeek: [1, 2, 3, 4, 5],
        every: 'PT30M',
        from: '08:00',
        to: '18:00',
        timeZone: 'America/New_York',
      },
      steps: [{ stepIndex: 0, type: 'shell', script: 'echo syncing; exit 3' }],
    },
    {
      id: 'month-end',
      name: 'Month-end close',
      schedule: {
        type: 'recurrence',
        frequency: 'month',
        interval: 1,
        schedule: { monthDays: [-1], hours: [23], minutes: [0] },
        timeZone: 'Europe/Berlin',
        startAt: '2026-01-01T00:00:00.000Z',
      },
      steps: [{ stepIndex: 0, type: 'noop' }],
    },
    {
      id: 'standup-reminder',
      name: 'Stand-up reminder',
      schedule: {
        type: 'daily',
        times: ['09:15'],
        daysOfWeek: [1, 2, 3, 4, 5],
        timeZone: 'Australia/Sydney',
      },
      steps: [{ stepIndex: 0, type: 'noop' }],
    },
    {
      id: 'cache-warm',
      name: 'Cache warm-up',
      schedule: { type: 'interval', every: 'PT6H' },
      steps: [{ stepIndex: 0, type: 'noop' }],
    },
    {
      id: 'backfill',
      name: 'Backfill (manual)',
      schedule: { type: 'manual' },
      steps: [{ stepIndex: 0, type: 'noop' }],
    },
    {
      // Three fires a second apart while the first run takes 2.5 s: the other two are skipped.
      id: 'burst',
      name: 'Burst (overlap skip)',
      schedule: {
        type: 'interval',
        every: 'PT1S',
        startAt: new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toISOString(),
        repeatCount: 2,
      },
      overlap: 'skip',
      steps: [{ stepIndex: 0, type: 'shell', script: 'sleep 2.5' }],
    },
    {
      id: 'warm-up-once',
      name: 'One-off warm-up',
      schedule: { type: 'once', at: new Date(Date.now() + 1500).toISOString() },
      steps: [{ stepIndex: 0, type: 'noop' }],
    },
  ];
  for (const { id, ...job } of jobs) await call('PUT', `/api/v1/jobs/${id}`, job);
  await call('POST', '/api/v1/jobs/backfill/pause', { reason: 'waiting for the data fix' });
  const runs = [
    (await call<{ runId: string }>('POST', '/api/v1/jobs/nightly-report/trigger', {})).runId,
    (await call<{ runId: string }>('POST', '/api/v1/jobs/invoice-sync/trigger', {})).runId,
    (await call<{ runId: string }>('POST', '/api/v1/jobs/cache-warm/trigger', {})).runId,
  ];
  await waitFor('the seeded runs to finish', async () => {
    const states = await Promise.all(runs.map((id) => call<{ status: string }>('GET', `/api/v1/runs/${id}`)));
    return states.every((r) => !['queued', 'running'].includes(r.status));
  });
  await waitFor(
    'the one-off job to fire',
    async () => (await call('GET', '/api/v1/jobs/warm-up-once/fires')).items.length > 0,
  );
  await waitFor('the burst job to run once and skip twice', async () => {
    const fires = (await call<{ items: { outcome: string }[] }>('GET', '/api/v1/jobs/burst/fires')).items;
    return (
      fires.filter((f) => f.outcome === 'skipped').length === 2 && fires.some((f) => f.outcome === 'run')
    );
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the dashboard tests need Debian's chromium package (apt-get install -y chromium; .ci/run installs it)`,
    );
  }
  if (!existsSync(join(REPO_ROOT, 'web', 'dist', 'index.html'))) {
    throw new Error(
      "web/dist/index.html is missing: run 'npm run build' first (it builds the dashboard with vite; npm test does)",
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  releaseDir = mkdtempSync(join(tmpdir(), 'sked-dashboard-'));
  sked = await testSked({});
  base = await sked.app.listen({ host: '127.0.0.1', port: 0 });
  await seedJobs();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 60_000,
  });
  context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    timezoneId: 'America/New_York',
    locale: 'en-US',
    colorScheme: 'light',
  });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('console', (m) => {
    // A CSP violation is reported on the console as an error; so is any script error. The refusals the
    // test provokes (an invalid job, a wrong key, a viewer's action, a revoked key) are logged by Chromium too.
    if (m.type() === 'error' && !/status of 40[013] \((Bad Request|Unauthorized|Forbidden)\)/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  // Chromium's speculative connections (never a request on them) are closed by the app itself on close.
  await sked?.close();
  if (releaseDir) rmSync(releaseDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('serves the app with a strict CSP and long-cached assets, and index.html at client routes', async () => {
    const res = await fetch(`${base}/jobs/anything/edit`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const js = await fetch(base + asset!);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect((await js.text()).length).toBeGreaterThan(1000);
    const outside = await fetch(`${base}/assets/..%2F..%2Fpackage.json`);
    expect(outside.status).toBe(404);
    await outside.text();
    const api = await fetch(`${base}/api/v1/jobs`);
    expect(api.status).toBe(401); // the API still needs a key
    await api.text();
  });

  it('signs in, creates a job with the editor, runs it live, pauses it, and shows the cluster', async () => {
    onTestFailed(async () => {
      await shot('failure').catch(() => undefined);
    });
    // --- sign in: a wrong key first -------------------------------------------------------------
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill('sked_00000000_not-a-valid-key-at-all-xxxxxxxx');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.getByRole('alert').textContent()).toMatch(/401/);
    await page.getByLabel('API key').fill(TEST_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await page.evaluate('sessionStorage.getItem("sked.apiKey")')).toBe(TEST_KEY);
    expect(page.url()).not.toContain(TEST_KEY);
    await page.locator('[data-live="live"]').waitFor();
    await page.locator('tr[data-job-id="nightly-report"] .badge-succeeded').waitFor();

    // --- create a job with the editor, watching the preview -------------------------------------
    await page.getByRole('link', { name: '+ New job' }).click();
    await page.getByRole('heading', { name: 'New job' }).waitFor();
    const basics = page.locator('section[aria-labelledby="basics-title"]');
    // Saving without a name: the server's error is shown on the field it names.
    await page.getByRole('button', { name: 'Create job' }).click();
    await basics.locator('.field.has-error .field-error').first().waitFor();
    expect(await basics.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await basics.getByLabel('Name', { exact: true }).fill('Hello dashboard');
    await basics.getByLabel('Id (optional)').fill(JOB_ID);
    const preview = page.locator('[data-testid="preview-status"]');

    // A DST change inside the preview: daily 02:30 in New York from 2035-03-05 meets the 2035-03-11 gap.
    await page.getByRole('radio', { name: 'Daily' }).check();
    await page.getByLabel('Times of day').fill('02:30');
    await page.getByLabel('Time zone').fill('America/New_York');
    await page.locator('details.bounds > summary').click();
    await page.getByLabel('Start at').fill('2035-03-05T00:00:00');
    await page.locator('.preview tr[data-dst="shifted"]').waitFor();
    expect(await page.locator('.preview tr[data-dst="shifted"]').first().textContent()).toContain(
      '2035-03-11 03:30',
    );
    await page.getByLabel('Start at').fill('');

    // Every kind has its fields and a live preview. The type line of the preview says which kind it answered.
    const answered = async (type: string, fires: number | 'some'): Promise<void> => {
      await poll(() => preview.locator('.preview-type').textContent()).toMatch(new RegExp(`^${type}\\b`));
      await preview.locator('[data-valid="true"]').waitFor();
      const rows = page.locator('.schedule-editor .preview table.fires tbody tr');
      if (fires === 'some') await poll(() => rows.count()).toBeGreaterThan(0);
      else await poll(() => rows.count()).toBe(fires);
    };
    await page.getByRole('radio', { name: 'Interval' }).check();
    await page.getByLabel('Every').fill('PT2H');
    await answered('interval', 10);
    // A repeat count needs a start: the error opens the folded bounds and marks the field.
    await page.getByLabel('Repeat count').fill('3');
    await preview.locator('[data-valid="false"]').waitFor();
    expect(await page.locator('details.bounds').getAttribute('open')).not.toBeNull();
    await poll(() => page.getByLabel('Start at').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Start at').fill('2035-01-01T00:00:00');
    await answered('interval', 4);
    await page.getByLabel('Start at').fill('');
    await page.getByRole('radio', { name: 'Once' }).check();
    await answered('once', 1);
    await page.getByRole('radio', { name: 'Window' }).check();
    await page.getByLabel('From').fill('09:00');
    await answered('window', 10);
    expect(await preview.locator('.preview-description').textContent()).toMatch(/09:00/);
    await page.getByRole('radio', { name: 'Recurrence' }).check();
    await page.getByRole('group', { name: 'Week days' }).waitFor(); // the default is weekly
    await page.getByLabel('Frequency').selectOption('month'); // week days go, month days come
    expect(await page.getByRole('group', { name: 'Week days' }).count()).toBe(0);
    await page.getByLabel('Month days').fill('1, -1');
    await answered('recurrence', 10);
    await page.getByRole('radio', { name: 'Manual' }).check();
    await answered('manual', 0);
    await preview
      .getByText(/No upcoming fire times|only when triggered/i)
      .first()
      .waitFor();

    // Back to cron: an invalid expression names its field, a valid one is described in words.
    await page.getByRole('radio', { name: 'Cron' }).check();
    const expression = page.getByLabel('Cron expression');
    await expression.fill('0 61 * * *');
    await preview.locator('[data-valid="false"]').waitFor();
    await poll(() => preview.textContent()).toMatch(/hours/);
    await expression.fill('0 30 2 29 2 ?');
    await page.getByLabel('Time zone').fill('Europe/London');
    await preview.locator('[data-valid="true"]').waitFor();
    await poll(() => preview.locator('.preview-description').textContent()).toMatch(/February/i);
    await poll(() => page.locator('.preview table.fires tbody tr').count()).toBe(10);

    // Steps: a shell step that waits for its run's release file, a parallel noop, then an exec step.
    const first = page.locator('.step-card').nth(0);
    await first.getByLabel('Name').fill('work');
    await first
      .getByLabel('Script')
      .fill(
        `echo "step started for $SKED_RUN_ID with $SKED_PAYLOAD"; i=0; while [ ! -f "${releaseDir}/release-$SKED_RUN_ID" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; echo "step released"`,
      );
    await page.getByRole('button', { name: '+ Add step' }).click();
    const second = page.locator('.step-card').nth(1);
    await second.getByLabel('Type').selectOption('noop');
    await second.getByLabel('Step index').fill('0');
    await second.getByLabel('Name').fill('alongside');
    await page.getByRole('button', { name: '+ Add step' }).click();
    const third = page.locator('.step-card').nth(2);
    await third.getByLabel('Type').selectOption('exec');
    await third.getByLabel('Step index').fill('1');
    await third.getByLabel('Name').fill('report');
    await third.getByLabel('Command').fill('/bin/echo');
    await third.getByLabel('Arguments').fill('all done');
    await shot('editor');
    await page.getByRole('button', { name: 'Create job' }).click();

    // --- the job page: next 20 fire times, then a run appearing and finishing live ----------------
    await page.waitForURL(`**/jobs/${JOB_ID}`);
    await page.getByRole('heading', { name: /Hello dashboard/ }).waitFor();
    await poll(() => page.locator('.preview table.fires tbody tr').count()).toBe(20);
    await page.evaluate('window.__sameDocument = true');

    const trigger = async (payload: string): Promise<string> => {
      const before = new Set(
        await page
          .locator('.runs-table tr[data-run-id]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id'))),
      );
      await page.getByRole('button', { name: 'Trigger…' }).click();
      await page.getByLabel('Payload (JSON, optional)').fill(payload);
      await page.getByRole('button', { name: 'Run now' }).click();
      const row = page.locator('.runs-table tr[data-status="running"]').first();
      await row.waitFor();
      const id = await row.getAttribute('data-run-id');
      expect(id && !before.has(id)).toBeTruthy();
      return id!;
    };

    const run1 = await trigger('{"greeting": "first"}');
    writeFileSync(join(releaseDir, `release-${run1}`), '');
    await page.locator(`.runs-table tr[data-run-id="${run1}"][data-status="succeeded"]`).waitFor();
    await page.locator('.run-chart rect.bar-succeeded').first().waitFor();

    // --- a second run, followed on its page: live output, then the final output -----------------
    const run2 = await trigger('{"greeting": "second"}');
    await page.locator(`.runs-table tr[data-run-id="${run2}"] a`).first().click();
    await page.waitForURL(`**/runs/${run2}`);
    await page.locator('[data-testid="output-live"]').waitFor();
    await poll(() => page.locator('[data-testid="run-output"]').textContent()).toContain(
      `step started for ${run2}`,
    );
    await page.locator('.step-cell[data-step-status="running"]').first().waitFor();
    await shot('run-live');
    writeFileSync(join(releaseDir, `release-${run2}`), '');
    await page.locator('h1 .badge-succeeded').waitFor();
    await page.locator('[data-testid="output-final"]').waitFor();
    await poll(() => page.locator('[data-testid="run-output"]').textContent()).toMatch(
      /step released[\s\S]*all done/,
    );
    await poll(() => page.locator('.step-cell[data-step-status="succeeded"]').count()).toBe(3);
    expect(await page.evaluate('window.__sameDocument')).toBe(true); // no reload anywhere so far
    const runShot = await shot('run');

    // --- pause with a reason ----------------------------------------------------------------------
    await page.getByRole('link', { name: 'Hello dashboard' }).click();
    await page.waitForURL(`**/jobs/${JOB_ID}`);
    await page.locator(`.runs-table tr[data-run-id="${run2}"][data-status="succeeded"]`).waitFor();
    await shot('job');

    // --- edit: the editor opens on the job as it is and saves it back (PUT with If-Match) -----------
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByRole('heading', { name: 'Edit Hello dashboard' }).waitFor();
    expect(await page.getByLabel('Cron expression').inputValue()).toBe('0 30 2 29 2 ?');
    await page
      .locator('section[aria-labelledby="basics-title"]')
      .getByLabel('Description')
      .fill('Edited in the dashboard');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`**/jobs/${JOB_ID}`);
    await page.getByText('Edited in the dashboard').first().waitFor();
    const edited = await call('GET', `/api/v1/jobs/${JOB_ID}`);
    expect(edited.description).toBe('Edited in the dashboard');
    expect(edited.steps).toHaveLength(3);
    // Only what the viewer chose: no bound left over from the kinds tried on the way (a recurrence's start).
    expect(edited.schedule).toEqual({
      type: 'cron',
      expression: '0 30 2 29 2 ?',
      dialect: 'auto',
      timeZone: 'Europe/London',
    });

    // Pause by keyboard: Enter opens the dialog with focus inside, Escape closes it and focus goes back;
    // then a reason typed and an until, and Enter in the form submits it.
    const pauseButton = page.getByRole('button', { name: 'Pause…' });
    await pauseButton.focus();
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe(
      'pause-reason',
    );
    await page.keyboard.press('Escape');
    await poll(() => pauseButton.evaluate((b) => b === b.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe(
      'pause-reason',
    );
    await page.keyboard.type('maintenance window');
    await page.getByLabel('Until (optional)').fill('2099-01-01T08:00');
    await page.getByLabel('Reason (optional)').press('Enter');
    await page.locator('h1 .badge-paused').waitFor();
    const pauseInfo = await page.locator('[data-testid="pause-info"]').textContent();
    expect(pauseInfo).toContain('maintenance window');
    expect(pauseInfo).toMatch(/until Jan 1, 2099/);
    const paused = await call('GET', `/api/v1/jobs/${JOB_ID}`);
    expect(paused.state).toBe('paused');
    expect(paused.pause.until).toBe('2099-01-01T13:00:00.000Z'); // 08:00 in New York, the viewer's zone

    // --- jobs page: filter, search, bulk resume (live) --------------------------------------------
    await nav.getByRole('link', { name: 'Jobs' }).click();
    const row = page.locator(`tr[data-job-id="${JOB_ID}"]`);
    await row.locator('.badge-paused').waitFor();
    await page.getByLabel('State').selectOption('paused');
    await poll(() => page.locator('tbody tr[data-job-id]').count()).toBe(2); // this job and the seeded backfill
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Search by name').fill('hello');
    await poll(() => page.locator('tbody tr[data-job-id]').count()).toBe(1);
    await page.getByLabel('Search by name').fill('');
    await poll(() => page.locator('tbody tr[data-job-id]').count()).toBe(9);
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Resume selected' }).click();
    await row.locator('.badge-enabled').waitFor();
    await call('POST', `/api/v1/jobs/${JOB_ID}/pause`, { reason: 'paused from the API' }); // seen live
    await row.locator('.badge-paused').waitFor();
    const jobsShot = await shot('jobs');

    // --- cluster page -----------------------------------------------------------------------------
    await nav.getByRole('link', { name: 'Cluster' }).click();
    await page.locator('tr[data-node-id="test-node"]').waitFor();
    await page.locator('[data-testid="scheduler-state"] .badge-started').waitFor();
    await page.getByRole('heading', { name: /Waiting triggers/ }).waitFor();
    await shot('cluster');
    await page.getByRole('button', { name: 'Standby (stop firing)' }).click();
    await page.locator('[data-testid="scheduler-state"] .badge-standby').waitFor();
    await page.getByRole('button', { name: 'Start scheduler' }).click();
    await page.locator('[data-testid="scheduler-state"] .badge-started').waitFor();

    // --- delete, after confirming -------------------------------------------------------------------
    await page.goto(`${base}/jobs/cache-warm`);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.waitForURL('**/jobs');
    await poll(() => page.locator('tbody tr[data-job-id]').count()).toBe(8);
    const gone = await fetch(`${base}/api/v1/jobs/cache-warm`, {
      headers: { authorization: `Bearer ${TEST_KEY}` },
    });
    expect(gone.status).toBe(404);
    await gone.text();

    // --- a fire in the ledger, on the job's timeline ------------------------------------------------
    await page.goto(`${base}/jobs/warm-up-once`);
    await page.locator('.timeline [data-outcome="run"]').waitFor();
    await page.goto(`${base}/jobs/burst`);
    await page.locator('.timeline [data-outcome="run"]').waitFor();
    await poll(() => page.locator('.timeline [data-outcome="skipped"]').count()).toBe(2);
    expect(await page.locator('.timeline [data-outcome="skipped"]').first().textContent()).toContain(
      'skipped',
    );
    await shot('job-timeline');

    // --- dark, phone, keyboard, sign-out ----------------------------------------------------------
    await nav.getByRole('link', { name: 'Jobs' }).click();
    await row.waitFor();
    await page.getByRole('button', { name: /Theme: system/ }).click(); // → light
    await page.getByRole('button', { name: /Theme: light/ }).click(); // → dark
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await shot('jobs-dark', false);
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('jobs-phone', false);
    const fits = (): Promise<unknown> =>
      page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1');
    expect(await fits()).toBe(true);
    // Every other page fits a phone's width too (wide tables scroll inside their own box).
    for (const [name, path, ready] of [
      ['job-phone', `/jobs/${JOB_ID}`, '.preview table.fires'],
      ['run-phone', `/runs/${run2}`, '[data-testid="output-final"]'],
      ['cluster-phone', '/cluster', 'tr[data-node-id="test-node"]'],
      ['editor-phone', '/jobs/new', '.preview [data-valid="true"]'],
    ] as const) {
      await page.goto(base + path);
      await page.locator(ready).first().waitFor();
      await shot(name, false);
      expect({ name, fits: await fits() }).toEqual({ name, fits: true });
    }
    await page.goto(`${base}/jobs`);
    await row.waitFor();
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: /Theme: dark/ }).click(); // back to the system's
    await page.goto(`${base}/jobs`); // still signed in (the key is in this tab's session storage)
    await row.waitFor();
    await page.keyboard.press('Tab'); // the first stop is the skip link
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe(
      'Skip to content',
    );

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("sked.apiKey")')).toBeNull();

    // --- a viewer's key: actions it may not take are refused with a message; revoked, it signs out --
    const viewer = await call<{ key: string; id: string }>('POST', '/api/v1/keys', {
      name: 'dashboard viewer',
      role: 'viewer',
    });
    await page.getByLabel('API key').fill(viewer.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await row.waitFor();
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Resume selected' }).click();
    await page.locator('.notice-error').waitFor();
    await call('DELETE', `/api/v1/keys/${viewer.id}`);
    await nav.getByRole('link', { name: 'Cluster' }).click();
    await poll(() => page.getByRole('alert').textContent()).toMatch(/401/);
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("sked.apiKey")')).toBeNull();

    expect(problems).toEqual([]);
    if (process.env['SKED_SCREENSHOTS'] === '1') {
      mkdirSync(README_SHOTS, { recursive: true });
      copyFileSync(jobsShot, join(README_SHOTS, 'jobs.png'));
      copyFileSync(runShot, join(README_SHOTS, 'run.png'));
      copyFileSync(join(SHOTS, 'cluster.png'), join(README_SHOTS, 'cluster.png'));
      copyFileSync(join(SHOTS, 'run-live.png'), join(README_SHOTS, 'run-live.png'));
      copyFileSync(join(SHOTS, 'jobs-dark.png'), join(README_SHOTS, 'jobs-dark.png'));
    }
  }, 120_000);
});
