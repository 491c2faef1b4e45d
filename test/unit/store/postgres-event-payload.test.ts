/** Live events as NOTIFY payloads: split under PostgreSQL's 8000-byte limit, in order, ASCII only, read back exactly. */

import { describe, expect, it } from 'vitest';
import { decodeEventPayload, encodeEventPayloads, MAX_PAYLOAD_BYTES } from '../../../src/store/postgres/postgres-event-payload.js';
import type { EventBatch, RelayedEvent } from '../../../src/store/store.js';

const event = (seq: number, data: Record<string, unknown> = { jobId: `job-${seq}`, by: 'admin' }): RelayedEvent => ({ seq, type: 'job.updated', at: 1_700_000_000_000 + seq, data });
const batchOf = (events: RelayedEvent[]): EventBatch => ({ nodeId: 'node-a', instance: 'abc123', events });

describe('encodeEventPayloads / decodeEventPayload', () => {
  it('one small batch is one payload, read back as sent', () => {
    const batch = batchOf([event(1), event(2, { jobId: 'x', startedAt: 5, nested: { a: [1, null] } })]);
    const { payloads, oversize } = encodeEventPayloads(batch, 'sender1');
    expect(oversize).toEqual([]);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.startsWith('events:sender1:')).toBe(true);
    expect(decodeEventPayload(payloads[0]!)).toEqual({ sender: 'sender1', batch });
  });

  it('a large batch is split into payloads under the limit, each a batch of its own, events in order', () => {
    const events = Array.from({ length: 1000 }, (_, i) => event(i + 1, { jobId: `job-with-a-longish-id-${i}`, by: 'someone' }));
    const { payloads, oversize } = encodeEventPayloads(batchOf(events), 's');
    expect(oversize).toEqual([]);
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) {
      expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(Buffer.byteLength(p, 'utf8')).toBeLessThan(8000);
    }
    // tightly packed: every payload but the last is near the limit
    for (const p of payloads.slice(0, -1)) expect(p.length).toBeGreaterThan(MAX_PAYLOAD_BYTES - 200);
    const back = payloads.map((p) => decodeEventPayload(p)!);
    expect(back.every((b) => b.batch.nodeId === 'node-a' && b.batch.instance === 'abc123')).toBe(true);
    expect(back.flatMap((b) => b.batch.events)).toEqual(events);
  });

  it('non-ASCII text is escaped, so bytes equal characters in any database encoding', () => {
    const data = { jobId: 'j', by: 'Zoë 💥 日本', quote: '"\\\n\u0000' };
    const { payloads } = encodeEventPayloads(batchOf([event(1, data)]), 's');
    expect(payloads[0]).toMatch(/^[\x20-\x7e]*$/);
    expect(decodeEventPayload(payloads[0]!)!.batch.events[0]!.data).toEqual(data);
    // multi-byte text counts by its bytes: many of them still stay under the limit
    const wide = Array.from({ length: 200 }, (_, i) => event(i + 1, { jobId: 'j', by: '日本語の名前'.repeat(5) }));
    for (const p of encodeEventPayloads(batchOf(wide), 's').payloads) expect(Buffer.byteLength(p, 'utf8')).toBeLessThan(8000);
  });

  it('an event too large for a payload of its own is left out, the others go', () => {
    const huge = event(2, { jobId: 'j', by: 'x'.repeat(9000) });
    const { payloads, oversize } = encodeEventPayloads(batchOf([event(1), huge, event(3)]), 's');
    expect(oversize).toEqual([huge]);
    expect(payloads.flatMap((p) => decodeEventPayload(p)!.batch.events.map((e) => e.seq))).toEqual([1, 3]);
  });

  it('anything else on the channel is not an events payload', () => {
    for (const p of ['triggers:abc', 'events:', 'events:s', 'events:s:{', 'events:s:[]', 'events:s:{"n":"a","i":"b","e":[[1,"t",2]]}', 'events:s:{"n":"a","i":"b","e":[["1","t",2,{}]]}', 'events:s:{"n":1,"i":"b","e":[]}']) {
      expect(decodeEventPayload(p), p).toBeNull();
    }
    expect(decodeEventPayload('events:s:{"n":"a","i":"b","e":[]}')).toEqual({ sender: 's', batch: { nodeId: 'a', instance: 'b', events: [] } });
  });
});
