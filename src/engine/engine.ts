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
import { uuidv7 } from '../domain/ids.js';
import { silentLogger, type Logger } from '../domain/logger.js';
import type { Job, RunStatus, StepResult } from '../domain/types.js';
import type { DirectFire, FireResolution, NewRun, PendingFire, RunFinish, Store, WakeTopic } from '../store/store.js';
import { planAcquisition, type AcquisitionPlan } from './acquisition.js';
import { Batcher } from './batcher.js';
import type { Clock, TimerHandle } from './clock.js';
import { CorrectedClock } from './corrected-clock.js';
import { Membership } from './membership.js';
import type { ExecuteResult, ExecutorPort } from './executor-port.js';
import { JobCache, type CachedJob } from './job-cache.js';
import { FireQueue } from './fire-queue.js';
import { decideOverlap, planCatchUp, type JobActivity } from './policies.js';
import { retryDelayMs } from './retry.js';
import { parseDuration } from '../schedule/instant.js';
import { revealDefinition, scrub, secretValues, type SecretBox } from '../domain/secrets.js';
import { RunPool, type AbortReason, type StartedRun } from './run-pool.js';

export interface EngineConfig {
  nodeId: string;
  /** Runs executing at once on this node. */
  concurrency: number;
  /** Fires are acquired this far ahead of their instant. */
  lookaheadMs: number;
  /** How often the store is polled for due triggers and queued runs (wake-ups come sooner). */
  pollIntervalMs: number;
  /** Triggers claimed per store call. */
  acquireBatch: number;
  /** How long a claimed trigger stays leased. */
  leaseMs: number;
  /** A fire later than this is treated as missed (the job's catch-up policy decides). */
  misfireThresholdMs: number;
  heartbeatMs: number;
  /** A node whose heartbeat is older than this is dead (cluster). */
  nodeTtlMs: number;
  /** Fires resolved per store transaction at one instant. */
  resolveChunk: number;
  /** Finished runs kept per job; older ones are pruned in the background. */
  runRetention: number;
  /** Clock skew against the store beyond this is a warning. */
  maxClockSkewMs: number;
  version: string;
  host: string;
}

export const DEFAULT_ENGINE_CONFIG: Omit<EngineConfig, 'nodeId' | 'version' | 'host'> = {
  concurrency: 64,
  lookaheadMs: 2000,
  pollIntervalMs: 500,
  acquireBatch: 1000,
  leaseMs: 30_000,
  misfireThresholdMs: 5000,
  heartbeatMs: 2000,
  nodeTtlMs: 15_000,
  resolveChunk: 500,
  runRetention: 1000,
  maxClockSkewMs: 1000,
};

/** What the engine reports as it works (metrics, live events). */
export interface EngineObserver {
  fire?(e: { jobId: string; scheduledFor: number; outcome: string; runId: string | null; firedAt: number }): void;
  runStarted?(e: { runId: string; jobId: string; trigger: string; scheduledFor: number | null; startedAt: number }): void;
  runFinished?(e: { runId: string; jobId: string; status: RunStatus; startedAt: number | null; finishedAt: number; error: string | null }): void;
  stepFinished?(runId: string, jobId: string, step: StepResult): void;
  output?(runId: string, position: number, phase: 'main' | 'onFailure', chunk: string): void;
}

export interface EngineDeps {
  store: Store;
  executor: ExecutorPort;
  clock: Clock;
  config: EngineConfig;
  logger?: Logger;
  observer?: EngineObserver;
  /** Runs on every poll (the service resumes jobs whose pause expired). */
  maintenance?: () => Promise<void>;
  /** Opens the sealed secrets of a job for its run (and scrubs them from what the run reports). */
  secrets?: SecretBox;
}

export type EngineState = 'stopped' | 'running' | 'standby' | 'stopping';

