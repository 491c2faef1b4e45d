/**
 * The first start of a real server process (`node dist/cli/sked.js server`) without SKED_API_KEY: it
 * creates an admin key, prints it once on stderr, writes it to `admin.key` (mode 0600) in the data
 * folder, where the CLI on the same machine finds it; a restart neither creates nor prints another.
 * With SKED_API_KEY, that value is installed as an admin key instead.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killStartedProcesses, runSked, SkedServerProcess } from '../support/process.js';

const KEY_PATTERN = /sked_[0-9a-f]{8}_[A-Za-z0-9]{32}/g;

let root: string;
/** The data folder the first-start test let sked create (checked by the next describe). */
let firstDataDir = '';
beforeAll(() => {
  assertBuilt();
  root = mkdtempSync(join(tmpdir(), 'sked-first-start-'));
});
afterEach(() => killStartedProcesses());
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const api = (
  server: SkedServerProcess,
  key: string | null,
  path: string,
  init: RequestInit = {},
): Promise<Response> =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });

const mode = (file: string): number => statSync(file).mode & 0o777;

describe('the first start without SKED_API_KEY', () => {
  it('prints a new admin key once, writes admin.key (0600), and a restart creates and prints nothing', async () => {
    // The default layout: the store in ./sked-data, so the data folder is ./sked-data.
    // The data folder does not exist yet: the first start creates it.
    const cwd = join(root, 'app');
    mkdirSync(cwd);
    const dataDir = join(cwd, 'sked-data');
    const db = join(dataDir, 'sked.db');
    const first = await SkedServerProcess.start({
      db,
      cwd,
      nodeId: 'first',
      env: { SKED_API_KEY: undefined },
    });

    const printed = first.raw.match(KEY_PATTERN) ?? [];
    expect(printed, first.raw).toHaveLength(1);
    const key = printed[0] as string;
    expect(first.raw).toMatch(/created the first admin API key/);
    // Printed on stderr only: the JSON log names the key's id, never the key.
    expect(JSON.stringify(first.logs)).not.toContain(key);
    expect(JSON.stringify(first.logs)).toContain(key.slice(0, 13));

    const file = join(dataDir, 'admin.key');
    expect(readFileSync(file, 'utf8').trim()).toBe(key);
    expect(mode(file).toString(8)).toBe('600');
    expect(mode(join(dataDir, 'secret.key')).toString(8)).toBe('600');
    firstDataDir = dataDir;

    // The key is an admin key, and the only one.
    expect((await api(first, null, '/api/v1/jobs')).status).toBe(401);
    const keys = await api(first, key, '/api/v1/keys');
    expect(keys.status).toBe(200);
    const items = ((await keys.json()) as { items: { id: string; role: string; state: string }[] }).items;
    expect(items).toEqual([
      expect.objectContaining({ id: key.slice(0, 13), role: 'admin', state: 'active' }),
    ]);

    // The CLI on this machine finds it: --data-dir, SKED_DATA_DIR, or ./sked-data from the same folder.
    const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
      runSked(['--url', first.url, ...args], { cwd, env: { SKED_API_KEY: undefined, ...env } });
    const [byFlag, byEnv, byCwd] = await Promise.all([
      cli(['--data-dir', dataDir, 'jobs', 'ls']),
      cli(['jobs', 'ls'], { SKED_DATA_DIR: dataDir }),
      cli(['jobs', 'ls']),
    ]);
    for (const r of [byFlag, byEnv, byCwd]) expect(r.code, r.stderr).toBe(0);
    // Elsewhere, without the file, the CLI has no key.
    const elsewhere = await runSked(['--url', first.url, 'jobs', 'ls'], {
      cwd: root,
      env: { SKED_API_KEY: undefined },
    });
    expect(elsewhere.code).toBe(5);

    await first.stop();
    const before = readFileSync(file, 'utf8');
    const beforeMtime = statSync(file).mtimeMs;

    const second = await SkedServerProcess.start({
      db,
      cwd,
      nodeId: 'first',
      env: { SKED_API_KEY: undefined },
    });
    expect(second.raw.match(KEY_PATTERN) ?? [], second.raw).toEqual([]);
    expect(second.raw).not.toMatch(/created the first admin API key/);
    expect(JSON.stringify(second.logs)).not.toMatch(/created the first admin API key/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(statSync(file).mtimeMs).toBe(beforeMtime);
    const after = (await (await api(second, key, '/api/v1/keys')).json()) as { items: unknown[] };
    expect(after.items).toHaveLength(1);
    const again = await runSked(['--url', second.url, 'jobs', 'ls'], {
      cwd,
      env: { SKED_API_KEY: undefined },
    });
    expect(again.code, again.stderr).toBe(0);
  });
});

describe('the data folder made by the first start', () => {
  // Regression (a bug this suite found, fixed): the data folder is meant to be private (KeyService.bootstrap creates it with mode 0700), but
  // the SQLite store creates it first, with the default mode (0755 under umask 022), so bootstrap's
  // 0700 never applies; sked.db and its WAL are created 0644. Any local user can then read every job
  // definition, run output and the audit log (the secrets in it are sealed; admin.key and secret.key
  // are 0600). Expected: 0700 for the folder (and 0600 for the database files). Reproduce:
  // `rm -rf sked-data && sked server` then `stat -c %a sked-data` → 755.
  it('is private to the user sked runs as (0700)', () => {
    expect(firstDataDir, 'the first-start test ran').not.toBe('');
    expect(mode(firstDataDir).toString(8)).toBe('700');
  });
});

describe('SKED_API_KEY', () => {
  const BOOTSTRAP = 'bootstrap-admin-key-0123456789abcdef';

  it('installs that value as an admin key: no key is created, printed or written', async () => {
    const dataDir = join(root, 'env');
    const server = await SkedServerProcess.start({
      db: join(dataDir, 'sked.db'),
      cwd: root,
      nodeId: 'env',
      env: { SKED_API_KEY: BOOTSTRAP },
    });
    expect(server.raw.match(KEY_PATTERN) ?? []).toEqual([]);
    expect(server.raw).not.toContain(BOOTSTRAP);
    expect(JSON.stringify(server.logs)).not.toContain(BOOTSTRAP);
    expect(existsSync(join(dataDir, 'admin.key'))).toBe(false);

    const keys = await api(server, BOOTSTRAP, '/api/v1/keys');
    expect(keys.status).toBe(200);
    const items = ((await keys.json()) as { items: { name: string; role: string }[] }).items;
    expect(items).toEqual([expect.objectContaining({ name: 'SKED_API_KEY', role: 'admin' })]);
    expect((await api(server, 'bootstrap-admin-key-0123456789abcdeX', '/api/v1/jobs')).status).toBe(401);
    // The CLI uses it from its own SKED_API_KEY.
    const cli = await runSked(['--url', server.url, 'jobs', 'ls'], { env: { SKED_API_KEY: BOOTSTRAP } });
    expect(cli.code, cli.stderr).toBe(0);
  });

  it('on a data folder that already has keys, adds the admin key beside them', async () => {
    const dataDir = join(root, 'both');
    const db = join(dataDir, 'sked.db');
    const first = await SkedServerProcess.start({
      db,
      cwd: root,
      nodeId: 'both',
      env: { SKED_API_KEY: undefined },
    });
    const created = (first.raw.match(KEY_PATTERN) ?? [])[0] as string;
    expect(created).toBeDefined();
    await first.stop();
    const second = await SkedServerProcess.start({
      db,
      cwd: root,
      nodeId: 'both',
      env: { SKED_API_KEY: BOOTSTRAP },
    });
    expect((await api(second, created, '/api/v1/jobs')).status).toBe(200);
    expect((await api(second, BOOTSTRAP, '/api/v1/jobs')).status).toBe(200);
    expect(second.raw.match(KEY_PATTERN) ?? []).toEqual([]);
  });

  // Regression (a bug this suite found, fixed): revoking the key that SKED_API_KEY installed lasts only until the next restart: bootstrap()
  // re-installs a revoked SKED_API_KEY as an active admin key (upsert with revokedAt: null). A key
  // revoked because it leaked comes back as soon as a node restarts with the old environment (a
  // systemd unit, a Kubernetes secret), silently. Expected: a revoked key stays revoked (start-up
  // refuses or warns loudly: "SKED_API_KEY has been revoked"). Reproduce: start with SKED_API_KEY=K,
  // create a second admin key, DELETE /api/v1/keys/<K's id> with it, restart with SKED_API_KEY=K:
  // K answers 200 again.
  it('a revoked SKED_API_KEY stays revoked across a restart', async () => {
    const dataDir = join(root, 'revoked');
    const db = join(dataDir, 'sked.db');
    const first = await SkedServerProcess.start({
      db,
      cwd: root,
      nodeId: 'revoked',
      env: { SKED_API_KEY: BOOTSTRAP },
    });
    const other = (await (
      await api(first, BOOTSTRAP, '/api/v1/keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'ops', role: 'admin' }),
      })
    ).json()) as { key: string };
    const list = (await (await api(first, BOOTSTRAP, '/api/v1/keys')).json()) as {
      items: { id: string; name: string }[];
    };
    const bootstrapId = list.items.find((k) => k.name === 'SKED_API_KEY')?.id as string;
    expect((await api(first, other.key, `/api/v1/keys/${bootstrapId}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    expect((await api(first, BOOTSTRAP, '/api/v1/jobs')).status).toBe(401);
    await first.stop();

    const second = await SkedServerProcess.start({
      db,
      cwd: root,
      nodeId: 'revoked',
      env: { SKED_API_KEY: BOOTSTRAP },
    });
    expect((await api(second, BOOTSTRAP, '/api/v1/jobs')).status).toBe(401);
  });
});
