/**
 * Acquisition and firing. Due triggers are claimed (leased) and their fires up to `now + lookahead`
 * written as pending ledger rows while the trigger advances, in one transaction; one timer wakes at the
 * earliest acquired instant, and the fires due then are resolved (run / skipped per the overlap policy,
 * late ones per the catch-up policy) together with the insertion of their runs, before any run starts.
 */

import { messageOf } from '../domain/errors.js';
import { uuidv7 } from '../domain/ids.js';
import type { Job } from '../domain/types.js';
import { parseDuration } from '../schedule/instant.js';
import type { DirectFire, FireResolution, NewRun, PendingFire } from '../store/store.js';
import { planAcquisition, type AcquisitionPlan } from './acquisition.js';
import type { TimerHandle } from './clock.js';
import { yieldToTimers, type EngineContext } from './engine-types.js';
import { FireQueue } from './fire-queue.js';
import type { CachedJob } from './job-cache.js';
import { decideOverlap, planCatchUp, type JobActivity } from './policies.js';
import type { Runner } from './runner.js';

/**
 * How long due fires wait for a free slot once the pool is full before their runs are written as queued
 * (durable, claimed as slots free): long enough for short runs to make room, short enough that a pool
 * busy with long runs does not hold fires in memory.
 */
const SLOT_WAIT_MS = 250;

/** Chunks of fires being resolved at once: the store commits one while the runs of another start. */
const MAX_IN_FLIGHT = 3;

export interface FireLoopHooks {
  /** Cancels a run wherever it is (the cancelOther overlap policy). */
  cancelRun(runId: string): Promise<boolean>;
}

export class FireLoop {
  /** Fires acquired by this node, waiting for their instant. */
  readonly queue = new FireQueue();
  /** Fires due while the scheduler is in standby: fired when it starts (or given back). */
  private held: PendingFire[] = [];
  /** Fires due, taken from the queue, not resolved yet (waiting for free slots, or for their turn). */
  private backlog: PendingFire[] = [];
  /** Set while the backlog waits for slots: when to stop waiting and queue the runs durably. */
  private slotWait: number | null = null;
  /** Since when the pool has been found without a free slot while fires waited for one. */
  private fullSince: number | null = null;
  /** Chunks sent to the store and not resolved yet, and the jobs whose fires they carry. */
  private inFlight = 0;
  private readonly inFlightJobs = new Set<string>();
  private readonly settleWaiters: (() => void)[] = [];
  /** Fires whose resolution failed (store unreachable): tried again, late, once the store answers. */
  private retryFires: PendingFire[] = [];
  private timer: { at: number; handle: TimerHandle } | null = null;
  /** An acquisition failed between its claim and its commit: the triggers it leased are still ours. */
  private leasesLeft = false;
  private readonly busy = { fire: false };
  /** The acquisition under way (its outcome swallowed: the caller of acquire() sees it), or null. */
  private acquiring: Promise<void> | null = null;
  private readonly again = { acquire: false, fire: false };

  constructor(
    private readonly ctx: EngineContext,
    private readonly runner: Runner,
    private readonly hooks: FireLoopHooks,
  ) {}

  get heldCount(): number {
    return this.held.length;
  }

  /** Fires acquired by this node and not resolved yet: waiting for their instant, or due and in line. */
  get acquiredCount(): number {
    return this.queue.size + this.backlog.length;
  }

  /** Queues fires acquired elsewhere (taken over, recovered) and arms the timer. */
  add(fires: readonly PendingFire[]): void {
    for (const f of fires) this.queue.add(f);
    this.scheduleFire();
  }

  /** Fires the ones held during standby. */
  releaseHeld(): void {
    if (!this.held.length) return;
    const held = this.held;
    this.held = [];
    this.add(held);
  }

