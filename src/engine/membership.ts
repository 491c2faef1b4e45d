/**
 * Cluster membership: this node's heartbeat (with its clock's skew against the store's), which nodes
 * are dead, which joined or left since the last look, and whether this node was itself declared dead
 * while it could not reach the store.
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
import type { NodeLifeEvent } from './engine-types.js';

export interface MembershipConfig {
  nodeId: string;
  nodeTtlMs: number;
  /** Skew beyond this is a warning (logs, /readyz, metrics). */
  maxSkewMs: number;
  host: string;
  version: string;
}

export type HeartbeatResult = 'ok' | 'declared-dead' | 'store-down';

/** One node life, as node events name it. */
export type NodeLife = NodeLifeEvent;

/** What one look at the nodes table found. */
export interface Survey {
  /** Nodes whose heartbeat is older than the TTL (never this one; none while this node just reconnected). */
  dead: NodeInfo[];
  /** Nodes that appeared since the last look (none at the first look: those were there before this node). */
  joined: NodeLife[];
  /**
   * Nodes whose row went since the last look: removed by the node as it stopped, or by a node that
   * declared it dead (`dead` when its heartbeat was already late at the last look).
   */
  left: (NodeLife & { reason: 'stopped' | 'dead' })[];
}

const lifeOf = (n: NodeInfo): NodeLife => ({ nodeId: n.id, host: n.host, startedAt: n.startedAt, version: n.version });

/**
 * Tells which node lives joined and left between two looks at the nodes table. The first look only
 * learns who is there. A node is its id and start instant: a node restarted under the same id left and
 * joined again.
 */
export class NodeWatch {
  private seen: Map<string, NodeInfo> | null = null;

  constructor(
    private readonly selfId: string,
    private readonly nodeTtlMs: number,
  ) {}

  /** Compares `nodes`, read at `now` (the store's clock), with the previous look. */
  look(nodes: NodeInfo[], now: number): Pick<Survey, 'joined' | 'left'> {
    const current = new Map<string, NodeInfo>();
    for (const n of nodes) if (n.id !== this.selfId) current.set(`${n.id}@${n.startedAt}`, n);
    const before = this.seen;
    this.seen = current;
    if (before === null) return { joined: [], left: [] };
    const joined = [...current].filter(([key]) => !before.has(key)).map(([, n]) => lifeOf(n));
    const left = [...before]
      .filter(([key]) => !current.has(key))
      .map(([, n]) => ({ ...lifeOf(n), reason: now - n.heartbeatAt > this.nodeTtlMs / 2 ? ('dead' as const) : ('stopped' as const) }));
    return { joined, left };
  }
}

export class Membership {
  /** Measured skew of this node's clock against the store's (positive = this node is ahead), ms. */
  skewMs = 0;
  /** When the store last became reachable again (or when this node started). */
  private connectedSince: number;
  private registered = false;
  private storeDown = false;
  private readonly watch: NodeWatch;

  constructor(
    private readonly store: Store,
    private readonly clock: CorrectedClock,
    private readonly config: MembershipConfig,
    private readonly log: Logger,
    private readonly startedAt: number,
  ) {
    this.connectedSince = clock.now();
    this.watch = new NodeWatch(config.nodeId, config.nodeTtlMs);
  }

  /** This node's life, as node events name it. */
  get self(): NodeLife {
    return { nodeId: this.config.nodeId, host: this.config.host, startedAt: this.startedAt, version: this.config.version };
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
    return (await this.survey()).dead.map((n) => n.id);
  }

  /** One look at the nodes table: who is dead, who joined and who left since the last look. */
  async survey(): Promise<Survey> {
    if (this.storeDown) return { dead: [], joined: [], left: [] };
    const now = this.clock.now();
    const nodes = await this.store.listNodes();
    const { joined, left } = this.watch.look(nodes, now);
    const dead = now - this.connectedSince < this.config.nodeTtlMs ? [] : nodes.filter((n) => n.id !== this.config.nodeId && now - n.heartbeatAt > this.config.nodeTtlMs);
    return { dead, joined, left };
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
