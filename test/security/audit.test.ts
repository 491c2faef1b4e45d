/**
 * The audit log (`GET /api/v1/audit`, admin): every change and every operator action is appended,
 * with who (the key's id and name, never the key), what (action and target), when, and before and
 * after with secrets redacted; refused requests append nothing; the filters (action, targetType,
 * targetId, actor by id or name, from/to) and the pagination (limit/offset, total, newest first) work.
 * The changes come through the native API and through a compatibility surface (JIM's /api/v1/schedules):
 * both are decided and recorded in service/.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSked } from '../support/app-harness.js';
import {
  clientFor,
  createKey,
  expectProblem,
  revokeKey,
  securitySked,
  sleep,
  TEST_KEY,
  waitFor,
  waitForRunEnd,
  type Client,
  type CreatedKey,
} from './support.js';

interface Entry {
  id: string;
  at: string;
  actor: { kind: string; id: string | null; name: string };
  action: string;
  target: { type: string; id: string | null };
  before: any;
  after: any;
}

const TOKEN = 'audit-bearer-tok-7c1e90';
const ENV_SECRET = 'audit-env-secret-2b44d1';

let sked: TestSked;
const root = clientFor(() => sked, TEST_KEY);
let adminKey: CreatedKey;
let operatorKey: CreatedKey;
let viewerKey: CreatedKey;
let admin: Client;
let operator: Client;
let viewer: Client;
let startedAt = 0;
let endedAt = 0;
/** Entries made by the actions below, by what they were (filled in beforeAll). */
let runId = '';
let jimId = '';
let madeKey: CreatedKey;

const secretJob = (description: string) => ({
  name: 'audited',
  description,
  schedule: { type: 'manual' },
  steps: [
    {
      stepIndex: 0,
      type: 'http',
      request: { url: 'http://127.0.0.1:9/x', auth: { type: 'bearer', token: TOKEN } },
    },
    { stepIndex: 1, type: 'exec', command: 'true', env: { TOKEN: { secret: ENV_SECRET } } },
  ],
});

async function all(query = ''): Promise<{ items: Entry[]; total: number }> {
  const res = await root.get(`/api/v1/audit?limit=1000${query}`);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  return { items: body.items, total: body.pagination.total };
}

const ok = async (res: Promise<{ statusCode: number; body: string }>, status: number): Promise<void> => {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
};

