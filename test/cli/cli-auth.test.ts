/**
 * The built `sked` binary against a server that requires an API key: exit code 5 without a key or with
 * a wrong one; the key from --api-key, SKED_API_KEY or admin.key in --data-dir / SKED_DATA_DIR works.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killStartedProcesses, runSked, SkedServerProcess } from '../support/process.js';

const KEY = 'cli-test-key-0123456789';
let dir: string;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sked-cli-auth-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a server started with SKED_API_KEY', () => {
  let server: SkedServerProcess;
  beforeAll(async () => {
    server = await SkedServerProcess.start({
      db: join(dir, 'env.db'),
      nodeId: 'auth-node',
      env: { SKED_API_KEY: KEY },
    });
  });
  afterAll(() => killStartedProcesses());

  // No key unless a test gives one (the suite's default SKED_API_KEY is removed).
  const sked = (args: string[], env: Record<string, string> = {}) =>
    runSked(['--url', server.url, ...args], { cwd: dir, env: { SKED_API_KEY: undefined, ...env } });

  it('refuses a client without a key or with a wrong key: exit 5', async () => {
    const [none, wrong, wrongEnv] = await Promise.all([
      sked(['status']),
      sked(['--api-key', 'not-the-key', 'jobs', 'ls']),
      sked(['runs', 'ls'], { SKED_API_KEY: 'nope' }),
    ]);
    expect(none.code).toBe(5);
    expect(none.stderr).toMatch(/API key is required/);
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toMatch(/not valid/);
    expect(wrongEnv.code).toBe(5);
  });

  it('accepts the key from --api-key, from SKED_API_KEY, and from admin.key in the data folder', async () => {
    const keyDir = join(dir, 'keys');
    mkdirSync(keyDir, { recursive: true });
    writeFileSync(join(keyDir, 'admin.key'), `${KEY}\n`, { mode: 0o600 });
    const [flag, env, dataDir, dataDirEnv] = await Promise.all([
      sked(['--api-key', KEY, 'status']),
      sked(['jobs', 'ls'], { SKED_API_KEY: KEY }),
      sked(['--data-dir', keyDir, 'runs', 'ls']),
      sked(['status'], { SKED_DATA_DIR: keyDir }),
    ]);
    for (const r of [flag, env, dataDir, dataDirEnv]) expect(r.code, r.stderr).toBe(0);
    expect(flag.stdout).toMatch(/^scheduler started/);
  });

  it('never lets a refused write through', async () => {
    const file = join(dir, 'job.json');
    writeFileSync(file, JSON.stringify({ id: 'sneaky', name: 'Sneaky', schedule: { type: 'manual' } }));
    const refused = await sked(['jobs', 'apply', '-f', file]);
    expect(refused.code).toBe(5);
    const get = await sked(['--api-key', KEY, 'jobs', 'get', 'sneaky']);
    expect(get.code).toBe(3);
  });
});

describe('a server started with the --api-key flag', () => {
  afterEach(() => killStartedProcesses());

  // Regression: the client's --api-key once shadowed the server's (positional options now).
  it('requires the key (exit 5 without it)', async () => {
    const server = await SkedServerProcess.start({
      db: join(dir, 'flag.db'),
      nodeId: 'auth-flag',
      args: ['--api-key', KEY],
    });
    const res = await fetch(`${server.url}/api/v1/jobs`);
    const cli = await runSked(['--url', server.url, 'status'], { cwd: dir });
    expect(res.status).toBe(401);
    expect(cli.code).toBe(5);
  });
});
