/**
 * The built `sked` binary without a server: help, version, the local preview, usage errors and an
 * unreachable server.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/config.js';
import { assertBuilt, freePort, killStartedProcesses, REPO_ROOT, runSked } from '../support/process.js';

beforeAll(() => assertBuilt());
afterAll(() => killStartedProcesses());

describe('sked --help and --version', () => {
  it('--help lists the client env vars, the verbs and the exit codes', async () => {
    const r = await runSked(['--help']);
    expect(r.code).toBe(0);
    for (const word of [
      'SKED_URL',
      'SKED_API_KEY',
      'SKED_DATA_DIR',
      'server',
      'jobs',
      'runs',
      'preview',
      'status',
    ])
      expect(r.stdout).toContain(word);
    // the exit codes the other tests rely on are documented
    for (const doc of [
      '2 invalid input',
      '3 not found',
      '4 conflict',
      '5 unauthorized',
      '7 server unreachable',
    ])
      expect(r.stdout).toContain(doc);
  });

  it('sked server --help lists every SKED_* setting with its flag', async () => {
    const r = await runSked(['server', '--help']);
    expect(r.code).toBe(0);
    expect(SETTINGS.length).toBeGreaterThan(10);
    for (const s of SETTINGS) {
      expect(r.stdout, s.env).toContain(s.env);
      expect(r.stdout, s.flag).toContain(`--${s.flag}`);
    }
  });

  it('jobs and runs --help list their verbs', async () => {
    const jobs = await runSked(['jobs', '--help']);
    expect(jobs.code).toBe(0);
    for (const verb of ['ls', 'get', 'apply', 'rm', 'pause', 'resume', 'trigger'])
      expect(jobs.stdout).toMatch(new RegExp(`^\\s+${verb}\\b`, 'm'));
    const runs = await runSked(['runs', '--help']);
    expect(runs.code).toBe(0);
    for (const verb of ['ls', 'get', 'logs', 'cancel'])
      expect(runs.stdout).toMatch(new RegExp(`^\\s+${verb}\\b`, 'm'));
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runSked(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('an unknown command or option is a usage error (2)', async () => {
    const cmd = await runSked(['frobnicate']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command/i);
    const opt = await runSked(['jobs', 'ls', '--no-such-flag']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/unknown option/i);
  });
});

describe('sked preview (no server needed)', () => {
  it('shows the next fire times in UTC and in the local zone', async () => {
    // a port nothing listens on: proves no server is contacted
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await runSked(
      [
        'preview',
        '0 30 2 * * ?',
        '--tz',
        'America/New_York',
        '--count',
        '3',
        '--from',
        '2026-01-10T00:00:00Z',
      ],
      { env: { SKED_URL: url } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('dialect: quartz');
    expect(r.stdout).toContain('LOCAL (America/New_York)');
    const rows = r.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(rows).toEqual([
      expect.stringMatching(/^2026-01-10T07:30:00\.000Z\s+2026-01-10T02:30:00-05:00/),
      expect.stringMatching(/^2026-01-11T07:30:00\.000Z\s+2026-01-11T02:30:00-05:00/),
      expect.stringMatching(/^2026-01-12T07:30:00\.000Z\s+2026-01-12T02:30:00-05:00/),
    ]);
  });

  it('shows the daylight-saving shift of a wall time that does not exist', async () => {
    // 2026-03-08 02:30 does not exist in New York: fires shifted forward by the gap (dst compatible)
    const r = await runSked([
      'preview',
      '0 30 2 * * ?',
      '--tz',
      'America/New_York',
      '--count',
      '3',
      '--from',
      '2026-03-07T00:00:00Z',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^2026-03-07T07:30:00\.000Z\s+2026-03-07T02:30:00-05:00/);
    expect(rows[1]).toMatch(/^2026-03-08T07:30:00\.000Z\s+2026-03-08T03:30:00-04:00\s+\S+/);
    expect(rows[2]).toMatch(/^2026-03-09T06:30:00\.000Z\s+2026-03-09T02:30:00-04:00/);
  });

  it('defaults to 10 fire times; --json is parseable', async () => {
    const table = await runSked(['preview', '*/15 * * * *']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('dialect: unix');
    expect(table.stdout.split('\n').filter((l) => /^\d{4}-/.test(l))).toHaveLength(10);
    const json = await runSked([
      '--json',
      'preview',
      '0 0 12 ? * MON-FRI',
      '--tz',
      'Europe/London',
      '--count',
      '2',
      '--from',
      '2026-06-05T00:00:00Z',
    ]);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as {
      valid: boolean;
      nextFireTimes: { at: string; local: string }[];
    };
    expect(body.valid).toBe(true);
    expect(body.nextFireTimes.map((f) => f.at)).toEqual([
      '2026-06-05T11:00:00.000Z',
      '2026-06-08T11:00:00.000Z',
    ]);
    expect(body.nextFireTimes[0]?.local).toBe('2026-06-05T12:00:00+01:00');
  });

  it('an invalid expression exits 2 and points at the bad character', async () => {
    const r = await runSked(['preview', '0 30 2 * * X']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^invalid: day-of-week/);
    const exprLine = lines.findIndex((l) => l.endsWith('0 30 2 * * X'));
    expect(exprLine).toBeGreaterThan(0);
    const expr = lines[exprLine] as string;
    const caret = lines[exprLine + 1] as string;
    expect(caret.trim()).toBe('^');
    expect(expr[caret.indexOf('^')]).toBe('X');

    const minute = await runSked(['preview', '0 61 2 * * ?']);
    expect(minute.code).toBe(2);
    expect(minute.stderr).toMatch(/minutes.*61/);
    const m = minute.stderr.split('\n');
    const at = m.findIndex((l) => l.endsWith('0 61 2 * * ?'));
    expect((m[at] as string).slice((m[at + 1] as string).indexOf('^'))).toMatch(/^61/);
  });

  it('an unknown time zone and a bad --count exit 2', async () => {
    const zone = await runSked(['preview', '0 0 * * * ?', '--tz', 'Mars/Olympus_Mons']);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/Mars\/Olympus_Mons|time ?zone/i);
    const count = await runSked(['preview', '0 0 * * * ?', '--count', '0']);
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('--count');
  });
});

describe('an unreachable server', () => {
  it('exits 7 and says how to fix it, for every client verb', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    for (const args of [['status'], ['jobs', 'ls'], ['runs', 'ls'], ['jobs', 'trigger', 'x']]) {
      const r = await runSked(['--url', url, ...args]);
      expect(r.code, args.join(' ')).toBe(7);
      expect(r.stderr).toContain(url);
      expect(r.stderr).toMatch(/SKED_URL/);
    }
    const env = await runSked(['status'], { env: { SKED_URL: url } });
    expect(env.code).toBe(7);
    expect(env.stderr).toContain(url);
  });
});