beforeAll(async () => {
  sked = await securitySked({ concurrency: 4 });
  adminKey = await createKey(root, 'admin');
  operatorKey = await createKey(root, 'operator');
  viewerKey = await createKey(root, 'viewer');
  admin = clientFor(() => sked, adminKey.key);
  operator = clientFor(() => sked, operatorKey.key);
  viewer = clientFor(() => sked, viewerKey.key);
  await sleep(5); // the actions below happen strictly after the keys were made
  startedAt = Date.now();

  // Changes, by the admin key.
  await ok(admin.put('/api/v1/collections/audit-coll', { description: 'audited collection', maxJobs: 5 }), 201);
  await ok(admin.put('/api/v1/jobs/audited', secretJob('first')), 201);
  await ok(
    admin.patch('/api/v1/jobs/audited', { description: 'patched' }, { 'content-type': 'application/merge-patch+json' }),
    200,
  );
  await ok(admin.put('/api/v1/jobs/audited', secretJob('replaced')), 200);
  await ok(
    admin.put('/api/v1/jobs/sleeper', {
      name: 'sleeper',
      schedule: { type: 'manual' },
      steps: [{ stepIndex: 0, type: 'exec', command: 'sleep', args: ['30'] }],
    }),
    201,
  );
  await ok(admin.put('/api/v1/jobs/doomed', { name: 'doomed', schedule: { type: 'manual' } }), 201);
  const jim = await admin.post('/api/v1/schedules', { name: 'jim audited', steps: [] });
  expect(jim.statusCode, jim.body).toBeLessThan(300);
  jimId = String(jim.json().id ?? jim.json().scheduleId ?? '');

  // Operator actions, by the operator key.
  const triggered = await operator.post('/api/v1/jobs/audited/trigger', { payload: { n: 1 } });
  expect(triggered.statusCode, triggered.body).toBe(202);
  await waitForRunEnd(root, triggered.json().runId);
  await ok(operator.post('/api/v1/jobs/audited/pause', { reason: 'audit' }), 200);
  await ok(operator.post('/api/v1/jobs/audited/resume'), 200);
  await ok(operator.post('/api/v1/jobs/pause', { ids: ['audited'] }), 200);
  await ok(operator.post('/api/v1/jobs/resume', { ids: ['audited'] }), 200);
  await ok(operator.post('/api/v1/scheduler/standby'), 200);
  await ok(operator.post('/api/v1/scheduler/start'), 200);
  const sleeping = await operator.post('/api/v1/jobs/sleeper/trigger', {});
  expect(sleeping.statusCode, sleeping.body).toBe(202);
  runId = sleeping.json().runId;
  await waitFor('the sleeper to run', async () =>
    (await root.get(`/api/v1/runs/${runId}`)).json().status === 'running' ? true : undefined,
  );
  // (A cancel in the moment between the claim of a run and its start answers 409 "running on another
  // node": a separate bug, reported by the authorization matrix. Retried here: it is not what this tests.)
  await waitFor('the cancel to be accepted', async () => {
    const res = await operator.post(`/api/v1/runs/${runId}/cancel`);
    if (res.statusCode === 409 && /another node/.test(res.body)) return undefined;
    expect(res.statusCode, res.body).toBe(200);
    return true;
  });

  // Refused requests: none of them may leave an entry.
  await ok(viewer.post('/api/v1/jobs/audited/trigger', {}), 403);
  await ok(viewer.post('/api/v1/jobs/audited/pause', {}), 403);
  await ok(operator.put('/api/v1/jobs/audited', secretJob('by an operator')), 403);
  await ok(operator.del('/api/v1/jobs/doomed'), 403);
  await ok(operator.post('/api/v1/keys', { name: 'x', role: 'admin' }), 403);
  await ok(admin.put('/api/v1/jobs/audited', { name: '', schedule: { type: 'manual' } }), 400);
  await ok(admin.del('/api/v1/jobs/no-such-job'), 404);
  await ok(clientFor(() => sked, 'sked_00000000_' + 'x'.repeat(32)).del('/api/v1/jobs/doomed'), 401);

  // More changes, by the admin key: keys, deletions.
  madeKey = await createKey(admin, 'viewer', { name: 'made by admin' });
  await revokeKey(admin, madeKey.id);
  await ok(admin.del('/api/v1/jobs/doomed'), 204);
  await ok(admin.del('/api/v1/collections/audit-coll'), 204);
  endedAt = Date.now();
});

afterAll(async () => {
  await sked?.close();
});

const byAction = (items: Entry[], action: string, targetId?: string): Entry[] =>
  items.filter((e) => e.action === action && (targetId === undefined || e.target.id === targetId));

