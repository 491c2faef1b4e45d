/**
 * API keys in a cluster: two nodes on one PostgreSQL schema (the shared test server, SKED_TEST_PG_URL,
 * default postgres://postgres@127.0.0.1:5432/test; the file fails rather than skips without it).
 *
 * Keys live in the shared store, so what one node does to a key is what every node sees on the very
 * next request: no node may keep a key it has seen in a cache. A key created on A works on B at once;
 * revoked on A, it is refused by B on the next request (both headers, every kind of route); a key that
 * expires is refused by both; the last-used time recorded when a key is used on B is read on A; and the
 * audit entries of either node are read on the other.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSked } from '../support/app-harness.js';
import {
  assertPostgresReachable,
  clusterSchemaName,
  dropSchema,
  SHARED_PG_URL,
  storeUrlOf,
} from '../e2e/cluster/support/cluster.js';
import {
  clientFor,
  createKey,
  expectProblem,
  revokeKey,
  securitySked,
  sleep,
  TEST_KEY,
  waitFor,
} from './support.js';

const schema = clusterSchemaName();
const SECRET_KEY = randomBytes(32).toString('hex');
let a: TestSked;
let b: TestSked;
const adminA = clientFor(() => a, TEST_KEY);
const adminB = clientFor(() => b, TEST_KEY);

beforeAll(async () => {
  await assertPostgresReachable(SHARED_PG_URL);
  const store = storeUrlOf(SHARED_PG_URL, schema);
  // A first (it migrates the schema), then B on the same schema.
  a = await securitySked({ store, 'node-id': 'keys-a', 'secret-key': SECRET_KEY });
  b = await securitySked({ store, 'node-id': 'keys-b', 'secret-key': SECRET_KEY });
}, 60_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await dropSchema(SHARED_PG_URL, schema);
});

/** A read, an action and an admin read on `node` with `key`, as Bearer and as X-API-Key: all 401. */
async function expectRefusedEverywhere(node: TestSked, key: string, what: string): Promise<void> {
  for (const headers of [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }]) {
    for (const [method, url] of [
      ['GET', '/api/v1/jobs'],
      ['POST', '/api/v1/scheduler/start'],
      ['GET', '/api/v1/keys'],
    ] as const) {
      const res = await node.app.inject({ method, url, headers });
      expectProblem(res, 401, 'UNAUTHORIZED', `${what}: ${method} ${url} (${Object.keys(headers)[0]})`);
    }
  }
}

describe('keys across the nodes of a cluster', () => {
  it('both nodes share one store: the same key list', async () => {
    const onA = (await adminA.get('/api/v1/keys?limit=1000')).json().items.map((k: { id: string }) => k.id);
    const onB = (await adminB.get('/api/v1/keys?limit=1000')).json().items.map((k: { id: string }) => k.id);
    expect(onA.length).toBeGreaterThan(0);
    expect(onB.sort()).toEqual(onA.sort());
  });

  it('a key created on one node works on the other at once', async () => {
    const k = await createKey(adminA, 'operator');
    expect((await clientFor(() => b, k.key).get('/api/v1/jobs')).statusCode).toBe(200);
    expect((await clientFor(() => b, k.key).post('/api/v1/scheduler/start')).statusCode).toBe(200);
  });

  it('a key revoked on one node is refused by the other on the very next request', async () => {
    const k = await createKey(adminA, 'admin');
    // B has seen the key and served it (so any cache B kept would hold it now), several times.
    for (let i = 0; i < 3; i++) {
      expect((await clientFor(() => b, k.key).get('/api/v1/jobs')).statusCode).toBe(200);
      const viaHeader = await b.app.inject({ method: 'GET', url: '/api/v1/keys', headers: { 'x-api-key': k.key } });
      expect(viaHeader.statusCode).toBe(200);
    }
    await revokeKey(adminA, k.id);
    // The next request on B, with no pause in between.
    expectProblem(await clientFor(() => b, k.key).get('/api/v1/jobs'), 401, 'UNAUTHORIZED', 'revoked on A, used on B');
    await expectRefusedEverywhere(b, k.key, 'revoked on A, on B');
    // And the other way round: revoked on B, refused on A.
    const k2 = await createKey(adminB, 'viewer');
    expect((await clientFor(() => a, k2.key).get('/api/v1/jobs')).statusCode).toBe(200);
    await revokeKey(adminB, k2.id);
    expectProblem(await clientFor(() => a, k2.key).get('/api/v1/jobs'), 401, 'UNAUTHORIZED', 'revoked on B, used on A');
    // Both nodes list them as revoked.
    for (const admin of [adminA, adminB]) {
      const items = (await admin.get('/api/v1/keys?limit=1000')).json().items as { id: string; state: string }[];
      expect(items.find((x) => x.id === k.id)?.state).toBe('revoked');
      expect(items.find((x) => x.id === k2.id)?.state).toBe('revoked');
    }
  });

  it('a key that expires is refused by both nodes once it has', async () => {
    const expiresAt = Date.now() + 1500;
    const k = await createKey(adminA, 'viewer', { expiresAt: new Date(expiresAt).toISOString() });
    expect((await clientFor(() => b, k.key).get('/api/v1/jobs')).statusCode).toBe(200);
    while (Date.now() <= expiresAt + 50) await sleep(50);
    expectProblem(await clientFor(() => a, k.key).get('/api/v1/jobs'), 401, 'UNAUTHORIZED', 'expired, on A');
    expectProblem(await clientFor(() => b, k.key).get('/api/v1/jobs'), 401, 'UNAUTHORIZED', 'expired, on B');
  });

  it('the last-used time of a key used on one node is read on the other', async () => {
    const k = await createKey(adminA, 'viewer');
    const before = Date.now();
    expect((await clientFor(() => b, k.key).get('/api/v1/scheduler')).statusCode).toBe(200);
    const usedAt = await waitFor('lastUsedAt on A', async () => {
      const items = (await adminA.get('/api/v1/keys?limit=1000')).json().items as {
        id: string;
        lastUsedAt: string | null;
      }[];
      return items.find((x) => x.id === k.id)?.lastUsedAt ?? undefined;
    }, 5000);
    expect(Date.parse(usedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(usedAt)).toBeLessThanOrEqual(Date.now());
  });

  it("the audit log holds both nodes' entries, read from either", async () => {
    const onA = await createKey(adminA, 'viewer');
    const onB = await createKey(adminB, 'viewer');
    for (const admin of [adminA, adminB]) {
      const ids = await waitFor('both key.create entries', async () => {
        const items = (await admin.get('/api/v1/audit?action=key.create&limit=1000')).json().items as {
          target: { id: string };
        }[];
        const seen = items.map((e) => e.target.id);
        return seen.includes(onA.id) && seen.includes(onB.id) ? seen : undefined;
      }, 5000);
      expect(ids).toEqual(expect.arrayContaining([onA.id, onB.id]));
    }
  });
});