export class Engine {
  readonly cache: JobCache;
  private readonly store: Store;
  /** The injected clock, corrected to the store's clock in a cluster (the time authority). */
  private readonly clock: CorrectedClock;
  private readonly membership: Membership;
  /** Fires whose resolution failed (store unreachable): tried again, late, once the store answers. */
  private retryFires: PendingFire[] = [];
  /** A store call failed since the last reconcile: runs may have been written but not started. */
  private storeTrouble = false;
  private readonly config: EngineConfig;
  private readonly log: Logger;
  private readonly observer: EngineObserver;
  private readonly pool: RunPool;
  private readonly queue = new FireQueue();
  private readonly finishes: Batcher<RunFinish>;
  private state: EngineState = 'stopped';
  private standby = false;
  private held: PendingFire[] = [];
  private fireTimer: { at: number; handle: TimerHandle } | null = null;
  private pollTimer: TimerHandle | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  private readonly busy = { acquire: false, fire: false, pump: false, poll: false };
  /**
   * Runs may be waiting in the store's queue (so claiming is worth a query): set when runs are queued
   * here or elsewhere (wake-up), a retry comes due, or an exclusive run ends; cleared when a claim finds
   * fewer runs than it had room for.
   */
  private mayHaveQueued = true;
  private readonly again = { acquire: false, fire: false, pump: false };
  private startedAt = 0;
  private idleWaiters: (() => void)[] = [];
  private unlisten: (() => Promise<void>) | null = null;
  /** Jobs with runs finished since the last pruning. */
  private readonly pruneCandidates = new Set<string>();
  private lastPruneAt = 0;
  /** Latest measured lateness per fire, for status. */
  lastLatenessMs = 0;
  /** When the poll loop last completed (readiness: the engine is ticking). */
  lastTickAt = 0;

  constructor(private readonly deps: EngineDeps) {
    this.store = deps.store;
    this.clock = new CorrectedClock(deps.clock);
    this.config = deps.config;
    this.log = deps.logger ?? silentLogger;
    this.observer = deps.observer ?? {};
    this.cache = new JobCache(deps.store);
    this.membership = new Membership(deps.store, this.clock, { nodeId: deps.config.nodeId, nodeTtlMs: deps.config.nodeTtlMs, maxSkewMs: deps.config.maxClockSkewMs, host: deps.config.host, version: deps.config.version }, this.log, deps.clock.now());
    const observer = this.observer;
    this.pool = new RunPool(deps.config.concurrency, deps.executor, {
      onFinished: (run, result, aborted) => this.onRunFinished(run, result, aborted),
      onOutput: observer.output ? (id, p, ph, c) => observer.output?.(id, p, ph, c) : undefined,
      onStepFinished: observer.stepFinished ? (id, r) => observer.stepFinished?.(id, this.jobOfRun(id), r) : undefined,
    });
    this.finishes = new Batcher<RunFinish>(
      async (items) => {
        await this.store.finishRuns(items);
        // A finished exclusive run may let a waiting run of its job start.
        if (this.mayHaveQueued) this.schedulePump();
      },
      (err, items) => this.log.error({ err: messageOf(err), runs: items.length }, 'recording finished runs failed; retrying'),
    );
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
    return {
      state: this.state,
      running: this.pool.size,
      capacity: this.pool.capacity,
      acquired: this.queue.size,
      held: this.held.length,
      pendingWrites: this.finishes.size,
    };
  }

