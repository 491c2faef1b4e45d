/**
 * The engine: acquires due fires ahead of time, wakes at each fire's instant, writes its outcome to the
 * fire ledger exactly once, and runs what fired on this node's bounded pool; runs beyond the pool wait,
 * durably, in the store's queue.
 *
 * Life of a fire: a trigger is claimed (leased) and its fires up to `now + lookahead` are written as
 * pending ledger rows while the trigger advances (one transaction). At the instant, the pending row is
 * resolved (run / skipped per the overlap policy) together with the insertion of its run, and only then
 * does the run start. A crash anywhere leaves the ledger and run rows as the truth: pending fires are
 * taken back on restart (late ones follow the catch-up policy), running runs become `interrupted` and
 * are retried per the job's retry policy.
 */

import { messageOf } from '../domain/errors.js';
import { silentLogger, type Logger } from '../domain/logger.js';
import type { NodeInfo } from '../domain/types.js';
import type { Store, WakeTopic } from '../store/store.js';
import type { TimerHandle } from './clock.js';
import { CorrectedClock } from './corrected-clock.js';
import type { EngineConfig, EngineContext, EngineDeps, EngineState } from './engine-types.js';
import { FireLoop } from './fire-loop.js';
import { JobCache } from './job-cache.js';
import { Membership } from './membership.js';
import { Runner } from './runner.js';

export { DEFAULT_ENGINE_CONFIG } from './engine-types.js';
export type { EngineConfig, EngineDeps, EngineObserver, EngineState } from './engine-types.js';

export class Engine {
  readonly cache: JobCache;
  private readonly store: Store;
  /** The injected clock, corrected to the store's clock in a cluster (the time authority). */
  private readonly clock: CorrectedClock;
  private readonly membership: Membership;
  private readonly config: EngineConfig;
  private readonly log: Logger;
  private readonly ctx: EngineContext;
  private readonly runner: Runner;
  private readonly fires: FireLoop;
  private state: EngineState = 'stopped';
  private standby = false;
  private pollTimer: TimerHandle | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  /** The poll under way, awaited by stop() so none writes after the hand-back. */
  private polling: Promise<void> | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  /** This node told it joined (node.joined) and has not told it left. */
  private announced = false;
  /** When the poll loop last completed (readiness: the engine is ticking). */
  lastTickAt = 0;

  constructor(private readonly deps: EngineDeps) {
    this.store = deps.store;
    this.clock = new CorrectedClock(deps.clock);
    this.config = deps.config;
    this.log = deps.logger ?? silentLogger;
    this.cache = new JobCache(deps.store);
    this.membership = new Membership(deps.store, this.clock, { nodeId: deps.config.nodeId, nodeTtlMs: deps.config.nodeTtlMs, maxSkewMs: deps.config.maxClockSkewMs, host: deps.config.host, version: deps.config.version }, this.log, deps.clock.now());
    this.ctx = {
      store: deps.store,
      clock: this.clock,
      config: deps.config,
      log: this.log,
      observer: deps.observer ?? {},
      cache: this.cache,
      state: () => this.state,
      storeTrouble: false,
    };
    this.runner = new Runner(this.ctx, deps.executor, deps.secrets, {
      jobChanged: (id) => this.jobChanged(id),
      slotFreed: () => this.fires.slotFreed(),
    });
    this.fires = new FireLoop(this.ctx, this.runner, { cancelRun: (id) => this.cancelRun(id) });
  }

  /** Latest measured lateness of a scheduled run's start (ms). */
  get lastLatenessMs(): number {
    return this.runner.lastLatenessMs;
  }

  /** This node's clock skew against the store's (ms), and a warning when it is beyond the limit. */
  get clockSkew(): { skewMs: number; warning: string | null } {
    return { skewMs: this.membership.skewMs, warning: this.membership.skewWarning };
  }

  /** Readiness fails when the poll loop has not completed for this long. */
  get maxTickAgeMs(): number {
    return Math.max(10_000, this.config.pollIntervalMs * 10);
  }

  get nodeId(): string {
    return this.config.nodeId;
  }

  get status(): { state: EngineState; running: number; capacity: number; acquired: number; held: number; pendingWrites: number } {
    const pool = this.runner.pool;
    return {
      state: this.state,
      running: pool.size,
      capacity: pool.capacity,
      acquired: this.fires.acquiredCount,
      held: this.fires.heldCount,
      pendingWrites: this.runner.pendingWrites,
    };
  }

