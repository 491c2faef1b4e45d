/**
 * Live events across a cluster, without a database: node events told once (NodePresence), and the relay
 * (batching, what is relayed and what is not, ordering, de-duplication, no echo) over an in-memory
 * transport that behaves as LISTEN/NOTIFY does (every other subscriber hears a batch, the sender not).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { EventBus, eventJson, NodePresence, RELAYED_EVENT_TYPES, type SkedEvent } from '../../../src/service/events.js';
import { EventRelay, type EventRelayPort } from '../../../src/service/event-relay.js';
import type { EventBatch } from '../../../src/store/store.js';

/** One "database channel": each port hears what the others publish, never its own. */
class Channel {
  readonly sent: EventBatch[] = [];
  private readonly subscribers = new Map<EventRelayPort, Set<(b: EventBatch) => void>>();
  failing = false;

  port(): EventRelayPort {
    const port: EventRelayPort = {
      publishEvents: async (batch) => {
        if (this.failing) throw new Error('store down');
        // what travels is JSON: nothing shared by reference
        const copy = JSON.parse(JSON.stringify(batch)) as EventBatch;
        this.sent.push(copy);
        for (const [other, handlers] of this.subscribers) if (other !== port) for (const h of handlers) h(copy);
      },
      listenEvents: async (handler) => {
        const set = this.subscribers.get(port) ?? new Set();
        set.add(handler);
        this.subscribers.set(port, set);
        return async () => void set.delete(handler);
      },
    };
    return port;
  }

  /** Delivers a batch as if another node had sent it. */
  inject(batch: EventBatch): void {
    for (const handlers of this.subscribers.values()) for (const h of handlers) h(batch);
  }
}

const relays: EventRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.stop();
});