describe('the audit log', () => {
  it('records every change and every operator action, with who did it', async () => {
    const { items } = await all(`&from=${new Date(startedAt).toISOString()}`);
    const asAdmin = { kind: 'key', id: adminKey.id, name: 'admin key' };
    const asOperator = { kind: 'key', id: operatorKey.id, name: 'operator key' };
    const expected: [string, string, string | null, typeof asAdmin, number][] = [
      ['collection.put', 'collection', 'audit-coll', asAdmin, 1],
      ['job.create', 'job', 'audited', asAdmin, 1],
      ['job.update', 'job', 'audited', asAdmin, 2],
      ['job.create', 'job', 'sleeper', asAdmin, 1],
      ['job.create', 'job', 'doomed', asAdmin, 1],
      ['job.trigger', 'job', 'audited', asOperator, 1],
      ['job.pause', 'job', 'audited', asOperator, 2],
      ['job.resume', 'job', 'audited', asOperator, 2],
      ['scheduler.standby', 'scheduler', null, asOperator, 1],
      ['scheduler.start', 'scheduler', null, asOperator, 1],
      ['job.trigger', 'job', 'sleeper', asOperator, 1],
      ['run.cancel', 'run', runId, asOperator, 1],
      ['key.create', 'key', madeKey.id, asAdmin, 1],
      ['key.revoke', 'key', madeKey.id, asAdmin, 1],
      ['job.delete', 'job', 'doomed', asAdmin, 1],
      ['collection.delete', 'collection', 'audit-coll', asAdmin, 1],
    ];
    const missing: string[] = [];
    for (const [action, type, id, actor, count] of expected) {
      const found = items.filter((e) => e.action === action && e.target.type === type && e.target.id === id);
      if (found.length !== count) missing.push(`${action} ${type}:${id} ×${found.length} (expected ${count})`);
      for (const e of found) expect(e.actor, `${action} ${id}`).toEqual(actor);
    }
    expect(missing, JSON.stringify(items.map((e) => `${e.action} ${e.target.type}:${e.target.id}`))).toEqual([]);
    // The change made through JIM's surface is recorded too, by the same key.
    const jimCreate = byAction(items, 'job.create').filter((e) => e.target.id !== 'audited' && e.target.id !== 'sleeper' && e.target.id !== 'doomed');
    expect(jimCreate, 'job.create through /api/v1/schedules').toHaveLength(1);
    expect(jimCreate[0]?.actor).toEqual(asAdmin);
    if (jimId) expect(jimCreate[0]?.target.id).toBe(jimId);
    // Nothing else: refused requests (401, 403, 400, 404) left no entry.
    expect(items.length, JSON.stringify(items.map((e) => `${e.action} ${e.target.id} by ${e.actor.name}`))).toBe(
      expected.reduce((n, e) => n + e[4], 0) + 1,
    );
    expect(items.filter((e) => e.actor.id === viewerKey.id)).toEqual([]);
  });

  it('says when, within the moments the actions took', async () => {
    const { items } = await all(`&from=${new Date(startedAt).toISOString()}`);
    for (const e of items) {
      const at = Date.parse(e.at);
      expect(at, `${e.action} at ${e.at}`).toBeGreaterThanOrEqual(startedAt - 5);
      expect(at, `${e.action} at ${e.at}`).toBeLessThanOrEqual(endedAt + 5);
      expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
  });

  it('keeps before and after, with secrets redacted and never a key', async () => {
    const { items } = await all();
    const body = JSON.stringify(items);
    for (const s of [TOKEN, ENV_SECRET, TEST_KEY, adminKey.key, operatorKey.key, viewerKey.key, madeKey.key])
      expect(body.includes(s), `the audit log holds '${s.slice(0, 12)}...'`).toBe(false);
    for (const k of [adminKey, operatorKey, viewerKey, madeKey]) expect(body).not.toContain(k.key.slice(-32));

    const [create] = byAction(items, 'job.create', 'audited');
    expect(create?.before).toBeNull();
    expect(create?.after.description).toBe('first');
    expect(create?.after.steps[0].request.auth).toEqual({ type: 'bearer', token: '***' });
    expect(create?.after.steps[1].env).toEqual({ TOKEN: '***' });

    // Newest first: the PUT (patched → replaced), then the PATCH (first → patched).
    const [put, patch] = byAction(items, 'job.update', 'audited');
    expect([patch?.before.description, patch?.after.description]).toEqual(['first', 'patched']);
    expect([put?.before.description, put?.after.description]).toEqual(['patched', 'replaced']);
    for (const e of [put, patch]) {
      expect(e?.before.steps[0].request.auth.token).toBe('***');
      expect(e?.after.steps[0].request.auth.token).toBe('***');
    }

    const [pause] = byAction(items, 'job.pause', 'audited').slice(-1);
    expect(pause?.before.state).toBe('enabled');
    expect(pause?.after.state).toBe('paused');
    expect(pause?.after.pause.reason).toBe('audit');

    const [del] = byAction(items, 'job.delete', 'doomed');
    expect(del?.before.name).toBe('doomed');
    expect(del?.after).toBeNull();

    const [revoke] = byAction(items, 'key.revoke', madeKey.id);
    expect(revoke?.before.state).toBe('active');
    expect(revoke?.after.state).toBe('revoked');
    expect(Object.keys(revoke?.after ?? {})).not.toContain('hash');

    const [coll] = byAction(items, 'collection.put', 'audit-coll');
    expect(coll?.before).toBeNull();
    expect(coll?.after).toEqual(expect.objectContaining({ description: 'audited collection', maxJobs: 5 }));
  });

  it('filters by action, target, actor (id or name) and time', async () => {
    const pauses = (await all('&action=job.pause')).items;
    expect(pauses.length).toBe(2);
    expect(pauses.every((e) => e.action === 'job.pause')).toBe(true);

    const onJob = (await all('&targetType=job&targetId=audited')).items;
    expect(new Set(onJob.map((e) => e.action))).toEqual(
      new Set(['job.create', 'job.update', 'job.trigger', 'job.pause', 'job.resume']),
    );
    expect(onJob.every((e) => e.target.type === 'job' && e.target.id === 'audited')).toBe(true);
    const keysOnly = (await all('&targetType=key')).items;
    expect(keysOnly.length).toBeGreaterThan(0);
    expect(keysOnly.every((e) => e.target.type === 'key')).toBe(true);

    const byId = (await all(`&actor=${operatorKey.id}`)).items;
    const byName = (await all(`&actor=${encodeURIComponent('operator key')}`)).items;
    expect(byId.length).toBe(9); // 2 triggers, 2 pauses, 2 resumes, standby, start, cancel
    expect(byName.map((e) => e.id)).toEqual(byId.map((e) => e.id));
    expect(byId.every((e) => e.actor.id === operatorKey.id)).toBe(true);
    expect((await all(`&actor=${viewerKey.id}`)).items).toEqual([]);

    const before = (await all(`&to=${new Date(startedAt).toISOString()}`)).items;
    // Only the setup (the three keys made by TEST_KEY) precedes the actions.
    expect(before.map((e) => e.action)).toEqual(['key.create', 'key.create', 'key.create']);
    expect(before.every((e) => e.actor.name === 'SKED_API_KEY')).toBe(true);
    const after = (await all(`&from=${new Date(endedAt + 1000).toISOString()}`)).items;
    expect(after).toEqual([]);

    for (const bad of ['from=yesterday', 'to=1', 'limit=0', 'limit=1001', 'offset=-1', 'bogus=1']) {
      expectProblem(await root.get(`/api/v1/audit?${bad}`), 400, 'VALIDATION_ERROR', bad);
    }
  });

  it('pages newest first, without gaps or repeats', async () => {
    const { items, total } = await all();
    expect(total).toBe(items.length);
    for (let i = 1; i < items.length; i++)
      expect(Date.parse(items[i - 1]!.at), `${i}`).toBeGreaterThanOrEqual(Date.parse(items[i]!.at));
    const paged: Entry[] = [];
    for (let offset = 0; offset < total; offset += 3) {
      const res = await root.get(`/api/v1/audit?limit=3&offset=${offset}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.pagination).toEqual(expect.objectContaining({ limit: 3, offset, total }));
      expect(body.items.length).toBe(Math.min(3, total - offset));
      paged.push(...body.items);
    }
    expect(paged.map((e) => e.id)).toEqual(items.map((e) => e.id));
    expect(new Set(paged.map((e) => e.id)).size).toBe(total);
  });

  it('is read by admins only', async () => {
    expectProblem(await operator.get('/api/v1/audit'), 403, 'FORBIDDEN', 'operator');
    expectProblem(await viewer.get('/api/v1/audit'), 403, 'FORBIDDEN', 'viewer');
    expect((await admin.get('/api/v1/audit')).statusCode).toBe(200);
  });
});
