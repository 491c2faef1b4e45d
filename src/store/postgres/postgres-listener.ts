/**
 * Wake-ups between nodes over LISTEN/NOTIFY on the channel `sked_<schema>`, with the payload
 * `<topic>:<sender>`: the sender is a random id per store, so a store never wakes itself. Live events
 * relayed between nodes share the channel and the connection (payloads `events:<sender>:<json>`, see
 * postgres-event-payload.ts); they too never come back to their sender.
 *
 * Receiving holds ONE dedicated connection per store (not from the pool, which would hand it back and
 * lose the LISTEN), shared by every subscriber. When it drops (server restart, network,
 * pg_terminate_backend) it reconnects with capped exponential backoff, then wakes subscribers once per
 * topic: notifications sent while it was away are lost, so they should look for work as if woken. It
 * logs nothing; errors go to `onError`.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { EventBatch, WakeTopic } from '../store.js';
import { clientConfig, type PostgresConfig } from './postgres-connection.js';
import { toStoreError } from './postgres-errors.js';
import { decodeEventPayload, encodeEventPayloads, EVENTS_PREFIX, type EncodedEvents } from './postgres-event-payload.js';

export type ListenerHandler = (topic: WakeTopic) => void;
export type EventsHandler = (batch: EventBatch) => void;

const TOPICS: readonly WakeTopic[] = ['triggers', 'runs', 'cancel', 'scheduler'];

/** Backoff between reconnection attempts: doubling from the first to the cap, with jitter. */
export const RECONNECT_FIRST_MS = 100;
export const RECONNECT_MAX_MS = 5_000;
/** A silently dead peer is found by TCP keepalive probes starting after this idle time. */
const KEEPALIVE_MS = 10_000;

export class PostgresListener {
  private readonly handlers = new Set<ListenerHandler>();
  private readonly eventHandlers = new Set<EventsHandler>();
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private running = false;
  /** The schema's channel, as pg_notify takes it (LISTEN quotes it). */
  readonly channel: string;
  /** Tags this store's notifications. */
  private readonly senderId = randomBytes(6).toString('hex');

  constructor(
    private readonly config: PostgresConfig,
    private readonly onError: (thrown: unknown) => void,
  ) {
    this.channel = `sked_${config.schema}`;
  }

  /** The NOTIFY payload announcing `topic` from this store. */
  payloadOf(topic: WakeTopic): string {
    return `${topic}:${this.senderId}`;
  }

  /** The NOTIFY payloads carrying `batch` from this store. */
  eventPayloadsOf(batch: EventBatch): EncodedEvents {
    return encodeEventPayloads(batch, this.senderId);
  }

  /**
   * Adds a subscriber to wake-ups. The first subscriber (of either kind) connects: resolves once LISTEN
   * is in place, or rejects (UNAVAILABLE) when the first connection fails. Resolves to the unsubscribe
   * function; the last unsubscribe closes the connection.
   */
  async subscribe(handler: ListenerHandler): Promise<() => Promise<void>> {
    return this.add(this.handlers, handler);
  }

  /** Adds a subscriber to the live events of other stores, as subscribe() does for wake-ups. */
  async subscribeEvents(handler: EventsHandler): Promise<() => Promise<void>> {
    return this.add(this.eventHandlers, handler);
  }

  private async add<H>(set: Set<H>, handler: H): Promise<() => Promise<void>> {
    set.add(handler);
    if (!this.running) {
      this.running = true;
      try {
        await this.connect();
      } catch (thrown) {
        set.delete(handler);
        await this.stop();
        throw toStoreError(thrown);
      }
    }
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      set.delete(handler);
      if (this.handlers.size === 0 && this.eventHandlers.size === 0) await this.stop();
    };
  }

  /** Closes the connection and stops reconnecting; subscribers hear nothing more. */
  async stop(): Promise<void> {
    this.running = false;
    this.failures = 0;
    this.handlers.clear();
    this.eventHandlers.clear();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      ...clientConfig(this.config),
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_MS,
    });
    // only the connection in use is mourned: one failing while connecting, or ended by stop(), is not
    const onLost = (thrown: unknown) => {
      if (this.client !== client) return;
      this.client = null;
      this.onError(thrown);
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (thrown) {
      await client.end().catch(() => undefined);
      throw thrown;
    }
    if (!this.running) {
      // stopped while connecting
      await client.end().catch(() => undefined);
      return;
    }
    client.on('end', () => onLost(new Error('Connection terminated unexpectedly')));
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      if (message.payload?.startsWith(EVENTS_PREFIX)) {
        const decoded = decodeEventPayload(message.payload);
        if (decoded && decoded.sender !== this.senderId) this.deliverEvents(decoded.batch);
        return;
      }
      const [topic, sender] = (message.payload ?? '').split(':');
      if (sender !== this.senderId && TOPICS.includes(topic as WakeTopic)) this.deliver([topic as WakeTopic]);
    });
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (!this.running || this.retryTimer !== null) return;
    const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** this.failures);
    const delay = backoff / 2 + Math.random() * (backoff / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().then(
        () => {
          if (this.client === null) return;
          this.failures = 0;
          this.deliver(TOPICS);
        },
        (thrown: unknown) => {
          this.failures++;
          this.onError(thrown);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.retryTimer.unref();
  }

  private deliverEvents(batch: EventBatch): void {
    for (const handler of [...this.eventHandlers]) {
      try {
        handler(batch);
      } catch (thrown) {
        this.onError(thrown);
      }
    }
  }

  private deliver(topics: readonly WakeTopic[]): void {
    for (const handler of [...this.handlers]) {
      for (const topic of topics) {
        try {
          handler(topic);
        } catch (thrown) {
          // a subscriber's failure is its own: the others still hear
          this.onError(thrown);
        }
      }
    }
  }
}