  /**
   * Tries again the fires whose resolution failed, once the store answers. Those now past the misfire
   * threshold are given back to their triggers (with every other late fire this node holds), so that the
   * next acquisition applies the catch-up policy once to all that the outage made it miss.
   */
  async retryFailed(): Promise<void> {
    if (!this.retryFires.length) return;
    const { store, clock, config } = this.ctx;
    const fires = this.retryFires;
    this.retryFires = [];
    const cutoff = clock.now() - config.misfireThresholdMs;
    if (fires.some((f) => f.scheduledFor < cutoff)) {
      try {
        await store.rewindPendingFires([config.nodeId], cutoff);
      } catch (err) {
        this.retryFires.push(...fires);
        throw err;
      }
      this.scheduleAcquire();
    }
    this.add(fires.filter((f) => f.scheduledFor >= cutoff));
  }

  /** Stops the timer and forgets every fire acquired (the store has them, or they are handed back). */
  dropAll(): void {
    this.cancelTimer();
    this.queue.drain();
    this.backlog = [];
    this.slotWait = null;
    this.held = [];
    this.retryFires = [];
  }

  /** Forgets the acquired fires of a job (its schedule or state changed; the store dropped them). */
  removeJob(jobId: string): void {
    this.queue.removeJob(jobId);
    if (this.backlog.some((f) => f.jobId === jobId)) this.backlog = this.backlog.filter((f) => f.jobId !== jobId);
  }

  /** Forgets every acquired fire not yet resolved (they are handed back to their triggers). */
  dropAcquired(): void {
    this.queue.drain();
    this.backlog = [];
    this.slotWait = null;
  }

  cancelTimer(): void {
    this.timer?.handle.cancel();
    this.timer = null;
  }

  scheduleAcquire(): void {
    if (this.acquiring !== null) {
      this.again.acquire = true;
      return;
    }
    setImmediate(() => void this.acquire().catch((err: unknown) => this.ctx.log.error({ err: messageOf(err) }, 'acquisition failed')));
  }

  /** Resolves once no acquisition is under way (whatever its outcome). */
  acquisitionDone(): Promise<void> {
    return this.acquiring ?? Promise.resolve();
  }

  async acquire(): Promise<void> {
    if (this.acquiring !== null) {
      this.again.acquire = true;
      return;
    }
    const { store, clock, config } = this.ctx;
    let settle!: () => void;
    this.acquiring = new Promise((resolve) => (settle = resolve));
    try {
      for (;;) {
        this.again.acquire = false;
        if (this.ctx.state() !== 'running') return;
        if (this.leasesLeft) {
          // No claim of this node is in flight: every lease it holds is one a failure left.
          await store.releaseTriggers(config.nodeId);
          this.leasesLeft = false;
        }
        const now = clock.now();
        // Fallen behind (fires due past the misfire threshold and not resolved yet): acquire nothing more
        // until the backlog clears. Fires left with their triggers meanwhile are accounted for in bulk once it
        // has (late ones per the catch-up policy), which costs less than acquiring each and resolving
        // it late; the poll tries again.
        const oldest = this.backlog[0]?.scheduledFor;
        if (oldest !== undefined && now - oldest > config.misfireThresholdMs) return;
        // A trigger is claimed once its next fire is within the lookahead, and then acquired for twice
        // that: a job firing often is claimed once per lookahead, not at every poll.
        const horizon = now + 2 * config.lookaheadMs;
        const claimed = await store.claimDueTriggers(config.nodeId, now, now + config.lookaheadMs, config.acquireBatch, now + config.leaseMs);
        if (claimed.length === 0 && !this.again.acquire) return;
        if (claimed.length) {
          try {
            await this.acquireClaimed(claimed, now, horizon);
          } catch (err) {
            this.leasesLeft = true;
            throw err;
          }
        }
        if (claimed.length < config.acquireBatch && !this.again.acquire) return;
        // Let due timers run between batches: a big acquisition must not make fires late.
        await yieldToTimers();
      }
    } finally {
      // At once when the loop ends, so that a wake from then on starts a new acquisition.
      this.acquiring = null;
      settle();
    }
  }