function node(channel: Channel, nodeId: string, intervalMs = 60_000): { bus: EventBus; relay: EventRelay; seen: SkedEvent[] } {
  let t = 1_000_000;
  const bus = new EventBus(() => ++t);
  const relay = new EventRelay(bus, channel.port(), { nodeId, intervalMs });
  relays.push(relay);
  const seen: SkedEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  return { bus, relay, seen };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('NodePresence', () => {
  it('keeps the first word on a node life, and a rejoin only from the node itself', () => {
    const p = new NodePresence();
    expect(p.accept('node.joined', 'b', 1, false)).toBe(true);
    expect(p.accept('node.joined', 'b', 1, true)).toBe(false);
    expect(p.accept('node.left', 'b', 1, false)).toBe(true);
    expect(p.accept('node.left', 'b', 1, true)).toBe(false);
    // seen in the table again after it left (a stale read): not news
    expect(p.accept('node.joined', 'b', 1, false)).toBe(false);
    // the node itself says it is back (declared dead, then reachable again)
    expect(p.accept('node.joined', 'b', 1, true)).toBe(true);
    // another life of the same id is another node
    expect(p.accept('node.joined', 'b', 2, false)).toBe(true);
    // leaving unseen (this node started after it) is news
    expect(p.accept('node.left', 'c', 5, false)).toBe(true);
  });

  it('drops repeated node events on the bus, and nothing else', () => {
    const bus = new EventBus(() => 0);
    const data = { nodeId: 'b', host: 'h', startedAt: 10 };
    expect(bus.publish('node.joined', data)).not.toBeNull();
    expect(bus.publish('node.joined', data)).toBeNull();
    expect(bus.publish('job.created', { jobId: 'x' })).not.toBeNull();
    expect(bus.publish('job.created', { jobId: 'x' })).not.toBeNull();
    expect(bus.since(0).map((e) => [e.id, e.type])).toEqual([[1, 'node.joined'], [2, 'job.created'], [3, 'job.created']]);
  });
});

describe('EventRelay', () => {
  it('sends the low-volume events of an interval in one batch, and the other node publishes them with its own ids', async () => {
    const channel = new Channel();
    const a = node(channel, 'a');
    const b = node(channel, 'b');
    await a.relay.start();
    await b.relay.start();
    // b has events of its own first: a's arrive with ids after them
    b.bus.publish('job.created', { jobId: 'on-b' });
    b.bus.publish('run.started', { runId: 'r0', jobId: 'on-b', startedAt: 5 });

    a.bus.publish('job.created', { jobId: 'j1', by: 'admin' });
    a.bus.publish('fire', { jobId: 'j1', scheduledFor: 1000, outcome: 'skipped' });
    a.bus.publish('run.started', { runId: 'r1', jobId: 'j1', trigger: 'manual', scheduledFor: null, startedAt: 2000 });
    a.bus.publish('run.step', { runId: 'r1', jobId: 'j1', stepIndex: 0 });
    a.bus.publish('run.finished', { runId: 'r1', jobId: 'j1', status: 'succeeded', startedAt: 2000, finishedAt: 3000 });
    a.bus.publish('job.paused', { jobId: 'j1', by: 'admin' });
    a.bus.publish('run.cancelled', { runId: 'r2', jobId: 'j1', by: 'admin' });
    a.bus.publish('scheduler.standby', { by: 'admin' });
    expect(channel.sent).toEqual([]); // nothing before the interval ends (or a flush)
    await a.relay.flush();

    // one batch: the relayed types only, in order
    expect(channel.sent).toHaveLength(1);
    expect(channel.sent[0]!.nodeId).toBe('a');
    expect(channel.sent[0]!.events.map((e) => e.type)).toEqual(['job.created', 'job.paused', 'run.cancelled', 'scheduler.standby']);
    expect(channel.sent[0]!.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    const onB = b.seen.filter((e) => e.origin === 'a');
    expect(onB.map((e) => e.type)).toEqual(['job.created', 'job.paused', 'run.cancelled', 'scheduler.standby']);
    // ids in b's own sequence, after b's own events
    expect(b.seen.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    // the same shape as on a: data and the instant it happened there
    const created = a.seen.find((e) => e.type === 'job.created')!;
    expect(eventJson(onB[0]!)).toBe(eventJson(created));
    expect(JSON.parse(eventJson(onB[0]!))).toEqual({ jobId: 'j1', by: 'admin', at: new Date(created.at).toISOString() });
    // nothing came back to a, and b sent nothing on
    expect(a.seen.every((e) => e.origin === undefined)).toBe(true);
    await b.relay.flush();
    expect(channel.sent.filter((s) => s.nodeId === 'b').flatMap((s) => s.events.map((e) => e.type))).toEqual(['job.created']);
  });

  it('sends on its own once the interval is over, one batch for the events of the interval', async () => {
    const channel = new Channel();
    const a = node(channel, 'a', 50);
    const b = node(channel, 'b', 50);
    await a.relay.start();
    await b.relay.start();
    for (let i = 0; i < 20; i++) a.bus.publish('job.updated', { jobId: `j${i}` });
    await until(() => b.seen.length === 20);
    expect(channel.sent).toHaveLength(1);
    expect(b.seen.map((e) => e.data['jobId'])).toEqual(Array.from({ length: 20 }, (_, i) => `j${i}`));
  });

  it('publishes a batch heard twice once, and ignores its own', async () => {
    const channel = new Channel();
    const b = node(channel, 'b');
    await b.relay.start();
    const batch: EventBatch = { nodeId: 'a', instance: 'i1', events: [{ seq: 1, type: 'job.deleted', at: 5, data: { jobId: 'x' } }, { seq: 2, type: 'job.created', at: 6, data: { jobId: 'y' } }] };
    channel.inject(batch);
    channel.inject(batch);
    channel.inject({ ...batch, events: [batch.events[1]!, { seq: 3, type: 'job.deleted', at: 7, data: { jobId: 'y' } }] });
    expect(b.seen.map((e) => [e.type, e.data['jobId']])).toEqual([['job.deleted', 'x'], ['job.created', 'y'], ['job.deleted', 'y']]);
    // a new life of node a starts its sequence again
    channel.inject({ nodeId: 'a', instance: 'i2', events: [{ seq: 1, type: 'job.paused', at: 8, data: { jobId: 'z' } }] });
    expect(b.seen.at(-1)?.type).toBe('job.paused');
    // its own batch (same node and instance) is not published again
    channel.inject({ nodeId: 'b', instance: b.relay.instance, events: [{ seq: 9, type: 'job.created', at: 9, data: { jobId: 'echo' } }] });
    expect(b.seen.some((e) => e.data['jobId'] === 'echo')).toBe(false);
    // types that are not relayed are refused whoever sends them
    channel.inject({ nodeId: 'a', instance: 'i2', events: [{ seq: 2, type: 'run.finished', at: 9, data: { runId: 'r' } }] });
    expect(b.seen.some((e) => e.type === 'run.finished')).toBe(false);
  });

  it("node events: a node's own relayed, those it merely saw kept local; heard from the node and seen in the table, shown once", async () => {
    const channel = new Channel();
    const a = node(channel, 'a');
    const b = node(channel, 'b');
    await a.relay.start();
    await b.relay.start();
    const life = { nodeId: 'b', host: 'hb', version: '1', startedAt: 500 };
    // b starts: it tells; a also sees b's row appear (either may come first)
    b.bus.publish('node.joined', life, { fromTheNode: true });
    a.bus.publish('node.joined', life, { local: true });
    await b.relay.flush();
    await a.relay.flush();
    expect(channel.sent.flatMap((s) => s.events.map((e) => `${s.nodeId}:${e.type}`))).toEqual(['b:node.joined']);
    expect(a.seen.filter((e) => e.type === 'node.joined')).toHaveLength(1);
    // b stops: a hears it from b, then sees the row gone
    b.bus.publish('node.left', { ...life, reason: 'stopped' }, { fromTheNode: true });
    await b.relay.flush();
    a.bus.publish('node.left', { ...life, reason: 'stopped' }, { local: true });
    expect(a.seen.filter((e) => e.type === 'node.left').map((e) => e.data['reason'])).toEqual(['stopped']);
    // a declared c dead (relayed); b, which also declared it, shows it once
    const c = { nodeId: 'c', host: 'hc', startedAt: 7, reason: 'dead' };
    b.bus.publish('node.left', c);
    a.bus.publish('node.left', c);
    await a.relay.flush();
    expect(b.seen.filter((e) => e.type === 'node.left' && e.data['nodeId'] === 'c')).toHaveLength(1);
  });

  it('stop() sends what waits; a failing store loses the batch and the next one goes through', async () => {
    const channel = new Channel();
    const a = node(channel, 'a');
    const b = node(channel, 'b');
    await a.relay.start();
    await b.relay.start();
    channel.failing = true;
    a.bus.publish('job.created', { jobId: 'lost' });
    await a.relay.flush();
    channel.failing = false;
    a.bus.publish('job.created', { jobId: 'kept' });
    a.bus.publish('node.left', { nodeId: 'a', host: 'h', startedAt: 1, reason: 'stopped' }, { fromTheNode: true });
    await a.relay.stop();
    expect(b.seen.map((e) => [e.type, e.data['nodeId'] ?? e.data['jobId']])).toEqual([['job.created', 'kept'], ['node.left', 'a']]);
    // stopped: nothing more is sent
    a.bus.publish('job.created', { jobId: 'after' });
    await a.relay.flush();
    expect(b.seen).toHaveLength(2);
  });

  it('keeps at most maxPending events waiting, dropping the oldest', async () => {
    const channel = new Channel();
    let t = 0;
    const bus = new EventBus(() => ++t);
    const relay = new EventRelay(bus, channel.port(), { nodeId: 'a', intervalMs: 60_000, maxPending: 3 });
    relays.push(relay);
    await relay.start();
    for (let i = 0; i < 5; i++) bus.publish('job.updated', { jobId: `j${i}` });
    await relay.flush();
    expect(relay.dropped).toBe(2);
    expect(channel.sent[0]!.events.map((e) => e.data['jobId'])).toEqual(['j2', 'j3', 'j4']);
  });

  it('relays exactly the low-volume types', () => {
    expect([...RELAYED_EVENT_TYPES].sort()).toEqual(
      ['job.created', 'job.deleted', 'job.paused', 'job.resumed', 'job.triggered', 'job.updated', 'node.joined', 'node.left', 'run.cancelled', 'scheduler.standby', 'scheduler.started'],
    );
  });

  it('portOf: none for a store without the relay methods', () => {
    expect(EventRelay.portOf({} as never)).toBeNull();
  });
});
