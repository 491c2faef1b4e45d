/**
 * Relays the low-volume live events (RELAYED_EVENT_TYPES) between the nodes of a cluster through the
 * store (PostgreSQL LISTEN/NOTIFY), so a dashboard connected to any node sees a job changed through
 * another. Events published here are collected for `intervalMs` and sent together (the store splits
 * them into payloads small enough); events from the other nodes are published on this node's bus with
 * ids of its own sequence, once each (a node's events carry a sequence number per life of the node),
 * and never sent on again.
 *
 * The per-run events (fire, run.started, run.step, run.finished) are not relayed: at thousands of fires a
 * second they would flood the store, so they show on the node where the run happened (the dashboard also
 * polls). Relaying is best effort: events published while the store is unreachable, or while another
 * node's listening connection is away, are lost to the other nodes.
 */

import { randomBytes } from 'node:crypto';
import { messageOf } from '../domain/errors.js';
import { silentLogger, type Logger } from '../domain/logger.js';
import type { EventBatch, RelayedEvent, Store } from '../store/store.js';
import { RELAYED_EVENT_TYPES, type EventBus, type SkedEvent } from './events.js';

/** What the relay needs of the store. */
export type EventRelayPort = Required<Pick<Store, 'publishEvents' | 'listenEvents'>>;

export interface EventRelayOptions {
  nodeId: string;
  /** Events are collected this long and sent in one go (default 100 ms). */
  intervalMs?: number | undefined;
  /** At most this many events wait to be sent; beyond, the oldest are dropped (the store is down). */
  maxPending?: number | undefined;
  logger?: Logger | undefined;
  /** Tells this life of the node apart (default: random). */
  instance?: string | undefined;
}

/** Lives of other nodes whose last sequence number is remembered. */
const ORIGINS_KEPT = 1000;

export class EventRelay {
  /** The store's relay methods, or null when the store has none (SQLite: one node, nothing to relay). */
  static portOf(store: Store): EventRelayPort | null {
    if (!store.publishEvents || !store.listenEvents) return null;
    return { publishEvents: store.publishEvents.bind(store), listenEvents: store.listenEvents.bind(store) };
  }

  readonly instance: string;
  /** Events dropped because too many waited to be sent. */
  dropped = 0;
  private readonly intervalMs: number;
  private readonly maxPending: number;
  private readonly log: Logger;
  private pending: RelayedEvent[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private failing = false;
  private readonly lastSeq = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private stopped = false;

  constructor(
    private readonly bus: EventBus,
    private readonly port: EventRelayPort,
    private readonly options: EventRelayOptions,
  ) {
    this.instance = options.instance ?? randomBytes(6).toString('hex');
    this.intervalMs = options.intervalMs ?? 100;
    this.maxPending = options.maxPending ?? 10_000;
    this.log = options.logger ?? silentLogger;
  }

  /**
   * Starts sending this node's events and receiving the others'. A store that cannot listen leaves the
   * node without the others' events (logged), not without a server.
   */
  async start(): Promise<void> {
    if (this.unsubscribe || this.stopped) return;
    this.unsubscribe = this.bus.subscribe((e) => this.offer(e));
    try {
      this.unlisten = await this.port.listenEvents((batch) => this.receive(batch));
    } catch (err) {
      this.log.warn({ err: messageOf(err) }, 'listening for the live events of other nodes failed: this node shows its own only');
    }
  }

  /** Sends what waits now (and resolves once it and everything before it was sent or failed). */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const events = this.pending;
    this.pending = [];
    if (events.length) {
      const batch: EventBatch = { nodeId: this.options.nodeId, instance: this.instance, events };
      // One send at a time, so that the others receive this node's events in order.
      this.sending = this.sending.then(() =>
        this.port.publishEvents(batch).then(
          () => {
            if (this.failing) this.log.info('relaying live events to the other nodes works again');
            this.failing = false;
          },
          (err: unknown) => {
            if (!this.failing) this.log.warn({ err: messageOf(err), events: events.length }, 'relaying live events to the other nodes failed: they miss these');
            this.failing = true;
          },
        ),
      );
    }
    return this.sending;
  }

  /** Sends what waits, then stops sending and receiving. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.flush();
    await this.unlisten?.().catch(() => undefined);
    this.unlisten = null;
  }

  /** An event published on this node's bus: queued for the others when it is relayed and happened here. */
  private offer(e: SkedEvent): void {
    if (this.stopped || e.origin !== undefined || e.local || !RELAYED_EVENT_TYPES.has(e.type)) return;
    this.pending.push({ seq: ++this.seq, type: e.type, at: e.at, data: e.data });
    if (this.pending.length > this.maxPending) {
      this.dropped += this.pending.length - this.maxPending;
      this.pending.splice(0, this.pending.length - this.maxPending);
    }
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** Events from another node: published here once each, in their order, never sent on. */
  private receive(batch: EventBatch): void {
    if (this.stopped || (batch.nodeId === this.options.nodeId && batch.instance === this.instance)) return;
    const origin = `${batch.nodeId}/${batch.instance}`;
    let last = this.lastSeq.get(origin) ?? 0;
    for (const e of batch.events) {
      if (e.seq <= last) continue;
      last = e.seq;
      if (!RELAYED_EVENT_TYPES.has(e.type)) continue;
      this.bus.publish(e.type, e.data, { at: e.at, origin: batch.nodeId, fromTheNode: e.data['nodeId'] === batch.nodeId });
    }
    this.lastSeq.delete(origin);
    this.lastSeq.set(origin, last);
    if (this.lastSeq.size > ORIGINS_KEPT) this.lastSeq.delete(this.lastSeq.keys().next().value as string);
  }
}
