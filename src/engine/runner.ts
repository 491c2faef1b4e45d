/**
 * The runs of this node: starts what fired here or was claimed from the store's queue on the bounded
 * pool, records how each run ended (batched), retries failed runs per their job's policy, and prunes old
 * history.
 */

import { messageOf, SkedError } from '../domain/errors.js';
import { uuidv7 } from '../domain/ids.js';
import { revealDefinition, scrub, secretValues, type SecretBox } from '../domain/secrets.js';
import type { Job, RunStatus, RunTrigger } from '../domain/types.js';
import type { NewRun, RunFinish } from '../store/store.js';
import { Batcher } from './batcher.js';
import type { EngineContext } from './engine-types.js';
import type { ExecuteResult, ExecutorPort } from './executor-port.js';
import { retryDelayMs } from './retry.js';
import { RunPool, type AbortReason, type StartedRun } from './run-pool.js';

/** Finished runs written per store call. */
const FINISH_BATCH = 250;

/** How long a cancel waits for a run on its way to this node's pool. */
const CANCEL_ON_START_MS = 60_000;

interface OpenedJob {
  job: Job;
  /** Removes the job's secrets from text; absent when it has none. */
  scrub: ((text: string) => string) | undefined;
}

/** A run about to start on this node, as the store or the fire loop hands it over. */
export interface RunToStart {
  id: string;
  jobId: string;
  trigger: RunTrigger;
  scheduledFor: number | null;
  startedAt: number | null;
  attempt: number;
  payload: unknown;
}

export interface RunnerHooks {
  /** A job changed state (faulted after its retries): forget what was acquired for it. */
  jobChanged(jobId: string): void;
  /** A run ended here: its slot is free. */
  slotFreed?(): void;
}

export class Runner {
  readonly pool: RunPool;
  /** Latest measured lateness of a scheduled run's start, for status. */
  lastLatenessMs = 0;
  private readonly finishes: Batcher<RunFinish>;
  /** Retries of failed runs, written until the store takes them (it may be failing as the run failed). */
  private readonly retries: Batcher<NewRun>;
  private readonly runJobs = new Map<string, string>();
  /** Runs to cancel as soon as they start here (see cancelOnArrival), with when that was asked. */
  private readonly cancelOnStart = new Map<string, number>();
  /**
   * Definitions with their secrets opened, per job object as the job cache holds it (see open): an entry
   * lives as long as that version of the job is cached.
   */
  private readonly opened = new WeakMap<Job, OpenedJob>();
  /** Runs finished here whose finish is not written yet: still `running` in the store, never to restart. */
  private readonly unwritten = new Set<string>();
  /** Runs that could not start properly (secrets unreadable): their finish says why. */
  private readonly failOnStart = new Map<string, string>();
  /**
   * Runs may be waiting in the store's queue (so claiming is worth a query): set when runs are queued
   * here or elsewhere (wake-up), a retry comes due, or an exclusive run ends; cleared when a claim finds
   * fewer runs than it had room for.
   */
  private mayHaveQueued = true;
  private pumping = false;
  private pumpAgain = false;
  private idleWaiters: (() => void)[] = [];
  /** Jobs with runs finished since the last pruning. */
  private readonly pruneCandidates = new Set<string>();
  private lastPruneAt = 0;