  /** Ids of the runs executing on this node. */
  runningIds(): string[] {
    return this.pool.ids();
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'running';
    this.startedAt = this.clock.now();
    this.lastTickAt = this.startedAt;
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
    this.fireTimer?.handle.cancel();
    this.fireTimer = null;
    await this.unlisten?.().catch(() => undefined);
    await this.store.releaseTriggers(this.nodeId).catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'releasing triggers failed'));
    if (this.pool.size > 0) {
      if (graceMs > 0) await this.waitIdle(graceMs);
      if (this.pool.size > 0) {
        this.log.warn({ runs: this.pool.size }, 'grace period over: interrupting running runs');
        this.pool.abortAll('shutdown');
        await this.waitIdle(60_000);
      }
    }
    await this.finishes.flush();
    // Hand the fires acquired ahead back to their triggers: another node (or this one after a restart)
    // acquires them again.
    this.queue.drain();
    await this.store.rewindPendingFires([this.nodeId], null).catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'giving back acquired fires failed'));
    await this.store.removeNode(this.nodeId).catch(() => undefined);
    this.state = 'stopped';
    this.log.info({ nodeId: this.nodeId }, 'engine stopped');
  }

  /** Look for work now (acquire due triggers, claim queued runs) on this node. */
  wake(): void {
    if (this.state !== 'running' && this.state !== 'standby') return;
    this.scheduleAcquire();
    this.schedulePump();
  }

  /**
   * A job's schedule or state changed: forget what was acquired for it (the store dropped its pending
   * fires) and tell every node to look again.
   */
  jobChanged(jobId: string): void {
    this.cache.invalidate(jobId);
    this.queue.removeJob(jobId);
    this.wake();
    this.announce('triggers');
  }

  /** Runs were queued (a manual trigger): claim them here or on any node with room. */
  runsQueued(): void {
    this.mayHaveQueued = true;
    this.schedulePump();
    this.announce('runs');
  }

  /** Cancels a run running here, queued, or (in a cluster) running on another node; false when none. */
  async cancelRun(runId: string): Promise<boolean> {
    if (this.pool.abort(runId, 'cancel')) return true;
    const now = this.clock.now();
    if (await this.store.cancelQueuedRun(runId, now)) return true;
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
    if (topic === 'triggers') this.scheduleAcquire();
    else if (topic === 'runs') {
      this.mayHaveQueued = true;
      this.schedulePump();
    }
    else void this.applyCancelRequests();
  }

  /** Aborts runs of this node whose cancellation another node asked for. */
  private async applyCancelRequests(): Promise<void> {
    if (!this.store.capabilities.multiNode) return;
    for (const id of await this.store.cancelRequests(this.nodeId)) this.pool.abort(id, 'cancel');
  }

  /**
   * Enters or leaves standby on this node (the setting is shared by the cluster). Entering gives back the
   * fires acquired ahead, so that on start they are computed again with everything missed meanwhile and
   * the catch-up policy decides them once.
   */
  async setStandby(standby: boolean): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.standby = standby;
    this.state = standby ? 'standby' : 'running';
    if (standby) {
      this.fireTimer?.handle.cancel();
      this.fireTimer = null;
      this.queue.drain();
      await this.store.rewindPendingFires([this.nodeId], null);
      return;
    }
    if (this.held.length) {
      for (const f of this.held) this.queue.add(f);
      this.held = [];
      this.scheduleFire();
    }
    this.wake();
  }

  // --- loops --------------------------------------------------------------------------------------

  private schedulePoll(delay = this.config.pollIntervalMs): void {
    this.pollTimer?.cancel();
    this.pollTimer = this.clock.at(this.clock.now() + delay, () => void this.poll());
  }

  private async poll(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    if (!this.busy.poll) {
      this.busy.poll = true;
      try {
        const standby = (await this.store.getSetting('scheduler.standby')) === true;
        if (standby !== this.standby) await this.setStandby(standby);
        if (this.deps.maintenance) await this.deps.maintenance();
        if (this.retryFires.length) {
          for (const f of this.retryFires) this.queue.add(f);
          this.retryFires = [];
          this.scheduleFire();
        }
        await this.acquire();
        // Another process (a retry come due, a node that queued and died) may have queued runs.
        this.mayHaveQueued = true;
        await this.pump();
        await this.applyCancelRequests();
        await this.reconcile();
        await this.prune();
        this.lastTickAt = this.clock.now();
      } catch (err) {
        this.storeTrouble = true;
        this.log.error({ err: messageOf(err) }, 'engine poll failed');
      } finally {
        this.busy.poll = false;
      }
    }
    if (this.state === 'running' || this.state === 'standby') this.schedulePoll();
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer = this.clock.at(this.clock.now() + this.config.heartbeatMs, () => {
      if (this.state === 'stopped' || this.state === 'stopping') return;
      void this.heartbeat().finally(() => this.scheduleHeartbeat());
    });
  }

  /**
   * Refreshes this node's row (measuring clock skew). In a cluster, takes over the work of nodes whose
   * heartbeat stopped, and stands down if this node itself was declared dead while it could not reach
   * the store.
   */
  private async heartbeat(): Promise<void> {
    const state = this.state === 'standby' ? 'standby' : this.state === 'stopping' ? 'stopping' : 'active';
    const result = await this.membership.heartbeat(state);
    if (result === 'store-down') {
      this.storeTrouble = true;
      return;
    }
    if (result === 'declared-dead') await this.standDown();
    if (!this.store.capabilities.multiNode || this.state === 'stopping') return;
    try {
      const dead = await this.membership.deadNodes();
      if (dead.length) await this.takeOver(dead, false);
    } catch (err) {
      this.log.error({ err: messageOf(err) }, 'taking over dead nodes failed');
    }
  }

  /**
   * The others declared this node dead (it could not heartbeat for the node TTL): its runs were
   * interrupted and retried elsewhere, its fires taken over. Stop what is left of them and carry on as a
   * fresh member.
   */
  private async standDown(): Promise<void> {
    this.log.warn({ nodeId: this.nodeId, running: this.pool.size, acquired: this.queue.size }, 'this node was declared dead by the cluster while it could not reach the store: dropping its runs and fires');
    this.pool.abortAll('cancel');
    this.queue.drain();
    this.held = [];
    this.retryFires = [];
    this.cache.clear();
  }

  private scheduleAcquire(): void {
    if (this.busy.acquire) {
      this.again.acquire = true;
      return;
    }
    setImmediate(() => void this.acquire().catch((err: unknown) => this.log.error({ err: messageOf(err) }, 'acquisition failed')));
  }

  private schedulePump(): void {
    if (this.busy.pump) {
      this.again.pump = true;
      return;
    }
    setImmediate(() => void this.pump().catch((err: unknown) => this.log.error({ err: messageOf(err) }, 'claiming queued runs failed')));
  }

  // --- acquisition --------------------------------------------------------------------------------

  private async acquire(): Promise<void> {
    if (this.busy.acquire) {
      this.again.acquire = true;
      return;
    }
    this.busy.acquire = true;
    try {
      for (;;) {
        this.again.acquire = false;
        if (this.state !== 'running') return;
        const now = this.clock.now();
        const horizon = now + this.config.lookaheadMs;
        const claimed = await this.store.claimDueTriggers(this.nodeId, now, horizon, this.config.acquireBatch, now + this.config.leaseMs);
        if (claimed.length === 0 && !this.again.acquire) return;
        if (claimed.length) await this.acquireClaimed(claimed, now, horizon);
        if (claimed.length < this.config.acquireBatch && !this.again.acquire) return;
        // Let due timers run between batches: a big acquisition must not make fires late.
        await yieldToTimers();
      }
    } finally {
      this.busy.acquire = false;
    }
  }

  private async acquireClaimed(claimed: { jobId: string; nextFireAt: number; version: number }[], now: number, horizon: number): Promise<void> {
    const jobs = await this.cache.load(claimed.map((c) => ({ jobId: c.jobId, version: c.version })));
    const plans: AcquisitionPlan[] = [];
    const direct: DirectFire[] = [];
    for (const claim of claimed) {
      const cached = jobs.get(claim.jobId);
      if (!cached) continue; // deleted since: its trigger is gone, the lease with it
      let plan: AcquisitionPlan;
      try {
        plan = planAcquisition(claim, cached, now, horizon, {
          misfireThresholdMs: this.config.misfireThresholdMs,
          maxMissedFires: 10_000,
          maxFiresPerJob: 1000,
        });
      } catch (err) {
        this.log.error({ jobId: claim.jobId, err: messageOf(err) }, 'computing fires failed');
        continue;
      }
      plans.push(plan);
      if (plan.catchUp) {
        if (plan.skipped) this.log.warn({ jobId: claim.jobId, skipped: plan.skipped }, 'more missed fires than are examined; the oldest were skipped without a ledger row');
        direct.push(...this.catchUpFires(cached, plan.catchUp.run, plan.catchUp.missed, now));
      }
    }
    if (direct.length) await this.writeDirectFires(direct);
    const inserted = await this.store.commitAcquisitions(
      this.nodeId,
      plans.map((p) => p.acquisition),
    );
    for (const fire of inserted) this.queue.add(fire);
    if (inserted.length) this.scheduleFire();
  }

  /** Ledger rows for fires missed beyond the threshold: catch-up runs queue (one at a time per job unless allowed). */
  private catchUpFires(cached: CachedJob, run: number[], missed: number[], now: number): DirectFire[] {
    const out: DirectFire[] = [];
    for (const t of missed) out.push({ jobId: cached.job.id, scheduledFor: t, outcome: 'missed', firedAt: now, run: null });
    for (const t of run) {
      out.push({ jobId: cached.job.id, scheduledFor: t, outcome: 'run', firedAt: now, run: this.newRun(cached.job, 'catchUp', t, now, false) });
    }
    return out;
  }

  private async writeDirectFires(fires: DirectFire[]): Promise<void> {
    const written = await this.store.insertFires(fires);
    for (const f of written) {
      this.observer.fire?.({ jobId: f.jobId, scheduledFor: f.scheduledFor, outcome: f.outcome, runId: f.run?.id ?? null, firedAt: f.firedAt });
    }
    if (written.some((f) => f.run)) {
      this.mayHaveQueued = true;
      this.schedulePump();
    }
  }

  // --- firing -------------------------------------------------------------------------------------

  private scheduleFire(): void {
    const next = this.queue.earliest();
    if (next === undefined) return;
    if (this.fireTimer && this.fireTimer.at <= next) return;
    this.fireTimer?.handle.cancel();
    this.fireTimer = { at: next, handle: this.clock.at(next, () => {
      this.fireTimer = null;
      void this.fireDue();
    }) };
  }

  private async fireDue(): Promise<void> {
    if (this.busy.fire) {
      this.again.fire = true;
      return;
    }
    this.busy.fire = true;
    try {
      do {
        this.again.fire = false;
        const due = this.queue.takeDue(this.clock.now());
        if (!due.length) break;
        if (this.standby || this.state !== 'running') {
          this.held.push(...due);
          continue;
        }
        for (let i = 0; i < due.length; i += this.config.resolveChunk) {
          if (i > 0) await yieldToTimers();
          const chunk = due.slice(i, i + this.config.resolveChunk);
          try {
            await this.resolveChunk(chunk);
          } catch (err) {
            // The store failed: keep the fires and try again once it answers (they will be late; past
            // the misfire threshold the catch-up policy decides). Resolution is idempotent.
            this.storeTrouble = true;
            this.retryFires.push(...chunk);
            this.log.error({ err: messageOf(err), fires: chunk.length }, 'resolving fires failed; will retry');
          }
        }
      } while (this.again.fire || (this.queue.earliest() ?? Infinity) <= this.clock.now());
    } catch (err) {
      this.log.error({ err: messageOf(err) }, 'firing failed');
    } finally {
      this.busy.fire = false;
      this.scheduleFire();
    }
  }

  private async resolveChunk(fires: PendingFire[]): Promise<void> {
    const now = this.clock.now();
    const jobs = await this.cache.load(fires.map((f) => ({ jobId: f.jobId })));
    const late = new Map<string, number[]>();
    const onTime: PendingFire[] = [];
    for (const f of fires) {
      if (f.scheduledFor < now - this.config.misfireThresholdMs) {
        const list = late.get(f.jobId) ?? [];
        list.push(f.scheduledFor);
        late.set(f.jobId, list);
      } else {
        onTime.push(f);
      }
    }
    const exclusive = [...new Set(onTime.map((f) => f.jobId))].filter((id) => (jobs.get(id)?.job.overlap ?? 'allow') !== 'allow');
    const activity = exclusive.length ? await this.activity(exclusive) : new Map<string, JobActivity>();
    const resolutions: FireResolution[] = [];
    const cancels: string[] = [];
    let reserved = 0;
    for (const f of onTime) {
      const cached = jobs.get(f.jobId);
      if (!cached) continue;
      const job = cached.job;
      const decision = decideOverlap(job.overlap, activity.get(job.id));
      if (decision.outcome === 'skipped') {
        resolutions.push({ jobId: f.jobId, scheduledFor: f.scheduledFor, outcome: 'skipped', firedAt: now, run: null });
        continue;
      }
      cancels.push(...decision.cancel);
      const start = !decision.wait && decision.cancel.length === 0 && this.pool.reserve(1) === 1;
      if (start) reserved++;
      const run = this.newRun(job, 'schedule', f.scheduledFor, now, start);
      resolutions.push({ jobId: f.jobId, scheduledFor: f.scheduledFor, outcome: 'run', firedAt: now, run });
      const act = activity.get(job.id) ?? { running: [], queued: [] };
      (start ? act.running : act.queued).push(run.id);
      activity.set(job.id, act);
    }
    for (const [jobId, instants] of late) {
      const cached = jobs.get(jobId);
      if (!cached) continue;
      // Held past the threshold (standby, a stalled process, taken over from a dead node): catch-up policy.
      const plan = planCatchUp(instants, cached.job.catchUp.policy, durationMs(cached.job.catchUp.window, 3_600_000), now);
      for (const t of plan.missed) resolutions.push({ jobId, scheduledFor: t, outcome: 'missed', firedAt: now, run: null });
      for (const t of plan.run) resolutions.push({ jobId, scheduledFor: t, outcome: 'run', firedAt: now, run: this.newRun(cached.job, 'catchUp', t, now, false) });
    }
    let applied: FireResolution[];
    try {
      applied = await this.store.resolveFires(this.nodeId, resolutions);
    } finally {
      this.pool.release(reserved);
    }
    let queued = false;
    for (const r of applied) {
      this.observer.fire?.({ jobId: r.jobId, scheduledFor: r.scheduledFor, outcome: r.outcome, runId: r.run?.id ?? null, firedAt: r.firedAt });
      const run = r.run;
      if (!run) continue;
      if (run.status === 'running') {
        const cached = jobs.get(run.jobId);
        if (cached) this.startLocal(run, cached.job);
      } else {
        queued = true;
      }
    }
    for (const id of cancels) await this.cancelRun(id);
    if (queued) this.mayHaveQueued = true;
    if (queued || cancels.length) this.schedulePump();
  }

  private async activity(jobIds: string[]): Promise<Map<string, JobActivity>> {
    const map = new Map<string, JobActivity>();
    for (const r of await this.store.activeRuns(jobIds)) {
      const act = map.get(r.jobId) ?? { running: [], queued: [] };
      (r.status === 'running' ? act.running : act.queued).push(r.id);
      map.set(r.jobId, act);
    }
    return map;
  }

  private newRun(job: Job, trigger: NewRun['trigger'], scheduledFor: number | null, now: number, start: boolean): NewRun {
    return {
      id: uuidv7(now),
      jobId: job.id,
      trigger,
      scheduledFor,
      queuedAt: now,
      status: start ? 'running' : 'queued',
      nodeId: start ? this.nodeId : null,
      startedAt: start ? now : null,
      attempt: 1,
      retryOf: null,
      notBefore: null,
      payload: null,
      exclusive: job.overlap !== 'allow',
    };
  }

  // --- running ------------------------------------------------------------------------------------

  private readonly runJobs = new Map<string, string>();
  /** Runs that could not start properly (secrets unreadable): their finish says why. */
  private readonly failOnStart = new Map<string, string>();

  private jobOfRun(runId: string): string {
    return this.runJobs.get(runId) ?? '';
  }

  private startLocal(run: { id: string; jobId: string; trigger: NewRun['trigger']; scheduledFor: number | null; startedAt: number | null; attempt: number; payload: unknown }, job: Job): void {
    // The instant the steps really begin (after the fire's commit): what lateness is measured on, and
    // what the run row records once the run finishes.
    const startedAt = this.clock.now();
    const started: StartedRun = { id: run.id, jobId: run.jobId, trigger: run.trigger, scheduledFor: run.scheduledFor, startedAt, attempt: run.attempt, payload: run.payload };
    if (run.scheduledFor !== null && run.trigger === 'schedule') this.lastLatenessMs = startedAt - run.scheduledFor;
    this.runJobs.set(run.id, run.jobId);
    this.observer.runStarted?.({ runId: run.id, jobId: run.jobId, trigger: run.trigger, scheduledFor: run.scheduledFor, startedAt });
    const box = this.deps.secrets;
    if (!box) {
      this.pool.start(started, job);
      return;
    }
    let revealed: Job;
    let secrets: string[];
    try {
      revealed = revealDefinition(box, job);
      secrets = secretValues(box, job);
    } catch (err) {
      // A secret this node cannot open (another SKED_SECRET_KEY): the run fails and says so.
      this.pool.start(started, { ...job, steps: [], onFailure: [] });
      this.log.error({ runId: run.id, jobId: run.jobId, err: messageOf(err) }, 'cannot open the secrets of a job');
      this.failOnStart.set(run.id, messageOf(err));
      return;
    }
    this.pool.start(started, revealed, (text) => scrub(text, secrets));
  }

  /** Claims queued runs from the store while this node has free slots. */
  private async pump(): Promise<void> {
    if (this.busy.pump) {
      this.again.pump = true;
      return;
    }
    if (this.state !== 'running' && this.state !== 'standby') return;
    if (!this.mayHaveQueued) return;
    this.busy.pump = true;
    try {
      do {
        this.again.pump = false;
        const free = this.pool.reserve(this.pool.free);
        if (free === 0) return;
        let runs;
        try {
          runs = await this.store.claimQueuedRuns(this.nodeId, this.clock.now(), free);
        } finally {
          this.pool.release(free);
        }
        if (runs.length < free) this.mayHaveQueued = false;
        if (!runs.length) break;
        const jobs = await this.cache.load(runs.map((r) => ({ jobId: r.jobId })));
        for (const run of runs) {
          const cached = jobs.get(run.jobId);
          if (cached) {
            this.startLocal(run, cached.job);
          } else {
            const at = this.clock.now();
            this.finishes.add({ id: run.id, jobId: run.jobId, status: 'failed', startedAt: run.startedAt, finishedAt: at, error: 'the job no longer exists', steps: [], failed: true });
          }
        }
        if (runs.length === free) this.again.pump = true;
      } while (this.again.pump);
    } finally {
      this.busy.pump = false;
    }
  }

  /** Keeps at most runRetention finished runs per job, a few hundred jobs every 10 s. */
  private async prune(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastPruneAt < 10_000 || this.pruneCandidates.size === 0) return;
    this.lastPruneAt = now;
    let n = 0;
    for (const jobId of this.pruneCandidates) {
      this.pruneCandidates.delete(jobId);
      await this.store.pruneRuns(jobId, this.config.runRetention);
      if (++n >= 500) break;
    }
  }

  private onRunFinished(run: StartedRun, outcome: ExecuteResult, aborted: AbortReason | null): void {
    this.runJobs.delete(run.id);
    const startError = this.failOnStart.get(run.id);
    this.failOnStart.delete(run.id);
    const result: ExecuteResult = startError === undefined ? outcome : { ...outcome, status: 'failed', error: startError };
    this.pruneCandidates.add(run.jobId);
    const status: RunStatus = aborted === 'shutdown' ? 'interrupted' : result.status;
    const failed = status === 'failed' || status === 'timedOut' || status === 'interrupted';
    const finishedAt = this.clock.now();
    this.finishes.add({ id: run.id, jobId: run.jobId, status, startedAt: run.startedAt, finishedAt, error: aborted === 'shutdown' ? 'the node shut down while the run was running' : result.error, steps: result.steps, failed: status === 'failed' || status === 'timedOut' });
    this.observer.runFinished?.({ runId: run.id, jobId: run.jobId, status, startedAt: run.startedAt, finishedAt, error: result.error });
    if (failed) void this.afterFailure(run.jobId, run.id, run.attempt, run.payload, run.scheduledFor, run.trigger).catch((err: unknown) => this.log.error({ err: messageOf(err), runId: run.id }, 'scheduling a retry failed'));
    if (this.pool.size === 0) this.notifyIdle();
    if (this.cache.exclusive(run.jobId)) this.mayHaveQueued = true;
    if (this.mayHaveQueued) this.schedulePump();
  }

  /** A run ended badly: retry it per the job's policy, or fault the job when asked to. */
  private async afterFailure(jobId: string, runId: string, attempt: number, payload: unknown, scheduledFor: number | null, trigger: NewRun['trigger']): Promise<void> {
    const cached = (await this.cache.load([{ jobId }])).get(jobId);
    if (!cached) return;
    const job = cached.job;
    const retry = job.retry;
    if (retry && attempt < retry.maxAttempts) {
      const now = this.clock.now();
      const notBefore = now + retryDelayMs(retry, attempt);
      await this.store.insertRuns([{
        id: uuidv7(now), jobId, trigger: 'retry', scheduledFor, queuedAt: now, status: 'queued', nodeId: null, startedAt: null,
        attempt: attempt + 1, retryOf: runId, notBefore, payload, exclusive: job.overlap !== 'allow',
      }]);
      this.clock.at(notBefore, () => {
        this.mayHaveQueued = true;
        this.schedulePump();
      });
      this.log.info({ jobId, runId, attempt: attempt + 1, trigger, inMs: notBefore - now }, 'run failed; retry scheduled');
      return;
    }
    if (retry?.onExhausted === 'fault' && job.state === 'enabled') {
      const fresh = await this.store.getJob(jobId);
      if (!fresh || fresh.state !== 'enabled') return;
      const now = this.clock.now();
      await this.store.updateJob({ ...fresh, state: 'faulted', version: fresh.version + 1, updatedAt: now }, fresh.version, { nextFireAt: null });
      this.jobChanged(jobId);
      this.log.warn({ jobId, runId }, 'retries exhausted: job faulted');
    }
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    if (this.pool.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.clock.at(this.clock.now() + timeoutMs, () => resolve());
      this.idleWaiters.push(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // --- recovery -----------------------------------------------------------------------------------

  /**
   * At start-up: takes back what dead nodes (and this node's previous life) left. Holders of pending
   * fires or running runs that are not alive are dead.
   */
  private async recover(): Promise<void> {
    const now = this.clock.now();
    const alive = new Set<string>();
    if (this.store.capabilities.multiNode) {
      for (const n of await this.store.listNodes()) if (n.id !== this.nodeId && now - n.heartbeatAt <= this.config.nodeTtlMs) alive.add(n.id);
    }
    const holders = new Set<string>([this.nodeId]);
    for (const f of await this.store.listPendingFires(100_000)) holders.add(f.nodeId);
    for (const r of await this.store.activeRuns()) if (r.status === 'running' && r.nodeId) holders.add(r.nodeId);
    await this.takeOver([...holders].filter((id) => !alive.has(id)), true);
  }

  /**
   * The work of dead nodes: their running runs become `interrupted` and are retried per their policy;
   * their fires older than the misfire threshold are given back to their triggers (the next acquisition
   * applies the catch-up policy once to them and to everything missed after them); the recent ones are
   * taken over and fired here. Safe when several survivors do it at once: each row moves once.
   */
  private async takeOver(dead: string[], includesSelf: boolean): Promise<void> {
    const now = this.clock.now();
    const interrupted = await this.store.interruptRuns(dead, now, 'the node running it stopped');
    for (const run of interrupted) {
      this.observer.runFinished?.({ runId: run.id, jobId: run.jobId, status: 'interrupted', startedAt: run.startedAt, finishedAt: now, error: run.error });
      await this.afterFailure(run.jobId, run.id, run.attempt, run.payload, run.scheduledFor, run.trigger);
    }
    const rewound = await this.store.rewindPendingFires(dead, now - this.config.misfireThresholdMs);
    const others = dead.filter((id) => id !== this.nodeId);
    const taken = others.length ? await this.store.takeOverPendingFires(others, this.nodeId) : [];
    const mine = includesSelf ? await this.store.pendingFires([this.nodeId]) : taken;
    for (const f of mine) this.queue.add(f);
    for (const id of others) await this.store.removeNode(id);
    if (interrupted.length || mine.length || rewound || others.length) {
      this.log.info({ interrupted: interrupted.length, pendingFires: mine.length, rewound, takenOver: taken.length, fromNodes: others }, includesSelf ? 'recovered after restart' : 'took over the work of dead nodes');
    }
    if (rewound) this.scheduleAcquire();
    this.scheduleFire();
  }

  /**
   * After a store failure a resolution may have been committed without its answer arriving: runs of this
   * node written `running` but never started. Start them now.
   */
  private async reconcile(): Promise<void> {
    if (!this.storeTrouble) return;
    this.storeTrouble = false;
    const now = this.clock.now();
    const orphans = (await this.store.activeRuns()).filter((r) => r.status === 'running' && r.nodeId === this.nodeId && !this.pool.has(r.id));
    if (!orphans.length) return;
    const runs = (await Promise.all(orphans.map((o) => this.store.getRun(o.id)))).filter((r): r is NonNullable<typeof r> => r !== null && r.status === 'running' && (r.startedAt ?? now) < now - 5000);
    const jobs = await this.cache.load(runs.map((r) => ({ jobId: r.jobId })));
    for (const run of runs) {
      const cached = jobs.get(run.jobId);
      if (cached && !this.pool.has(run.id)) this.startLocal(run, cached.job);
    }
    if (runs.length) this.log.warn({ runs: runs.length }, 'started runs whose start was recorded while the store was failing');
  }
}

/** Lets the event loop run timers and I/O before going on (store calls are synchronous on SQLite). */
function yieldToTimers(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function durationMs(text: string, fallback: number): number {
  return parseDuration(text) ?? fallback;
}