  /** Ids of the runs executing on this node. */
  runningIds(): string[] {
    return this.runner.pool.ids();
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'running';
    this.lastTickAt = this.clock.now();
    await this.heartbeat();
    await this.recover();
    this.standby = (await this.store.getSetting('scheduler.standby')) === true;
    if (this.standby) this.state = 'standby';
    this.unlisten = await this.store.listen((topic) => this.onWake(topic));
    this.scheduleHeartbeat();
    this.schedulePoll(0);
    this.log.info({ nodeId: this.nodeId, standby: this.standby }, 'engine started');
  }

  /**
   * Stops acquiring, lets running runs finish within `graceMs`, then interrupts the rest (they are
   * retried per their policy) and releases what this node holds.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.pollTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.fires.cancelTimer();
    // A poll or an acquisition under way may still write pending fires for this node: let it end first,
    // or they would outlive the hand-back below. Fires being resolved now have their runs written as
    // running: let them start, then wind down.
    await this.polling;
    await this.fires.acquisitionDone();
    await this.fires.settled();
    await this.unlisten?.().catch(() => undefined);
    await this.store.releaseTriggers(this.nodeId).catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'releasing triggers failed'));
    const pool = this.runner.pool;
    if (pool.size > 0) {
      if (graceMs > 0) await this.runner.waitIdle(graceMs);
      if (pool.size > 0) {
        this.log.warn({ runs: pool.size }, 'grace period over: interrupting running runs');
        pool.abortAll('shutdown');
        await this.runner.waitIdle(60_000);
      }
    }
    await this.runner.flush();
    // Hand the fires acquired ahead back to their triggers: another node (or this one after a restart)
    // acquires them again.
    this.fires.dropAll();
    await this.store.rewindPendingFires([this.nodeId], null).catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'giving back acquired fires failed'));
    await this.store.removeNode(this.nodeId).catch(() => undefined);
    if (this.announced) {
      this.announced = false;
      this.ctx.observer.nodeLeft?.({ ...this.membership.self, reason: 'stopped', source: 'self' });
    }
    this.state = 'stopped';
    this.log.info({ nodeId: this.nodeId }, 'engine stopped');
  }

  /** Look for work now (acquire due triggers, claim queued runs) on this node. */
  wake(): void {
    if (this.state !== 'running' && this.state !== 'standby') return;
    this.fires.scheduleAcquire();
    this.runner.schedulePump();
  }

  /**
   * A job's schedule or state changed: forget what was acquired for it (the store dropped its pending
   * fires) and tell every node to look again.
   */
  jobChanged(jobId: string): void {
    this.cache.invalidate(jobId);
    this.fires.removeJob(jobId);
    this.wake();
    this.announce('triggers');
  }

  /** Runs were queued (a manual trigger): claim them here or on any node with room. */
  runsQueued(): void {
    this.runner.noteQueued();
    this.runner.schedulePump();
    this.announce('runs');
  }

  /** Cancels a run running here, queued, or (in a cluster) running on another node; false when none. */
  async cancelRun(runId: string): Promise<boolean> {
    if (this.runner.cancelLocal(runId)) return true;
    if (this.runner.finishedUnwritten(runId)) {
      // It ended here a moment ago: once its end is written the caller reads it as finished.
      await this.runner.flush();
      return false;
    }
    const now = this.clock.now();
    if (await this.store.cancelQueuedRun(runId, now)) return true;
    if (this.runner.cancelLocal(runId)) return true;
    const run = await this.store.getRun(runId);
    if (run?.status === 'running' && run.nodeId === this.config.nodeId) {
      // Claimed or fired by this node, its start still on its way to the pool: cancel it as it starts.
      this.runner.cancelOnArrival(runId);
      return true;
    }
    if (this.store.capabilities.multiNode && (await this.store.requestCancel(runId, now))) {
      this.announce('cancel');
      return true;
    }
    return false;
  }

  private announce(topic: WakeTopic): void {
    if (!this.store.capabilities.notifications) return;
    this.store.notify(topic).catch((err: unknown) => this.log.warn({ err: messageOf(err), topic }, 'notifying other nodes failed'));
  }