  private async acquireClaimed(claimed: { jobId: string; nextFireAt: number; version: number }[], now: number, horizon: number): Promise<void> {
    const { store, cache, config, log } = this.ctx;
    const jobs = await cache.load(claimed.map((c) => ({ jobId: c.jobId, version: c.version })));
    const plans: AcquisitionPlan[] = [];
    const direct: DirectFire[] = [];
    for (const claim of claimed) {
      const cached = jobs.get(claim.jobId);
      if (!cached) continue; // deleted since: its trigger is gone, the lease with it
      let plan: AcquisitionPlan;
      try {
        plan = planAcquisition(claim, cached, now, horizon, {
          misfireThresholdMs: config.misfireThresholdMs,
          maxMissedFires: 10_000,
          maxFiresPerJob: 1000,
        });
      } catch (err) {
        log.error({ jobId: claim.jobId, err: messageOf(err) }, 'computing fires failed');
        continue;
      }
      plans.push(plan);
      if (plan.catchUp) {
        if (plan.skipped) log.warn({ jobId: claim.jobId, skipped: plan.skipped }, 'more missed fires than are examined; the oldest were skipped without a ledger row');
        direct.push(...this.catchUpFires(cached, plan.catchUp.run, plan.catchUp.missed, now));
      }
    }
    if (direct.length) await this.writeDirectFires(direct);
    const inserted = await store.commitAcquisitions(config.nodeId, plans.map((p) => p.acquisition));
    this.add(inserted);
  }

  /** Ledger rows for fires missed beyond the threshold: catch-up runs queue (one at a time per job unless allowed). */
  private catchUpFires(cached: CachedJob, run: number[], missed: number[], now: number): DirectFire[] {
    const out: DirectFire[] = [];
    for (const t of missed) out.push({ jobId: cached.job.id, scheduledFor: t, outcome: 'missed', firedAt: now, run: null, mayComplete: mayComplete(cached, t) });
    for (const t of run) {
      out.push({ jobId: cached.job.id, scheduledFor: t, outcome: 'run', firedAt: now, run: this.newRun(cached.job, 'catchUp', t, now, false), mayComplete: mayComplete(cached, t) });
    }
    return out;
  }

  private async writeDirectFires(fires: DirectFire[]): Promise<void> {
    const written = await this.ctx.store.insertFires(fires);
    for (const f of written) {
      this.ctx.observer.fire?.({ jobId: f.jobId, scheduledFor: f.scheduledFor, outcome: f.outcome, runId: f.run?.id ?? null, firedAt: f.firedAt });
    }
    if (written.some((f) => f.run)) {
      this.runner.noteQueued();
      this.runner.schedulePump();
    }
  }

  /** Arms the timer for the earliest acquired fire, or the end of a wait for slots (unless it already wakes sooner). */
  scheduleFire(): void {
    const next = Math.min(this.queue.earliest() ?? Infinity, this.slotWait ?? Infinity);
    if (next === Infinity) return;
    if (this.timer && this.timer.at <= next) return;
    this.timer?.handle.cancel();
    this.timer = { at: next, handle: this.ctx.clock.at(next, () => {
      this.timer = null;
      this.fireDue();
    }) };
  }

