/**
 * Live events relayed between nodes travel as NOTIFY payloads on the store's channel (the one wake-ups
 * use): `events:<sender>:<json>`, where `<json>` is `{"n": nodeId, "i": instance, "e": [[seq, type, at,
 * data], …]}`. Older nodes read the first part as an unknown wake-up topic and ignore it.
 *
 * PostgreSQL refuses payloads of 8000 bytes or more, so a batch is split into as many payloads as it
 * takes. The JSON is pure ASCII (everything else escaped as \uXXXX), so its length in characters is its
 * length in bytes whatever the database's encoding.
 */

import type { EventBatch, RelayedEvent } from '../store.js';

export const EVENTS_PREFIX = 'events:';
/** PostgreSQL's limit is "shorter than 8000 bytes"; a little is kept spare. */
export const MAX_PAYLOAD_BYTES = 7900;

const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export interface EncodedEvents {
  payloads: string[];
  /** Events too large for a payload of their own: not sent. */
  oversize: RelayedEvent[];
}

/** Splits a batch into payloads of at most `maxBytes`, events in order, each payload a whole batch of its own. */
export function encodeEventPayloads(batch: EventBatch, sender: string, maxBytes = MAX_PAYLOAD_BYTES): EncodedEvents {
  const head = `${EVENTS_PREFIX}${sender}:{"n":${asciiJson(batch.nodeId)},"i":${asciiJson(batch.instance)},"e":[`;
  const tail = ']}';
  const payloads: string[] = [];
  const oversize: RelayedEvent[] = [];
  let parts: string[] = [];
  let size = head.length + tail.length;
  const close = (): void => {
    if (parts.length) payloads.push(`${head}${parts.join(',')}${tail}`);
    parts = [];
    size = head.length + tail.length;
  };
  for (const e of batch.events) {
    const part = asciiJson([e.seq, e.type, e.at, e.data]);
    if (head.length + tail.length + part.length > maxBytes) {
      oversize.push(e);
      continue;
    }
    const extra = part.length + (parts.length ? 1 : 0);
    if (size + extra > maxBytes) close();
    size += part.length + (parts.length ? 1 : 0);
    parts.push(part);
  }
  close();
  return { payloads, oversize };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The sender and the batch of an events payload; null for anything else or anything malformed. */
export function decodeEventPayload(payload: string): { sender: string; batch: EventBatch } | null {
  if (!payload.startsWith(EVENTS_PREFIX)) return null;
  const colon = payload.indexOf(':', EVENTS_PREFIX.length);
  if (colon < 0) return null;
  const sender = payload.slice(EVENTS_PREFIX.length, colon);
  let body: unknown;
  try {
    body = JSON.parse(payload.slice(colon + 1));
  } catch {
    return null;
  }
  if (!isRecord(body) || typeof body['n'] !== 'string' || typeof body['i'] !== 'string' || !Array.isArray(body['e'])) return null;
  const events: RelayedEvent[] = [];
  for (const item of body['e'] as unknown[]) {
    if (!Array.isArray(item) || item.length !== 4) return null;
    const [seq, type, at, data] = item as unknown[];
    if (typeof seq !== 'number' || typeof type !== 'string' || typeof at !== 'number' || !isRecord(data)) return null;
    events.push({ seq, type, at, data });
  }
  return { sender, batch: { nodeId: body['n'], instance: body['i'], events } };
}
