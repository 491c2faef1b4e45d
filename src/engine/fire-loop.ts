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

export interface FireLoopHooks {
  /** Cancels a run wherever it is (the cancelOther overlap policy). */
  cancelRun(runId: string): Promise<boolean>;
}

export class FireLoop {
  /** Fires acquired by this node, waiting for their instant. */
  readonly queue = new FireQueue();
  /** Fires due while the scheduler is in standby: fired when it starts (or given back). */
  private held: PendingFire[] = [];
  /** Fires whose resolution failed (store unreachable): tried again, late, once the store answers. */
  private retryFires: PendingFire[] = [];
  private timer: { at: number; handle: TimerHandle } | null = null;
  /** An acquisition failed between its claim and its commit: the triggers it leased are still ours. */
  private leasesLeft = false;
  private readonly busy = { acquire: false, fire: false };
  private readonly again = { acquire: false, fire: false };

  constructor(
    private readonly ctx: EngineContext,
    private readonly runner: Runner,
    private readonly hooks: FireLoopHooks,
  ) {}

  get heldCount(): number {
    return this.held.length;
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
    this.held = [];
    this.retryFires = [];
  }

  cancelTimer(): void {
    this.timer?.handle.cancel();
    this.timer = null;
  }

  scheduleAcquire(): void {
    if (this.busy.acquire) {
      this.again.acquire = true;
      return;
    }
    setImmediate(() => void this.acquire().catch((err: unknown) => this.ctx.log.error({ err: messageOf(err) }, 'acquisition failed')));
  }

  async acquire(): Promise<void> {
    if (this.busy.acquire) {
      this.again.acquire = true;
      return;
    }
    const { store, clock, config } = this.ctx;
    this.busy.acquire = true;
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
      this.busy.acquire = false;
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

  /** Arms the timer for the earliest acquired fire (unless it already wakes sooner). */
  scheduleFire(): void {
    const next = this.queue.earliest();
    if (next === undefined) return;
    if (this.timer && this.timer.at <= next) return;
    this.timer?.handle.cancel();
    this.timer = { at: next, handle: this.ctx.clock.at(next, () => {
      this.timer = null;
      void this.fireDue();
    }) };
  }

  private async fireDue(): Promise<void> {
    if (this.busy.fire) {
      this.again.fire = true;
      return;
    }
    const { clock, config, log } = this.ctx;
    this.busy.fire = true;
    try {
      do {
        this.again.fire = false;
        const due = this.queue.takeDue(clock.now());
        if (!due.length) break;
        if (this.ctx.state() !== 'running') {
          this.held.push(...due);
          continue;
        }
        for (let i = 0; i < due.length; i += config.resolveChunk) {
          if (i > 0) await yieldToTimers();
          const chunk = due.slice(i, i + config.resolveChunk);
          try {
            await this.resolveChunk(chunk);
          } catch (err) {
            // The store failed: keep the fires and try again once it answers (they will be late; past
            // the misfire threshold the catch-up policy decides). Resolution is idempotent.
            this.ctx.storeTrouble = true;
            this.retryFires.push(...chunk);
            log.error({ err: messageOf(err), fires: chunk.length }, 'resolving fires failed; will retry');
          }
        }
      } while (this.again.fire || (this.queue.earliest() ?? Infinity) <= clock.now());
    } catch (err) {
      log.error({ err: messageOf(err) }, 'firing failed');
    } finally {
      this.busy.fire = false;
      this.scheduleFire();
    }
  }

  private async resolveChunk(fires: PendingFire[]): Promise<void> {
    const { store, clock, cache, config, observer } = this.ctx;
    const pool = this.runner.pool;
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
    let reserved = 0;
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
      const start = !decision.wait && decision.cancel.length === 0 && pool.reserve(1) === 1;
      if (start) reserved++;
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
      for (const t of plan.run) resolutions.push({ jobId, scheduledFor: t, outcome: 'run', firedAt: now, run: this.newRun(cached.job, 'catchUp', t, now, false), mayComplete: mayComplete(cached, t) });
    }
    let applied: FireResolution[];
    try {
      applied = await store.resolveFires(config.nodeId, resolutions);
    } finally {
      pool.release(reserved);
    }
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