  /**
   * Resolves the due fires: takes them from the queue into the backlog and sends them to the store in
   * chunks, up to MAX_IN_FLIGHT chunks at once, so the store commits one chunk while this thread starts
   * the runs of the previous one. A chunk promises no more runs than the pool has free slots (reserved
   * when it is sent); the rest wait for runs to end, or are written as queued runs once the pool has
   * stayed full for SLOT_WAIT_MS. A job with fires in flight gets no more until they are resolved, so
   * overlap decisions always see its previous fire's run.
   */
  private fireDue(): void {
    if (this.busy.fire) {
      this.again.fire = true;
      return;
    }
    const { clock, config } = this.ctx;
    const pool = this.runner.pool;
    this.busy.fire = true;
    try {
      do {
        this.again.fire = false;
        this.slotWait = null;
        for (const f of this.queue.takeDue(clock.now())) this.backlog.push(f);
        if (!this.backlog.length) break;
        if (this.ctx.state() !== 'running') {
          this.held.push(...this.backlog.splice(0));
          continue;
        }
        while (this.backlog.length && this.inFlight < MAX_IN_FLIGHT) {
          let size = Math.min(config.resolveChunk, Math.ceil(pool.capacity / MAX_IN_FLIGHT), this.backlog.length);
          const free = pool.free;
          let slots: number;
          if (free > 0) {
            this.fullSince = null;
            size = Math.min(size, free);
            slots = pool.reserve(size);
          } else {
            const now = clock.now();
            this.fullSince ??= now;
            if (now - this.fullSince < SLOT_WAIT_MS) {
              this.slotWait = this.fullSince + SLOT_WAIT_MS;
              break;
            }
            slots = 0; // the pool stayed full: these runs queue durably
          }
          const chunk = this.takeChunk(size);
          if (!chunk.length) {
            pool.release(slots);
            break; // every fire in line waits for its job's fires in flight
          }
          this.send(chunk, slots);
        }
      } while (this.again.fire);
    } catch (err) {
      this.ctx.log.error({ err: messageOf(err) }, 'firing failed');
    } finally {
      this.busy.fire = false;
      this.scheduleFire();
    }
  }

  /** Up to `size` fires of the backlog, oldest first, of jobs with no fire in flight (one per job). */
  private takeChunk(size: number): PendingFire[] {
    const backlog = this.backlog;
    const chunk: PendingFire[] = [];
    const passed: PendingFire[] = [];
    const taken = new Set<string>();
    let i = 0;
    for (; i < backlog.length && chunk.length < size; i++) {
      const f = backlog[i] as PendingFire;
      if (this.inFlightJobs.has(f.jobId) || taken.has(f.jobId)) {
        passed.push(f);
      } else {
        chunk.push(f);
        taken.add(f.jobId);
      }
    }
    backlog.splice(0, i, ...passed);
    return chunk;
  }

  /** Resolves a chunk in the background; when it is done, what waited for it goes on. */
  private send(chunk: PendingFire[], slots: number): void {
    this.inFlight++;
    for (const f of chunk) this.inFlightJobs.add(f.jobId);
    void this.resolveChunk(chunk, slots)
      .catch((err: unknown) => {
        // The store failed: keep the fires and try again once it answers (they will be late; past the
        // misfire threshold the catch-up policy decides). Resolution is idempotent.
        this.ctx.storeTrouble = true;
        this.retryFires.push(...chunk);
        this.ctx.log.error({ err: messageOf(err), fires: chunk.length }, 'resolving fires failed; will retry');
      })
      .finally(() => {
        this.inFlight--;
        for (const f of chunk) this.inFlightJobs.delete(f.jobId);
        if (this.inFlight === 0) for (const settle of this.settleWaiters.splice(0)) settle();
        if (this.backlog.length || (this.queue.earliest() ?? Infinity) <= this.ctx.clock.now()) this.fireDue();
      });
  }

  /** Resolves once no chunk of fires is being resolved (their runs have started). */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /** A run ended and freed its slot: fires waiting for one go on. */
  slotFreed(): void {
    if (this.slotWait !== null) this.fireDue();
  }

  /**
   * Resolves fires, starting at most `slots` runs: slots the dispatcher reserved in the pool for this
   * chunk, released here once the runs that take them have started (or the store failed).
   */
  private async resolveChunk(fires: PendingFire[], slots: number): Promise<void> {
    let held = slots;
    try {
      await this.resolve(fires, slots, () => {
        this.runner.pool.release(held);
        held = 0;
      });
    } finally {
      this.runner.pool.release(held);
    }
  }

