/**
 * End-to-end, cluster: live events across nodes. Two `sked server` processes on one PostgreSQL schema,
 * each watched through its own GET /api/v1/events stream:
 *
 * - each node's stream shows its own node.joined; a node starting shows on the other's stream, once,
 *   though the other hears it from the node (relayed) and also sees its row appear;
 * - a job created (paused) through one node shows on the other node's stream, once, in the same shape,
 *   and never comes back to the first; the per-run events stay on the node that ran the run;
 * - a node stopping shows as node.left (stopped) on the other's stream, once; a node killed shows as
 *   node.left (dead) once its heartbeat is older than the node TTL.
 *
 * SKED_TEST_KEEP_DIR=1 keeps the temp folder and the schema.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, assertBuilt, killStartedProcesses, TEST_API_KEY, waitFor, type SkedServerProcess } from '../../support/process.js';
import { assertPostgresReachable, clusterSchemaName, dropSchema, SHARED_PG_URL, startNode, storeUrlOf, withNodeLogs } from './support/cluster.js';

const ARGS = ['--heartbeat', 'PT0.5S', '--node-ttl', 'PT3S', '--poll-interval', 'PT1S', '--shutdown-grace', 'PT1S'];

const schema = clusterSchemaName();
const storeUrl = storeUrlOf(SHARED_PG_URL, schema);
let dir = '';
const nodes = new Map<string, SkedServerProcess>();
const streams: Stream[] = [];

interface Received {
  id: number;
  event: string;
  data: any;
}

/** One node's GET /api/v1/events, read in the background into `events` until closed. */
class Stream {
  readonly events: Received[] = [];
  error: unknown = null;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;

  constructor(base: string, headers: Record<string, string> = {}) {
    streams.push(this);
    this.done = this.read(base, headers).catch((err: unknown) => {
      if ((err as Error).name !== 'AbortError') this.error = err;
    });
  }