  /** A wake-up from another node. */
  private onWake(topic: WakeTopic): void {
    if (topic === 'triggers') this.fires.scheduleAcquire();
    else if (topic === 'runs') {
      this.runner.noteQueued();
      this.runner.schedulePump();
    }
    else if (topic === 'scheduler') void this.readStandby().catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'reading the scheduler state failed'));
    else void this.applyCancelRequests();
  }

  /** Follows the cluster's standby setting (changed here, on another node, or in the store). */
  private async readStandby(): Promise<void> {
    const standby = (await this.store.getSetting('scheduler.standby')) === true;
    if (standby !== this.standby) await this.applyStandby(standby);
  }

  /** Aborts runs of this node whose cancellation another node asked for. */
  private async applyCancelRequests(): Promise<void> {
    if (!this.store.capabilities.multiNode) return;
    for (const id of await this.store.cancelRequests(this.nodeId)) this.runner.pool.abort(id, 'cancel');
  }

  /**
   * Enters or leaves standby on this node (the setting is shared by the cluster). Entering gives back the
   * fires acquired ahead, so that on start they are computed again with everything missed meanwhile and
   * the catch-up policy decides them once.
   */
  async setStandby(standby: boolean): Promise<void> {
    await this.applyStandby(standby);
    this.announce('scheduler');
  }

  private async applyStandby(standby: boolean): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.standby = standby;
    this.state = standby ? 'standby' : 'running';
    if (standby) {
      this.fires.cancelTimer();
      this.fires.dropAcquired();
      await this.store.rewindPendingFires([this.nodeId], null);
      return;
    }
    this.fires.releaseHeld();
    this.wake();
  }

  // --- loops --------------------------------------------------------------------------------------

  private schedulePoll(delay = this.config.pollIntervalMs): void {
    this.pollTimer?.cancel();
    this.pollTimer = this.clock.at(this.clock.now() + delay, () => void this.poll());
  }

  private async poll(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    if (this.polling === null) {
      this.polling = this.pollOnce().finally(() => {
        this.polling = null;
      });
      await this.polling;
    }
    if (this.state === 'running' || this.state === 'standby') this.schedulePoll();
  }

  private async pollOnce(): Promise<void> {
    const steps: (() => Promise<void> | void)[] = [
      () => this.readStandby(),
      () => this.deps.maintenance?.(),
      () => this.fires.retryFailed(),
      () => this.fires.acquire(),
      // Another process (a retry come due, a node that queued and died) may have queued runs.
      () => this.runner.noteQueued(),
      () => this.runner.pump(),
      () => this.applyCancelRequests(),
      () => this.runner.reconcile(),
      () => this.runner.prune(),
    ];
    try {
      for (const step of steps) {
        if (this.state === 'stopping') return; // stop() takes over from here
        await step();
      }
      this.lastTickAt = this.clock.now();
    } catch (err) {
      this.ctx.storeTrouble = true;
      this.log.error({ err: messageOf(err) }, 'engine poll failed');
    }
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer = this.clock.at(this.clock.now() + this.config.heartbeatMs, () => {
      if (this.state === 'stopped' || this.state === 'stopping') return;
      void this.heartbeat().finally(() => this.scheduleHeartbeat());
    });
  }

  /**
   * Refreshes this node's row (measuring clock skew); the first time, tells that this node joined. In a
   * cluster, tells which nodes joined and left since the last heartbeat, takes over the work of nodes
   * whose heartbeat stopped, and stands down if this node itself was declared dead while it could not
   * reach the store.
   */
  private async heartbeat(): Promise<void> {
    const state = this.state === 'standby' ? 'standby' : this.state === 'stopping' ? 'stopping' : 'active';
    const result = await this.membership.heartbeat(state);
    if (result === 'store-down') {
      this.ctx.storeTrouble = true;
      return;
    }
    if (result === 'declared-dead') this.standDown();
    if (!this.announced && this.state !== 'stopping') {
      this.announced = true;
      this.ctx.observer.nodeJoined?.({ ...this.membership.self, source: 'self' });
    }
    if (!this.store.capabilities.multiNode || this.state === 'stopping') return;
    try {
      const { dead, joined, left } = await this.membership.survey();
      for (const n of joined) this.ctx.observer.nodeJoined?.({ ...n, source: 'seen' });
      for (const n of left) this.ctx.observer.nodeLeft?.({ ...n, source: 'seen' });
      if (dead.length) await this.takeOver(dead.map((n) => n.id), false, dead);
    } catch (err) {
      this.log.error({ err: messageOf(err) }, 'taking over dead nodes failed');
    }
  }

  /**
   * The others declared this node dead (it could not heartbeat for the node TTL): its runs were
   * interrupted and retried elsewhere, its fires taken over. Stop what is left of them and carry on as a
   * fresh member.
   */
  private standDown(): void {
    this.log.warn({ nodeId: this.nodeId, running: this.runner.pool.size, acquired: this.fires.acquiredCount }, 'this node was declared dead by the cluster while it could not reach the store: dropping its runs and fires');
    this.runner.pool.abortAll('cancel');
    this.fires.dropAll();
    this.cache.clear();
    // It left (for the others) and joins again: heartbeat() tells the second part.
    if (this.announced) this.ctx.observer.nodeLeft?.({ ...this.membership.self, reason: 'dead', source: 'self' });
    this.announced = false;
  }

  // --- recovery -----------------------------------------------------------------------------------

  /**
   * At start-up: takes back what dead nodes (and this node's previous life) left. Holders of pending
   * fires or running runs that are not alive are dead.
   */
  private async recover(): Promise<void> {
    const now = this.clock.now();
    const alive = new Set<string>();
    const stale: NodeInfo[] = [];
    if (this.store.capabilities.multiNode) {
      for (const n of await this.store.listNodes()) {
        if (n.id === this.nodeId) continue;
        if (now - n.heartbeatAt <= this.config.nodeTtlMs) alive.add(n.id);
        else stale.push(n);
      }
    }
    const holders = new Set<string>([this.nodeId]);
    for (const f of await this.store.listPendingFires(100_000)) holders.add(f.nodeId);
    for (const r of await this.store.activeRuns()) if (r.status === 'running' && r.nodeId) holders.add(r.nodeId);
    await this.takeOver([...holders].filter((id) => !alive.has(id)), true, stale);
  }

  /**
   * The work of dead nodes: their running runs become `interrupted` and are retried per their policy;
   * their fires older than the misfire threshold are given back to their triggers (the next acquisition
   * applies the catch-up policy once to them and to everything missed after them); the recent ones are
   * taken over and fired here. Safe when several survivors do it at once: each row moves once. The nodes
   * among `rows` (the dead ones' rows as listed) are told to have left.
   */
  private async takeOver(dead: string[], includesSelf: boolean, rows: NodeInfo[] = []): Promise<void> {
    const now = this.clock.now();
    const interrupted = await this.store.interruptRuns(dead, now, 'the node running it stopped');
    for (const run of interrupted) {
      this.ctx.observer.runFinished?.({ runId: run.id, jobId: run.jobId, status: 'interrupted', startedAt: run.startedAt, finishedAt: now, error: run.error });
      await this.runner.afterFailure(run);
    }
    const rewound = await this.store.rewindPendingFires(dead, now - this.config.misfireThresholdMs);
    const others = dead.filter((id) => id !== this.nodeId);
    const taken = others.length ? await this.store.takeOverPendingFires(others, this.nodeId) : [];
    const mine = includesSelf ? await this.store.pendingFires([this.nodeId]) : taken;
    this.fires.add(mine);
    // Triggers they had claimed but not yet committed (a lease outlives the node TTL): free now.
    for (const id of dead) if (id !== this.nodeId) await this.store.releaseTriggers(id);
    for (const id of others) await this.store.removeNode(id);
    for (const n of rows) {
      if (n.id !== this.nodeId && dead.includes(n.id)) this.ctx.observer.nodeLeft?.({ nodeId: n.id, host: n.host, startedAt: n.startedAt, version: n.version, reason: 'dead', source: 'takeover' });
    }
    if (interrupted.length || mine.length || rewound || others.length) {
      this.log.info({ interrupted: interrupted.length, pendingFires: mine.length, rewound, takenOver: taken.length, fromNodes: others }, includesSelf ? 'recovered after restart' : 'took over the work of dead nodes');
    }
    if (rewound) this.fires.scheduleAcquire();
  }
}