  constructor(
    private readonly ctx: EngineContext,
    executor: ExecutorPort,
    private readonly secrets: SecretBox | undefined,
    private readonly hooks: RunnerHooks,
  ) {
    const observer = ctx.observer;
    this.pool = new RunPool(ctx.config.concurrency, executor, {
      onFinished: (run, result, aborted) => this.onRunFinished(run, result, aborted),
      onOutput: observer.output ? (id, p, ph, c) => observer.output?.(id, p, ph, c) : undefined,
      onStepFinished: observer.stepFinished ? (id, r) => observer.stepFinished?.(id, this.runJobs.get(id) ?? '', r) : undefined,
    });
    this.finishes = new Batcher<RunFinish>(
      async (items) => {
        await ctx.store.finishRuns(items);
        for (const item of items) this.unwritten.delete(item.id);
        // A finished exclusive run may let a waiting run of its job start.
        if (this.mayHaveQueued) this.schedulePump();
      },
      (err, items) => ctx.log.error({ err: messageOf(err), runs: items.length }, 'recording finished runs failed; retrying'),
      // Batches a store commits in a few milliseconds: a bigger one would hold up fires resolving behind it.
      FINISH_BATCH,
    );
    this.retries = new Batcher<NewRun>(
      async (runs) => {
        await insertRetries(ctx, runs);
        this.mayHaveQueued = true;
        this.schedulePump();
      },
      (err, runs) => ctx.log.error({ err: messageOf(err), runs: runs.length }, 'writing retries of failed runs failed; retrying'),
    );
  }

  /** Finished runs not yet written to the store. */
  get pendingWrites(): number {
    return this.finishes.size;
  }

  /** Writes the finished runs and the retries still buffered. */
  async flush(): Promise<void> {
    await this.finishes.flush();
    await this.retries.flush();
  }

  /** Runs may be waiting in the store's queue: the next pump claims. */
  noteQueued(): void {
    this.mayHaveQueued = true;
  }

  /** Starts a run the store recorded as running on this node, with its job's secrets opened. */
  start(run: RunToStart, job: Job): void {
    const { clock, observer, log } = this.ctx;
    // The instant the steps really begin (after the fire's commit): what lateness is measured on, and
    // what the run row records once the run finishes.
    const startedAt = clock.now();
    const started: StartedRun = { id: run.id, jobId: run.jobId, trigger: run.trigger, scheduledFor: run.scheduledFor, startedAt, attempt: run.attempt, payload: run.payload };
    if (run.scheduledFor !== null && run.trigger === 'schedule') this.lastLatenessMs = startedAt - run.scheduledFor;
    this.runJobs.set(run.id, run.jobId);
    observer.runStarted?.({ runId: run.id, jobId: run.jobId, trigger: run.trigger, scheduledFor: run.scheduledFor, startedAt });
    const box = this.secrets;
    if (!box) {
      this.pool.start(started, job);
    } else {
      try {
        const opened = this.open(box, job);
        this.pool.start(started, opened.job, opened.scrub);
      } catch (err) {
        // A secret this node cannot open (another SKED_SECRET_KEY): the run fails and says so.
        this.pool.start(started, { ...job, steps: [], onFailure: [] });
        log.error({ runId: run.id, jobId: run.jobId, err: messageOf(err) }, 'cannot open the secrets of a job');
        this.failOnStart.set(run.id, messageOf(err));
      }
    }
    if (this.cancelOnStart.delete(run.id)) this.pool.abort(run.id, 'cancel');
  }

  /** Cancels a run executing in this node's pool; false when it is not there. */
  cancelLocal(runId: string): boolean {
    return this.pool.abort(runId, 'cancel');
  }

  /**
   * A run the store records as running on this node that is not in the pool yet (claimed or fired, its
   * start on its way): it is cancelled as it starts.
   */
  cancelOnArrival(runId: string): void {
    const now = this.ctx.clock.now();
    // A run that never arrives (its node restarted meanwhile) must not be remembered for ever.
    for (const [id, at] of this.cancelOnStart) if (at < now - CANCEL_ON_START_MS) this.cancelOnStart.delete(id);
    this.cancelOnStart.set(runId, now);
  }

  /** The run finished here and its end is about to be written. */
  finishedUnwritten(runId: string): boolean {
    return this.unwritten.has(runId);
  }

  /**
   * A job's definition with its secrets opened, and what scrubs them from its output: decrypted once
   * per version of the job, not once per run.
   */
  private open(box: SecretBox, job: Job): OpenedJob {
    const hit = this.opened.get(job);
    if (hit !== undefined) return hit;
    const secrets = secretValues(box, job);
    const opened: OpenedJob = {
      job: revealDefinition(box, job),
      scrub: secrets.length === 0 ? undefined : (text: string) => scrub(text, secrets),
    };
    this.opened.set(job, opened);
    return opened;
  }

