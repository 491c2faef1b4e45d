/**
 * node.joined / node.left on GET /api/v1/events with one node on SQLite, through inject(): the stream is
 * read whole once the server closes it. On SQLite there is one node, so only its own events appear.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { testSked, type TestSked } from '../support/app-harness.js';
import { TEST_FLAGS } from './support.js';

let sked: TestSked | null = null;
afterEach(async () => {
  await sked?.close();
  sked = null;
});

interface Received {
  id: number;
  event: string;
  data: any;
}

function parse(body: string): Received[] {
  return body
    .split('\n\n')
    .map((block) => Object.fromEntries(block.split('\n').filter((l) => l.includes(': ') && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)])))
    .filter((f) => f['event'])
    .map((f) => ({ id: Number(f['id']), event: f['event'] as string, data: JSON.parse(f['data'] ?? '{}') }));
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('node events on one node (SQLite)', () => {
  it('node.joined when the node starts (resumable from Last-Event-ID 0), node.left when it stops', async () => {
    sked = await testSked({ ...TEST_FLAGS, 'node-id': 'solo' });
    const s = sked;
    // inject() answers once the stream ends: the server closing ends it
    const streaming = s.app.inject({ method: 'GET', url: '/api/v1/events?types=node.*,job.*', headers: { 'last-event-id': '0' } });
    // the stream is open once a job created now shows on it
    const created = await s.app.inject({ method: 'PUT', url: '/api/v1/jobs/marker', payload: { name: 'marker', schedule: { type: 'manual' } } });
    expect(created.statusCode).toBe(201);
    await s.engine.stop(0);
    await s.close();
    const res = await streaming;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    const events = parse(res.body);
    expect(events.map((e) => e.event)).toEqual(['node.joined', 'job.created', 'node.left']);
    const [joined, , left] = events as [Received, Received, Received];
    expect(joined.data).toEqual({ nodeId: 'solo', host: expect.any(String), version: expect.any(String), startedAt: expect.stringMatching(RFC3339), at: expect.stringMatching(RFC3339) });
    expect(left.data).toEqual({ nodeId: 'solo', host: joined.data.host, startedAt: joined.data.startedAt, reason: 'stopped', at: expect.stringMatching(RFC3339) });
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
  });

  it('a client that connects later without Last-Event-ID gets no past node.joined, and no other node appears', async () => {
    sked = await testSked({ ...TEST_FLAGS, 'node-id': 'solo', heartbeat: 'PT0.1S' });
    const s = sked;
    const streaming = s.app.inject({ method: 'GET', url: '/api/v1/events?types=node.*' });
    // several heartbeats go by (each one looks at the nodes table in a cluster): on SQLite nothing but
    // the node's own events is told
    const heartbeatAt = async (): Promise<number> => (await s.store.listNodes())[0]?.heartbeatAt ?? 0;
    const first = await heartbeatAt();
    for (let i = 0; (await heartbeatAt()) < first + 300; i++) {
      if (i > 200) throw new Error('the node did not heartbeat');
      await new Promise((r) => setTimeout(r, 25));
    }
    await s.engine.stop(0);
    await s.close();
    const events = parse((await streaming).body);
    expect(events.map((e) => [e.event, e.data.nodeId, e.data.reason])).toEqual([['node.left', 'solo', 'stopped']]);
  });
});