  private async read(base: string, headers: Record<string, string>): Promise<void> {
    const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${TEST_API_KEY}`, accept: 'text/event-stream', ...headers }, signal: this.abort.signal });
    expect(res.status).toBe(200);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
        if (fields['event']) this.events.push({ id: Number(fields['id']), event: fields['event'], data: JSON.parse(fields['data'] ?? '{}') });
      }
    }
  }

  of(event: string, where: (data: any) => boolean = () => true): Received[] {
    return this.events.filter((e) => e.event === event && where(e.data));
  }

  /** Waits for an event; fails with what the stream holds. */
  async waitFor(what: string, event: string, where: (data: any) => boolean = () => true, timeoutMs = 15_000): Promise<Received> {
    return waitFor(`${what} (stream: ${this.events.map((e) => `${e.event}:${e.data.jobId ?? e.data.nodeId ?? ''}`).join(', ')}; error: ${String(this.error)})`, () => this.of(event, where)[0], { timeoutMs, intervalMs: 20 });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

beforeAll(async () => {
  assertBuilt();
  await assertPostgresReachable(SHARED_PG_URL);
  dir = mkdtempSync(join(tmpdir(), 'sked-e2e-events-'));
});

afterAll(async () => {
  await Promise.all(streams.map((s) => s.close()));
  await killStartedProcesses();
  if (!process.env['SKED_TEST_KEEP_DIR']) {
    await dropSchema(SHARED_PG_URL, schema);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

const node = (id: string): SkedServerProcess => {
  const n = nodes.get(id);
  if (!n) throw new Error(`node ${id} is not running (an earlier test did not complete)`);
  return n;
};
const withLogs = <T>(work: Promise<T>): Promise<T> => withNodeLogs(nodes, work);

/** Resolves once `id`'s heartbeat (as the nodes table shows it) moved `ms` past its value now: every node looked at the table meanwhile. */
async function heartbeatsPass(id: string, ms: number): Promise<void> {
  const beat = async (): Promise<number> => {
    const list = await apiCall<{ items: { id: string; heartbeatAt: string }[] }>(node('a').url, 'GET', '/api/v1/nodes');
    const row = list.items.find((n) => n.id === id);
    if (!row) throw new Error(`node ${id} is not listed`);
    return Date.parse(row.heartbeatAt);
  };
  const first = await beat();
  await waitFor(`${ms} ms of heartbeats of ${id}`, async () => (await beat()) >= first + ms, { timeoutMs: 15_000 });
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
let aStream: Stream;
let bStream: Stream;
let bStartedAt = '';

describe('live events across a cluster (two nodes, PostgreSQL)', () => {
  it('each node tells it joined; a node starting shows on the other node once', async () => {
    nodes.set('a', await startNode({ storeUrl, nodeId: 'a', dir, args: ARGS }));
    aStream = new Stream(node('a').url, { 'last-event-id': '0' });
    const aJoined = await aStream.waitFor("a's own node.joined", 'node.joined', (d) => d.nodeId === 'a');
    expect(aJoined.data).toMatchObject({ nodeId: 'a', startedAt: expect.stringMatching(RFC3339), at: expect.stringMatching(RFC3339) });

    nodes.set('b', await startNode({ storeUrl, nodeId: 'b', dir, args: ARGS }));
    bStream = new Stream(node('b').url, { 'last-event-id': '0' });
    const bOwn = await bStream.waitFor("b's own node.joined", 'node.joined', (d) => d.nodeId === 'b');
    const onA = await withLogs(aStream.waitFor("b's node.joined on a's stream", 'node.joined', (d) => d.nodeId === 'b'));
    bStartedAt = bOwn.data.startedAt;
    expect(onA.data).toEqual({ ...bOwn.data, at: expect.stringMatching(RFC3339) });
    // a has looked at the nodes table (and seen b's row) several times since: still one node.joined for b
    await heartbeatsPass('b', 2000);
    expect(aStream.of('node.joined', (d) => d.nodeId === 'b')).toHaveLength(1);
    // b started after a: a was there already, so b tells nothing of a
    expect(bStream.of('node.joined').map((e) => e.data.nodeId)).toEqual(['b']);
  }, 90_000);

  it('a job created through a shows on b, and one paused through b shows on a: once each, same shape, not echoed', async () => {
    await apiCall(node('a').url, 'PUT', '/api/v1/jobs/from-a', { name: 'from-a', schedule: { type: 'manual' }, steps: [{ stepIndex: 0, type: 'noop' }] });
    const onA = await aStream.waitFor('job.created on a (local)', 'job.created', (d) => d.jobId === 'from-a');
    const onB = await withLogs(bStream.waitFor('job.created from a on b', 'job.created', (d) => d.jobId === 'from-a', 10_000));
    expect(onB.data).toEqual(onA.data);
    expect(onB.data).toMatchObject({ jobId: 'from-a', by: expect.any(String), at: expect.stringMatching(RFC3339) });

    await apiCall(node('b').url, 'POST', '/api/v1/jobs/from-a/pause', { reason: 'test' });
    await withLogs(aStream.waitFor('job.paused from b on a', 'job.paused', (d) => d.jobId === 'from-a', 10_000));
    await apiCall(node('b').url, 'POST', '/api/v1/jobs/from-a/resume');
    await withLogs(aStream.waitFor('job.resumed from b on a', 'job.resumed', (d) => d.jobId === 'from-a', 10_000));
    await apiCall(node('a').url, 'DELETE', '/api/v1/jobs/from-a');
    await withLogs(bStream.waitFor('job.deleted from a on b', 'job.deleted', (d) => d.jobId === 'from-a', 10_000));

    // the scheduler's standby, asked on b, shows on a
    await apiCall(node('b').url, 'POST', '/api/v1/scheduler/standby');
    await withLogs(aStream.waitFor('scheduler.standby from b on a', 'scheduler.standby', () => true, 10_000));
    await apiCall(node('b').url, 'POST', '/api/v1/scheduler/start');
    await withLogs(aStream.waitFor('scheduler.started from b on a', 'scheduler.started', () => true, 10_000));

    // every change once on each stream: nothing came back to the node it happened on
    for (const s of [aStream, bStream]) {
      for (const type of ['job.created', 'job.paused', 'job.resumed', 'job.deleted']) expect(s.of(type, (d) => d.jobId === 'from-a'), type).toHaveLength(1);
      expect(s.of('scheduler.standby')).toHaveLength(1);
      expect(s.of('scheduler.started')).toHaveLength(1);
    }
  }, 60_000);

  it('run events stay on the node that ran the run; the trigger shows on both', async () => {
    await apiCall(node('a').url, 'PUT', '/api/v1/jobs/runs-here', { name: 'runs-here', schedule: { type: 'manual' }, steps: [{ stepIndex: 0, type: 'noop' }] });
    const { runId } = await apiCall<{ runId: string }>(node('a').url, 'POST', '/api/v1/jobs/runs-here/trigger');
    await withLogs(bStream.waitFor('job.triggered from a on b', 'job.triggered', (d) => d.runId === runId, 10_000));
    const run = await waitFor('the run finished', async () => {
      const r = await apiCall<{ status: string; nodeId: string }>(node('a').url, 'GET', `/api/v1/runs/${runId}`);
      return r.status === 'succeeded' ? r : undefined;
    });
    const ran = run.nodeId === 'a' ? aStream : bStream;
    const other = run.nodeId === 'a' ? bStream : aStream;
    await ran.waitFor('run.finished where the run ran', 'run.finished', (d) => d.runId === runId);
    // the other node never shows them: a later relayed event arriving proves its stream is up to date
    await apiCall(node('a').url, 'DELETE', '/api/v1/jobs/runs-here');
    await other.waitFor('job.deleted', 'job.deleted', (d) => d.jobId === 'runs-here', 10_000);
    expect(other.events.filter((e) => e.event.startsWith('run.') && e.data.runId === runId)).toEqual([]);
    expect(ran.events.filter((e) => e.event.startsWith('run.') && e.data.runId === runId).map((e) => e.event)).toEqual(['run.started', 'run.step', 'run.finished']);
  }, 60_000);

  it('a node stopping shows as node.left (stopped) on the other, once', async () => {
    const exit = await node('b').stop('SIGTERM', 30_000);
    expect(exit.code).toBe(0);
    nodes.delete('b');
    const left = await withLogs(aStream.waitFor("b's node.left on a", 'node.left', (d) => d.nodeId === 'b', 10_000));
    expect(left.data).toEqual({ nodeId: 'b', host: expect.any(String), startedAt: bStartedAt, reason: 'stopped', at: expect.stringMatching(RFC3339) });
    // a looks at the table again (b's row is gone): still once
    await heartbeatsPass('a', 2000);
    expect(aStream.of('node.left', (d) => d.nodeId === 'b')).toHaveLength(1);
  }, 60_000);

  it('a node killed shows as node.left (dead) once its heartbeat is older than the TTL', async () => {
    nodes.set('b', await startNode({ storeUrl, nodeId: 'b', dir, args: ARGS }));
    // b's second life is another node life: it joins again
    const rejoined = await withLogs(aStream.waitFor("b's second node.joined on a", 'node.joined', (d) => d.nodeId === 'b' && d.startedAt !== bStartedAt));
    const killed = node('b');
    killed.signal('SIGKILL');
    await killed.exited;
    nodes.delete('b');
    const dead = await withLogs(aStream.waitFor("b's node.left (dead) on a", 'node.left', (d) => d.nodeId === 'b' && d.startedAt === rejoined.data.startedAt, 20_000));
    expect(dead.data.reason).toBe('dead');
    await heartbeatsPass('a', 2000);
    expect(aStream.of('node.left', (d) => d.nodeId === 'b')).toHaveLength(2);
    // a's stream: ids increase, whatever node each event came from
    const ids = aStream.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});