  schedulePump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    setImmediate(() => void this.pump().catch((err: unknown) => this.ctx.log.error({ err: messageOf(err) }, 'claiming queued runs failed')));
  }

  /** Claims queued runs from the store while this node has free slots. */
  async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    const state = this.ctx.state();
    if (state !== 'running' && state !== 'standby') return;
    if (!this.mayHaveQueued) return;
    const { store, clock, cache, config } = this.ctx;
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const free = this.pool.reserve(this.pool.free);
        if (free === 0) return;
        let runs;
        try {
          runs = await store.claimQueuedRuns(config.nodeId, clock.now(), free);
        } finally {
          this.pool.release(free);
        }
        // Slots the claim held and did not fill are free again for fires waiting for one.
        if (runs.length < free) this.hooks.slotFreed?.();
        if (runs.length < free) this.mayHaveQueued = false;
        if (!runs.length) break;
        const jobs = await cache.load(runs.map((r) => ({ jobId: r.jobId })));
        for (const run of runs) {
          const cached = jobs.get(run.jobId);
          if (cached) {
            this.start(run, cached.job);
          } else {
            this.finishes.add({ id: run.id, jobId: run.jobId, status: 'failed', startedAt: run.startedAt, finishedAt: clock.now(), error: 'the job no longer exists', steps: [], failed: true });
          }
        }
        if (runs.length === free) this.pumpAgain = true;
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Keeps at most runRetention finished runs and fireRetention ledger rows per job, a few hundred jobs
   * every 10 s (the jobs that finished runs since the last pass).
   */
  async prune(): Promise<void> {
    const now = this.ctx.clock.now();
    if (now - this.lastPruneAt < 10_000 || this.pruneCandidates.size === 0) return;
    this.lastPruneAt = now;
    let n = 0;
    for (const jobId of this.pruneCandidates) {
      this.pruneCandidates.delete(jobId);
      await this.ctx.store.pruneRuns(jobId, this.ctx.config.runRetention);
      await this.ctx.store.pruneFires(jobId, this.ctx.config.fireRetention);
      if (++n >= 500) break;
    }
  }

  /**
   * After a store failure a resolution may have been committed without its answer arriving: runs of this
   * node written `running` but never started. Start them now.
   */
  async reconcile(): Promise<void> {
    if (!this.ctx.storeTrouble) return;
    this.ctx.storeTrouble = false;
    const { store, clock, cache, config, log } = this.ctx;
    const now = clock.now();
    const orphans = (await store.activeRuns()).filter((r) => r.status === 'running' && r.nodeId === config.nodeId && !this.pool.has(r.id) && !this.unwritten.has(r.id));
    if (!orphans.length) return;
    const runs = (await Promise.all(orphans.map((o) => store.getRun(o.id)))).filter((r): r is NonNullable<typeof r> => r !== null && r.status === 'running' && (r.startedAt ?? now) < now - 5000);
    const jobs = await cache.load(runs.map((r) => ({ jobId: r.jobId })));
    for (const run of runs) {
      const cached = jobs.get(run.jobId);
      if (cached && !this.pool.has(run.id) && !this.unwritten.has(run.id)) this.start(run, cached.job);
    }
    if (runs.length) log.warn({ runs: runs.length }, 'started runs whose start was recorded while the store was failing');
  }

  /** A run ended badly: retry it per the job's policy, or fault the job when asked to. */
  async afterFailure(run: { jobId: string; id: string; attempt: number; payload: unknown; scheduledFor: number | null; trigger: RunTrigger }): Promise<void> {
    const { store, clock, cache, log } = this.ctx;
    const { jobId, id: runId, attempt } = run;
    const cached = (await cache.load([{ jobId }])).get(jobId);
    if (!cached) return;
    const job = cached.job;
    const retry = job.retry;
    if (retry && attempt < retry.maxAttempts) {
      const now = clock.now();
      const notBefore = now + retryDelayMs(retry, attempt);
      this.retries.add({
        id: uuidv7(now), jobId, trigger: 'retry', scheduledFor: run.scheduledFor, queuedAt: now, status: 'queued', nodeId: null, startedAt: null,
        attempt: attempt + 1, retryOf: runId, notBefore, payload: run.payload, exclusive: job.overlap !== 'allow',
      });
      clock.at(notBefore, () => {
        this.mayHaveQueued = true;
        this.schedulePump();
      });
      log.info({ jobId, runId, attempt: attempt + 1, trigger: run.trigger, inMs: notBefore - now }, 'run failed; retry scheduled');
      return;
    }
    if (retry?.onExhausted === 'fault' && job.state === 'enabled') {
      const fresh = await store.getJob(jobId);
      if (!fresh || fresh.state !== 'enabled') return;
      await store.updateJob({ ...fresh, state: 'faulted', version: fresh.version + 1, updatedAt: clock.now() }, fresh.version, { nextFireAt: null });
      this.hooks.jobChanged(jobId);
      log.warn({ jobId, runId }, 'retries exhausted: job faulted');
    }
  }

  /** Resolves once no run executes here, or after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<void> {
    if (this.pool.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.ctx.clock.at(this.ctx.clock.now() + timeoutMs, () => resolve());
      this.idleWaiters.push(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  private onRunFinished(run: StartedRun, outcome: ExecuteResult, aborted: AbortReason | null): void {
    const { clock, observer, log, cache } = this.ctx;
    this.runJobs.delete(run.id);
    const startError = this.failOnStart.get(run.id);
    this.failOnStart.delete(run.id);
    const result: ExecuteResult = startError === undefined ? outcome : { ...outcome, status: 'failed', error: startError };
    this.pruneCandidates.add(run.jobId);
    const status: RunStatus = aborted === 'shutdown' ? 'interrupted' : result.status;
    const finishedAt = clock.now();
    const error = aborted === 'shutdown' ? 'the node shut down while the run was running' : result.error;
    this.unwritten.add(run.id);
    this.finishes.add({ id: run.id, jobId: run.jobId, status, startedAt: run.startedAt, finishedAt, error, steps: result.steps, failed: status === 'failed' || status === 'timedOut' });
    observer.runFinished?.({ runId: run.id, jobId: run.jobId, status, startedAt: run.startedAt, finishedAt, error: result.error });
    if (status === 'failed' || status === 'timedOut' || status === 'interrupted') {
      void this.afterFailure(run).catch((err: unknown) => log.error({ err: messageOf(err), runId: run.id }, 'scheduling a retry failed'));
    }
    if (this.pool.size === 0) this.notifyIdle();
    if (cache.exclusive(run.jobId)) this.mayHaveQueued = true;
    if (this.mayHaveQueued) this.schedulePump();
    this.hooks.slotFreed?.();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Writes retries; when the batch fails for a reason other than the store being unreachable, each is
 * written alone, and one that can never be (already written by an earlier attempt whose answer was lost,
 * or its job deleted since) is dropped rather than retried for ever.
 */
async function insertRetries(ctx: EngineContext, runs: NewRun[]): Promise<void> {
  try {
    await ctx.store.insertRuns(runs);
    return;
  } catch (err) {
    if (!(err instanceof SkedError) || err.code === 'UNAVAILABLE' || runs.length === 1) {
      if (isFinal(err)) return;
      throw err;
    }
  }
  for (const run of runs) {
    try {
      await ctx.store.insertRuns([run]);
    } catch (err) {
      if (!isFinal(err)) throw err;
      ctx.log.warn({ runId: run.id, jobId: run.jobId, err: messageOf(err) }, 'a retry could not be written and is dropped');
    }
  }
}

/** A write that no retry will change: the row exists already, or what it refers to is gone. */
function isFinal(err: unknown): boolean {
  return err instanceof SkedError && (err.code === 'CONFLICT' || err.code === 'NOT_FOUND');
}
