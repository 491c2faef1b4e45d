/**
 * `sked jobs ...` and `sked status` through the built binary, against a real `sked server` process on
 * a temp SQLite file: apply (create, replace, arrays, stdin, invalid input), ls, get, pause/resume,
 * rm, and the exit codes of `sked --help`.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/process.js';
import { useCliServer } from './cli-harness.js';

const srv = useCliServer('cli-jobs');

const echoJob = (id: string, name: string, words: string[]) => ({
  id,
  name,
  schedule: { type: 'manual' },
  steps: [{ stepIndex: 0, name: 'say', type: 'exec', command: '/bin/echo', args: words }],
});

describe('sked jobs apply', () => {
  it('creates a job from a file, then replaces it (version 2)', async () => {
    const path = srv.file('hello.json', echoJob('hello', 'Hello', ['hello']));
    const created = await srv.sked(['jobs', 'apply', '-f', path]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe('created hello (version 1)\n');

    srv.file('hello.json', echoJob('hello', 'Hello again', ['hello', 'again']));
    const replaced = await srv.sked(['jobs', 'apply', '-f', path]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toBe('replaced hello (version 2)\n');

    const job = await srv.api('GET', '/api/v1/jobs/hello');
    expect(job).toMatchObject({
      id: 'hello',
      name: 'Hello again',
      version: 2,
      steps: [{ args: ['hello', 'again'] }],
    });
  });

  it('applies an array; a job without id is POSTed and gets a generated id', async () => {
    const path = srv.file('many.json', [
      {
        id: 'nightly',
        name: 'Nightly',
        schedule: { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'Europe/London' },
        steps: [],
      },
      { name: 'Anonymous', schedule: { type: 'interval', every: 'PT1H' }, labels: { team: 'cli' } },
    ]);
    const r = await srv.sked(['jobs', 'apply', '-f', path]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('created nightly (version 1)');
    const generated = /^created (\S+) \(version 1\)$/.exec(lines[1] as string)?.[1];
    expect(generated).toBeDefined();
    expect(generated).not.toBe('Anonymous');
    const job = await srv.api('GET', `/api/v1/jobs/${generated}`);
    expect(job).toMatchObject({
      name: 'Anonymous',
      labels: { team: 'cli' },
      schedule: { type: 'interval', every: 'PT1H' },
    });
  });

  it('reads stdin with -f - and prints JSON with --json', async () => {
    const r = await srv.sked(['--json', 'jobs', 'apply', '-f', '-'], {
      input: JSON.stringify(echoJob('from-stdin', 'From stdin', ['x'])),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'from-stdin', version: 1, state: 'enabled' });
  });

  it('an invalid job exits 2 and names the field on stderr; nothing is written', async () => {
    const [unknown, badCron, noName] = await Promise.all([
      srv.sked([
        'jobs',
        'apply',
        '-f',
        srv.file('typo.json', {
          id: 'typo',
          name: 'Typo',
          schedule: { type: 'cron', expression: '0 0 * * * ?', timezone: 'UTC' },
        }),
      ]),
      srv.sked([
        'jobs',
        'apply',
        '-f',
        srv.file('bad-cron.json', {
          id: 'bad-cron',
          name: 'Bad',
          schedule: { type: 'cron', expression: '0 61 * * * ?' },
        }),
      ]),
      srv.sked([
        'jobs',
        'apply',
        '-f',
        srv.file('no-name.json', { id: 'no-name', schedule: { type: 'manual' } }),
      ]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('/schedule/timezone');
    expect(badCron.code).toBe(2);
    expect(badCron.stderr).toContain('/schedule/expression');
    expect(badCron.stderr).toMatch(/61/);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/name/);

    const gets = await Promise.all(
      ['typo', 'bad-cron', 'no-name'].map((id) => srv.sked(['jobs', 'get', id])),
    );
    expect(gets.map((g) => g.code)).toEqual([3, 3, 3]);
  });

  it('a file that is not JSON, or missing, exits 2 naming the file', async () => {
    const [broken, missing, noFlag] = await Promise.all([
      srv.sked(['jobs', 'apply', '-f', srv.file('broken.json', '{"id": ')]),
      srv.sked(['jobs', 'apply', '-f', join(srv.dir, 'nope.json')]),
      srv.sked(['jobs', 'apply']),
    ]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json');
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toMatch(/--file/);
  });
});

describe('sked jobs ls and get', () => {
  it('ls prints a table with headers and one row per job', async () => {
    const r = await srv.sked(['jobs', 'ls']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual([
      'ID',
      'NAME',
      'STATE',
      'SCHEDULE',
      'NEXT FIRE',
      'LAST RUN',
      'RUNS',
    ]);
    const hello = rows.find((l) => l.startsWith('hello '));
    expect(hello).toBeDefined();
    expect(hello).toMatch(/hello\s+Hello again\s+enabled\s+manual/);
    const nightly = rows.find((l) => l.startsWith('nightly '));
    expect(nightly).toMatch(/cron 0 30 2 \* \* \? Europe\/London\s+in \d+[smhd]/);
  });

  it('ls --json is parseable and filters', async () => {
    const [all, labelledOut, paged] = await Promise.all([
      srv.sked(['--json', 'jobs', 'ls']),
      srv.sked(['--json', 'jobs', 'ls', '--label', 'team:cli']),
      srv.sked(['jobs', 'ls', '--limit', '1']),
    ]);
    expect(all.code).toBe(0);
    const page = JSON.parse(all.stdout) as { items: { id: string }[]; pagination: { total: number } };
    expect(page.items.map((j) => j.id)).toEqual(expect.arrayContaining(['hello', 'nightly', 'from-stdin']));
    expect(page.pagination.total).toBe(page.items.length);
    const labelled = JSON.parse(labelledOut.stdout) as { items: { name: string }[] };
    expect(labelled.items.map((j) => j.name)).toEqual(['Anonymous']);
    expect(paged.code).toBe(0);
    expect(paged.stdout).toMatch(/\(1 of \d+; use --limit\/--offset\)/);
  });

  it('get prints the job as JSON; an unknown id exits 3', async () => {
    const r = await srv.sked(['jobs', 'get', 'nightly']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      id: 'nightly',
      schedule: { expression: '0 30 2 * * ?' },
      state: 'enabled',
    });
    const missing = await srv.sked(['jobs', 'get', 'no-such-job']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no-such-job');
  });
});

describe('sked jobs pause and resume', () => {
  it('pause --reason --until shows in the job; it resumes by itself at until', async () => {
    // far enough ahead that the checks below (a CLI start each) finish while it is still paused
    const until = new Date(Date.now() + 8000).toISOString();
    const r = await srv.sked(['jobs', 'pause', 'nightly', '--reason', 'db maintenance', '--until', until]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('paused nightly\n');
    const [got, list] = await Promise.all([
      srv.sked(['jobs', 'get', 'nightly']),
      srv.sked(['--json', 'jobs', 'ls', '--state', 'paused']),
    ]);
    expect(Date.now()).toBeLessThan(Date.parse(until)); // else the checks raced the auto-resume
    const job = JSON.parse(got.stdout);
    expect(job.state).toBe('paused');
    expect(job.pause).toMatchObject({ reason: 'db maintenance', until });
    expect((JSON.parse(list.stdout) as { items: { id: string }[] }).items.map((j) => j.id)).toEqual([
      'nightly',
    ]);

    await waitFor(
      'nightly to resume at its until',
      async () => (await srv.api('GET', '/api/v1/jobs/nightly')).state === 'enabled',
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
  }, 60_000);

  it('resume prints the next fire and clears the pause', async () => {
    expect((await srv.sked(['jobs', 'pause', 'nightly'])).code).toBe(0);
    const r = await srv.sked(['jobs', 'resume', 'nightly']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^resumed nightly; next fire \d{4}-\d\d-\d\dT/);
    expect(JSON.parse((await srv.sked(['jobs', 'get', 'nightly'])).stdout)).toMatchObject({
      state: 'enabled',
      pause: null,
    });
  });

  it('a bad --until exits 2 naming the field; an unknown job exits 3', async () => {
    const [bad, pauseGhost, resumeGhost] = await Promise.all([
      srv.sked(['jobs', 'pause', 'nightly', '--until', 'tomorrow']),
      srv.sked(['jobs', 'pause', 'ghost']),
      srv.sked(['jobs', 'resume', 'ghost']),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('until');
    expect(pauseGhost.code).toBe(3);
    expect(resumeGhost.code).toBe(3);
  });
});

describe('sked status', () => {
  it('status shows the scheduler state and counts (table and JSON)', async () => {
    const r = await srv.sked(['status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^scheduler started \(node cli-jobs, 1 node\)\n/);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]?.split(/\s+/)).toEqual(
      expect.arrayContaining(['JOBS', 'ENABLED', 'PAUSED', 'RUNNING', 'QUEUED']),
    );
    const [statusOut, listOut] = await Promise.all([
      srv.sked(['--json', 'status']),
      srv.sked(['--json', 'jobs', 'ls']),
    ]);
    const json = JSON.parse(statusOut.stdout);
    const total = JSON.parse(listOut.stdout).pagination.total;
    expect(json).toMatchObject({ state: 'started', nodeId: 'cli-jobs', nodes: 1 });
    expect(json.counts.jobs).toBe(total);
  });
});

describe('sked jobs rm', () => {
  it('deletes the job; a second rm exits 3', async () => {
    const r = await srv.sked(['jobs', 'rm', 'from-stdin']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('deleted from-stdin\n');
    const [get, again] = await Promise.all([
      srv.sked(['jobs', 'get', 'from-stdin']),
      srv.sked(['jobs', 'rm', 'from-stdin']),
    ]);
    expect(get.code).toBe(3);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('from-stdin');
  });
});
