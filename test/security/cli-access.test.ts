/**
 * The access verbs of the built CLI (`node dist/cli/sked.js`): `sked keys create|ls|revoke` and
 * `sked audit`, against an in-process sked listening on a port. The key `keys create` prints is shown
 * once (stdout, nothing else) and works at once; `keys ls` never shows a secret; `keys revoke` takes
 * effect on the next request; the verbs are refused (exit 5) to a key that is not an admin's; `sked
 * audit` shows the entries and applies its filters.
 */

import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSked } from '../support/app-harness.js';
import { assertBuilt, runSked } from '../support/process.js';
import { clientFor, createKey, expectProblem, securitySked, TEST_KEY } from './support.js';

const KEY_PATTERN = /sked_[0-9a-f]{8}_[A-Za-z0-9]{32}/g;

let sked: TestSked;
let url = '';
const admin = clientFor(() => sked, TEST_KEY);

beforeAll(async () => {
  assertBuilt();
  sked = await securitySked();
  await sked.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(sked.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sked?.close();
});

/** The CLI with `key` (null: none; the suite's default SKED_API_KEY is removed). */
const cli = (key: string | null, args: string[]) =>
  runSked(['--url', url, ...(key === null ? [] : ['--api-key', key]), ...args], {
    env: { SKED_API_KEY: undefined, SKED_DATA_DIR: '/nonexistent-sked-data' },
  });

describe('sked keys', () => {
  it('create prints the key once, on stdout only, and it works at once with its role', async () => {
    const res = await cli(TEST_KEY, ['keys', 'create', '--role', 'operator', '--name', 'from the cli']);
    expect(res.code, res.stderr).toBe(0);
    const printed = res.stdout.match(KEY_PATTERN) ?? [];
    expect(printed).toHaveLength(1);
    expect(res.stdout.trim()).toBe(printed[0]);
    expect(res.stderr).not.toContain(printed[0]);
    const key = printed[0] as string;
    const as = clientFor(() => sked, key);
    expect((await as.post('/api/v1/scheduler/start')).statusCode).toBe(200);
    expectProblem(await as.get('/api/v1/keys'), 403, 'FORBIDDEN', 'an operator key lists keys');
    const listed = (await admin.get('/api/v1/keys?limit=1000')).json().items as { id: string; name: string; role: string }[];
    expect(listed.find((k) => k.id === key.slice(0, 13))).toEqual(
      expect.objectContaining({ name: 'from the cli', role: 'operator' }),
    );
  });

  it('create with --expires makes an expiring key; a bad role is a usage error (exit 2)', async () => {
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const res = await cli(TEST_KEY, ['--json', 'keys', 'create', '--role', 'viewer', '--expires', expires]);
    expect(res.code, res.stderr).toBe(0);
    const body = JSON.parse(res.stdout);
    expect(body.key).toMatch(/^sked_[0-9a-f]{8}_[A-Za-z0-9]{32}$/);
    expect(Date.parse(body.expiresAt)).toBe(Date.parse(expires));
    const bad = await cli(TEST_KEY, ['keys', 'create', '--role', 'root']);
    expect(bad.code).toBe(2);
  });

  it('ls shows ids, names, roles and states, never a secret', async () => {
    const k = await createKey(admin, 'viewer', { name: 'listed' });
    const [table, json] = await Promise.all([cli(TEST_KEY, ['keys', 'ls']), cli(TEST_KEY, ['--json', 'keys', 'ls'])]);
    for (const r of [table, json]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(k.id);
      expect(r.stdout).not.toContain(k.key);
      expect(r.stdout).not.toContain(k.key.slice(-32));
      expect(r.stdout).not.toContain(TEST_KEY);
      expect(r.stdout.match(KEY_PATTERN) ?? []).toEqual([]);
    }
    expect(table.stdout).toMatch(/listed\s+viewer\s+active/);
    for (const item of JSON.parse(json.stdout).items) expect(Object.keys(item)).not.toContain('hash');
  });

  it('revoke takes effect on the next request', async () => {
    const k = await createKey(admin, 'admin');
    expect((await clientFor(() => sked, k.key).get('/api/v1/jobs')).statusCode).toBe(200);
    const res = await cli(TEST_KEY, ['keys', 'revoke', k.id]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`revoked ${k.id}`);
    expectProblem(await clientFor(() => sked, k.key).get('/api/v1/jobs'), 401, 'UNAUTHORIZED', 'revoked by the CLI');
    // The CLI with the revoked key is refused: exit 5.
    expect((await cli(k.key, ['jobs', 'ls'])).code).toBe(5);
    // Revoking again is a conflict (exit 4); an unknown key is not found (exit 3).
    expect((await cli(TEST_KEY, ['keys', 'revoke', k.id])).code).toBe(4);
    expect((await cli(TEST_KEY, ['keys', 'revoke', 'sked_00000000'])).code).toBe(3);
  });

  it('are refused (exit 5) to operator and viewer keys, and without a key', async () => {
    const operator = await createKey(admin, 'operator');
    const viewer = await createKey(admin, 'viewer');
    const target = await createKey(admin, 'viewer');
    const runs = await Promise.all([
      cli(operator.key, ['keys', 'ls']),
      cli(viewer.key, ['keys', 'create', '--role', 'admin']),
      cli(operator.key, ['keys', 'create', '--role', 'admin']),
      cli(operator.key, ['keys', 'revoke', target.id]),
      cli(viewer.key, ['audit']),
      cli(null, ['keys', 'ls']),
      cli(null, ['audit']),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(5);
      expect(r.stdout.match(KEY_PATTERN) ?? []).toEqual([]);
    }
    expect((await admin.get('/api/v1/keys?limit=1000')).json().items.find((k: { id: string }) => k.id === target.id).state).toBe(
      'active',
    );
  });
});

describe('sked audit', () => {
  it('shows the entries, newest first, and applies --action, --target and --actor', async () => {
    const op = await createKey(admin, 'operator', { name: 'cli-operator' });
    expect((await admin.put('/api/v1/jobs/cli-audited', { name: 'a', schedule: { type: 'manual' } })).statusCode).toBe(201);
    expect((await clientFor(() => sked, op.key).post('/api/v1/jobs/cli-audited/pause', {})).statusCode).toBe(200);

    const everything = await cli(TEST_KEY, ['audit', '--limit', '1000']);
    expect(everything.code, everything.stderr).toBe(0);
    expect(everything.stdout).toMatch(/job\.pause\s+job:cli-audited/);
    expect(everything.stdout).toMatch(/job\.create\s+job:cli-audited/);
    // Newest first: the pause is listed above the creation.
    expect(everything.stdout.search(/job\.pause\s+job:cli-audited/)).toBeLessThan(
      everything.stdout.search(/job\.create\s+job:cli-audited/),
    );
    expect(everything.stdout).not.toContain(op.key);

    const filtered = await cli(TEST_KEY, ['--json', 'audit', '--action', 'job.pause', '--target', 'job:cli-audited']);
    expect(filtered.code, filtered.stderr).toBe(0);
    const items = JSON.parse(filtered.stdout).items as { action: string; target: { id: string }; actor: { id: string } }[];
    expect(items).toHaveLength(1);
    expect(items[0]).toEqual(expect.objectContaining({ action: 'job.pause', target: expect.objectContaining({ id: 'cli-audited' }) }));
    expect(items[0]?.actor.id).toBe(op.id);

    for (const actor of [op.id, 'cli-operator']) {
      const mine = await cli(TEST_KEY, ['--json', 'audit', '--actor', actor]);
      expect(mine.code, mine.stderr).toBe(0);
      expect((JSON.parse(mine.stdout).items as { action: string }[]).map((e) => e.action)).toEqual(['job.pause']);
    }
  });
});