  /** See resolveChunk; `committed` is called once the store has the resolutions, just before the runs start. */
  private async resolve(fires: PendingFire[], slots: number, committed: () => void): Promise<void> {
    const { store, clock, cache, config, observer } = this.ctx;
    let budget = slots;
    const now = clock.now();
    const jobs = await cache.load(fires.map((f) => ({ jobId: f.jobId })));
    const late = new Map<string, number[]>();
    const onTime: PendingFire[] = [];
    for (const f of fires) {
      if (f.scheduledFor < now - config.misfireThresholdMs) {
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
    for (const f of onTime) {
      const cached = jobs.get(f.jobId);
      if (!cached) continue;
      const job = cached.job;
      const decision = decideOverlap(job.overlap, activity.get(job.id));
      if (decision.outcome === 'skipped') {
        resolutions.push({ jobId: f.jobId, scheduledFor: f.scheduledFor, outcome: 'skipped', firedAt: now, run: null, mayComplete: mayComplete(cached, f.scheduledFor) });
        continue;
      }
      cancels.push(...decision.cancel);
      const start = !decision.wait && decision.cancel.length === 0 && budget > 0;
      if (start) budget--;
      const run = this.newRun(job, 'schedule', f.scheduledFor, now, start);
      resolutions.push({ jobId: f.jobId, scheduledFor: f.scheduledFor, outcome: 'run', firedAt: now, run, mayComplete: mayComplete(cached, f.scheduledFor) });
      const act = activity.get(job.id) ?? { running: [], queued: [] };
      (start ? act.running : act.queued).push(run.id);
      activity.set(job.id, act);
    }
    for (const [jobId, instants] of late) {
      const cached = jobs.get(jobId);
      if (!cached) continue;
      // Held past the threshold (standby, a stalled process, taken over from a dead node): catch-up policy.
      const plan = planCatchUp(instants, cached.job.catchUp.policy, parseDuration(cached.job.catchUp.window) ?? 3_600_000, now);
      for (const t of plan.missed) resolutions.push({ jobId, scheduledFor: t, outcome: 'missed', firedAt: now, run: null, mayComplete: mayComplete(cached, t) });
      for (const t of plan.run) {
        // Straight into a free slot when the job allows overlapping runs; else queued (one at a time).
        const start = cached.job.overlap === 'allow' && budget > 0;
        if (start) budget--;
        resolutions.push({ jobId, scheduledFor: t, outcome: 'run', firedAt: now, run: this.newRun(cached.job, 'catchUp', t, now, start), mayComplete: mayComplete(cached, t) });
      }
    }
    const applied = await store.resolveFires(config.nodeId, resolutions);
    committed(); // the slots are released and taken by the runs below, in the same turn
    let queued = false;
    for (const r of applied) {
      observer.fire?.({ jobId: r.jobId, scheduledFor: r.scheduledFor, outcome: r.outcome, runId: r.run?.id ?? null, firedAt: r.firedAt });
      const run = r.run;
      if (!run) continue;
      if (run.status === 'running') {
        const cached = jobs.get(run.jobId);
        if (cached) this.runner.start(run, cached.job);
      } else {
        queued = true;
      }
    }
    for (const id of cancels) await this.hooks.cancelRun(id);
    if (queued) this.runner.noteQueued();
    if (queued || cancels.length) this.runner.schedulePump();
  }

  private async activity(jobIds: string[]): Promise<Map<string, JobActivity>> {
    const map = new Map<string, JobActivity>();
    for (const r of await this.ctx.store.activeRuns(jobIds)) {
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
      nodeId: start ? this.ctx.config.nodeId : null,
      startedAt: start ? now : null,
      attempt: 1,
      retryOf: null,
      notBefore: null,
      payload: null,
      exclusive: job.overlap !== 'allow',
    };
  }
}

/**
 * Whether resolving the fire at `t` may complete the job: only when its schedule has no fire after it
 * (otherwise the store is told it need not check).
 */
function mayComplete(cached: CachedJob, t: number): boolean {
  try {
    return cached.schedule.nextAfter(t) === null;
  } catch {
    return true;
  }
}
