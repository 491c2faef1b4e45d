/**
 * Cluster membership: this node's heartbeat (with its clock's skew against the store's), which nodes
 * are dead, and whether this node was itself declared dead while it could not reach the store.
 *
 * A node is dead when its heartbeat is older than the node TTL by the store's clock. Right after this
 * node regains the store, it waits one TTL before declaring anyone dead: the others lost the store too and
 * need a heartbeat to show they are alive.
 */

import { messageOf } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import type { NodeInfo } from '../domain/types.js';
import type { Store } from '../store/store.js';
import type { CorrectedClock } from './corrected-clock.js';

export interface MembershipConfig {
  nodeId: string;
  nodeTtlMs: number;
  /** Skew beyond this is a warning (logs, /readyz, metrics). */
  maxSkewMs: number;
  host: string;
  version: string;
}

export type HeartbeatResult = 'ok' | 'declared-dead' | 'store-down';

export class Membership {
  /** Measured skew of this node's clock against the store's (positive = this node is ahead), ms. */
  skewMs = 0;
  /** When the store last became reachable again (or when this node started). */
  private connectedSince: number;
  private registered = false;
  private storeDown = false;

  constructor(
    private readonly store: Store,
    private readonly clock: CorrectedClock,
    private readonly config: MembershipConfig,
    private readonly log: Logger,
    private readonly startedAt: number,
  ) {
    this.connectedSince = clock.now();
  }

  get skewWarning(): string | null {
    return Math.abs(this.skewMs) > this.config.maxSkewMs ? `clock skew ${this.skewMs} ms against the store (limit ${this.config.maxSkewMs} ms)` : null;
  }

  /** Measures the skew (multi-node stores), refreshes this node's row, and says how it went. */
  async heartbeat(state: NodeInfo['state']): Promise<HeartbeatResult> {
    try {
      if (this.store.capabilities.multiNode) await this.measureSkew();
      const existed = await this.store.heartbeat({
        id: this.config.nodeId,
        host: this.config.host,
        pid: process.pid,
        startedAt: this.startedAt,
        heartbeatAt: this.clock.now(),
        clockSkewMs: this.skewMs,
        state,
        version: this.config.version,
      });
      if (this.storeDown) {
        this.storeDown = false;
        this.connectedSince = this.clock.now();
        this.log.info('the store is reachable again');
      }
      const declaredDead = this.registered && !existed;
      this.registered = true;
      return declaredDead ? 'declared-dead' : 'ok';
    } catch (err) {
      if (!this.storeDown) this.log.warn({ err: messageOf(err) }, 'heartbeat failed: the store is unreachable');
      this.storeDown = true;
      return 'store-down';
    }
  }

  /** Nodes whose heartbeat is older than the TTL (never this one); none while this node just reconnected. */
  async deadNodes(): Promise<string[]> {
    if (this.storeDown) return [];
    const now = this.clock.now();
    if (now - this.connectedSince < this.config.nodeTtlMs) return [];
    const nodes = await this.store.listNodes();
    return nodes.filter((n) => n.id !== this.config.nodeId && now - n.heartbeatAt > this.config.nodeTtlMs).map((n) => n.id);
  }

  private async measureSkew(): Promise<void> {
    const t0 = this.clock.local();
    const storeNow = await this.store.now();
    const t1 = this.clock.local();
    // The store's clock read half-way through the round trip.
    const offset = Math.round(storeNow - (t0 + t1) / 2);
    this.clock.offsetMs = offset;
    const skew = -offset;
    if (Math.abs(skew) > this.config.maxSkewMs && Math.abs(this.skewMs) <= this.config.maxSkewMs) {
      this.log.warn({ skewMs: skew, limitMs: this.config.maxSkewMs }, "this node's clock is off the store's clock; sked fires by the store's clock");
    }
    this.skewMs = skew;
  }
}
