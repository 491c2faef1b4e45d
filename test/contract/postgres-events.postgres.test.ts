/**
 * Live events between nodes on PostgreSQL (publishEvents / listenEvents over LISTEN/NOTIFY): they reach
 * the other stores in order, split under the 8000-byte payload limit, never the sender; they share the
 * listening connection with wake-ups, and neither disturbs the other.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SkedError } from '../../src/domain/errors.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { EventBatch, RelayedEvent, Store, WakeTopic } from '../../src/store/store.js';
import { connectAdmin, TestSchema } from './support/postgres.js';

let schema: TestSchema;
const opened: PostgresStore[] = [];

beforeAll(async () => {
  schema = await TestSchema.create();
});
afterAll(async () => {
  await schema?.drop();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function open(onBackgroundError?: (e: SkedError) => void): PostgresStore {
  const store = schema.open({ poolSize: 2, ...(onBackgroundError ? { onBackgroundError } : {}) });
  opened.push(store);
  return store;
}

async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ev = (seq: number, data: Record<string, unknown> = { jobId: `job-${seq}` }): RelayedEvent => ({ seq, type: 'job.updated', at: 1_700_000_000_000 + seq, data });

describe('postgres: live events between nodes', () => {
  it('a batch reaches every other store whole and in order, not the sender', async () => {
    const [a, b, c] = [open(), open(), open()];
    const heard = { a: [] as EventBatch[], b: [] as EventBatch[], c: [] as EventBatch[] };
    await a.listenEvents((x) => heard.a.push(x));
    await b.listenEvents((x) => heard.b.push(x));
    await c.listenEvents((x) => heard.c.push(x));
    const batch: EventBatch = { nodeId: 'node-a', instance: 'i1', events: [ev(1), ev(2, { jobId: 'ünïcødé 💥', startedAt: 5 })] };
    await a.publishEvents(batch);
    await eventually(() => heard.b.length > 0 && heard.c.length > 0, 2000, 'the events to reach b and c');
    expect(heard.b).toEqual([batch]);
    expect(heard.c).toEqual([batch]);
    // a round trip from b shows a was listening all along, yet heard nothing of its own
    await b.publishEvents({ nodeId: 'node-b', instance: 'i2', events: [ev(1)] });
    await eventually(() => heard.a.length > 0, 2000, 'the events to reach a');
    expect(heard.a.map((x) => x.nodeId)).toEqual(['node-b']);
    expect(heard.b.map((x) => x.nodeId)).toEqual(['node-a']);
  });

  it('a batch beyond 8000 bytes arrives split into several notifications, every event once, in order', async () => {
    const [a, b] = [open(), open()];
    const heard: EventBatch[] = [];
    await b.listenEvents((x) => heard.push(x));
    const events = Array.from({ length: 500 }, (_, i) => ev(i + 1, { jobId: `a-rather-long-job-id-number-${i}`, by: 'operator' }));
    await a.publishEvents({ nodeId: 'node-a', instance: 'i1', events });
    await eventually(() => heard.flatMap((x) => x.events).length >= events.length, 3000, 'every event');
    expect(heard.length).toBeGreaterThan(1);
    expect(heard.flatMap((x) => x.events)).toEqual(events);
  });

  it('an event too large to send is dropped and reported; the rest of its batch goes', async () => {
    const errors: SkedError[] = [];
    const [a, b] = [open((e) => errors.push(e)), open()];
    const heard: EventBatch[] = [];
    await b.listenEvents((x) => heard.push(x));
    await a.publishEvents({ nodeId: 'node-a', instance: 'i1', events: [ev(1), ev(2, { jobId: 'x'.repeat(9000) }), ev(3)] });
    await eventually(() => heard.length > 0, 2000, 'the events');
    expect(heard.flatMap((x) => x.events.map((e) => e.seq))).toEqual([1, 3]);
    expect(errors.map((e) => e.message).join()).toMatch(/too large/);
  });

  it('events and wake-ups share the channel: each subscriber hears its own kind, and either unsubscribing keeps the other', async () => {
    const [a, b] = [open(), open()];
    const topics: WakeTopic[] = [];
    const batches: EventBatch[] = [];
    const stopWake = await b.listen((t) => topics.push(t));
    const stopEvents = await b.listenEvents((x) => batches.push(x));
    await a.notify('runs');
    await a.publishEvents({ nodeId: 'node-a', instance: 'i1', events: [ev(1)] });
    await eventually(() => topics.length > 0 && batches.length > 0, 2000, 'both');
    expect(topics).toEqual(['runs']);
    expect(batches).toHaveLength(1);
    await stopWake();
    await a.publishEvents({ nodeId: 'node-a', instance: 'i1', events: [ev(2)] });
    await eventually(() => batches.length > 1, 2000, 'events after the wake-up subscriber left');
    await stopEvents();
    const admin = await connectAdmin();
    try {
      // the last subscriber gone, the listening connection is closed (its backend goes shortly after)
      const listening = async (): Promise<number> =>
        (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`, [`sked:${schema.name}`])).rowCount ?? 0;
      for (let i = 0; (await listening()) > 0; i++) {
        if (i > 100) throw new Error('the listening connection stayed open');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // a malformed events payload on the channel is ignored, wake-ups go on
      const again: WakeTopic[] = [];
      await b.listen((t) => again.push(t));
      await admin.query('SELECT pg_notify($1, $2)', [`sked_${schema.name}`, 'events:someone:{not json']);
      await a.notify('triggers');
      await eventually(() => again.length > 0, 2000, 'a wake-up after a malformed payload');
      expect(again).toEqual(['triggers']);
    } finally {
      await admin.end();
    }
  });

  it('SQLite has no relay methods (one node): the port leaves them out', async () => {
    const { SqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
    const store: Store = new SqliteStore(':memory:');
    try {
      expect(store.publishEvents).toBeUndefined();
      expect(store.listenEvents).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
