/** The runs executing on this node: at most `capacity` at once, each cancellable. */

import type { Job, RunTrigger, StepResult } from '../domain/types.js';
import { parseDuration } from '../schedule/instant.js';
import { StopController } from '../executor/stop.js';
import type { ExecuteResult, ExecutorPort } from './executor-port.js';

export interface StartedRun {
  id: string;
  jobId: string;
  trigger: RunTrigger;
  scheduledFor: number | null;
  startedAt: number;
  attempt: number;
  payload: unknown;
}

export type AbortReason = 'cancel' | 'shutdown';

interface LocalRun {
  run: StartedRun;
  stop: StopController;
  reason: AbortReason | null;
}

export interface RunPoolHooks {
  onFinished(run: StartedRun, result: ExecuteResult, aborted: AbortReason | null): void;
  onOutput?: ((runId: string, position: number, phase: 'main' | 'onFailure', chunk: string) => void) | undefined;
  onStepFinished?: ((runId: string, result: StepResult) => void) | undefined;
}

function scrubStep(step: StepResult, scrub: (text: string) => string): StepResult {
  return { ...step, output: scrub(step.output), error: step.error === null ? null : scrub(step.error) };
}

export class RunPool {
  private readonly running = new Map<string, LocalRun>();
  private readonly byJob = new Map<string, number>();
  /** Slots promised to runs about to start (between the decision and the store commit). */
  private reserved = 0;

  constructor(
    readonly capacity: number,
    private readonly executor: ExecutorPort,
    private readonly hooks: RunPoolHooks,
  ) {}

  get size(): number {
    return this.running.size;
  }

  /** Slots free now, counting reservations. */
  get free(): number {
    return Math.max(0, this.capacity - this.running.size - this.reserved);
  }

  reserve(n: number): number {
    const granted = Math.min(n, this.free);
    this.reserved += granted;
    return granted;
  }

  release(n: number): void {
    this.reserved = Math.max(0, this.reserved - n);
  }

  has(runId: string): boolean {
    return this.running.has(runId);
  }

  runningForJob(jobId: string): number {
    return this.byJob.get(jobId) ?? 0;
  }

  ids(): string[] {
    return [...this.running.keys()];
  }

  /**
   * Starts a run of `job` (its secrets revealed); `scrub` removes those secrets from everything the run
   * reports (output, live chunks, errors).
   */
  start(run: StartedRun, job: Job, scrub?: (text: string) => string): void {
    const stop = new StopController();
    const local: LocalRun = { run, stop, reason: null };
    this.running.set(run.id, local);
    this.byJob.set(run.jobId, (this.byJob.get(run.jobId) ?? 0) + 1);
    const hooks = this.hooks;
    const execution = this.executor.execute({
      runId: run.id,
      jobId: run.jobId,
      attempt: run.attempt,
      scheduledFor: run.scheduledFor,
      payload: run.payload,
      steps: job.steps,
      onFailure: job.onFailure,
      timeoutMs: job.timeout ? parseDuration(job.timeout) : null,
      stop,
      // for executors that only know signals; the real one makes it only if a step waits on it
      get signal(): AbortSignal {
        return stop.signal();
      },
      ...(hooks.onOutput ? { onOutput: (p: number, ph: 'main' | 'onFailure', c: string) => hooks.onOutput?.(run.id, p, ph, scrub ? scrub(c) : c) } : {}),
      ...(hooks.onStepFinished ? { onStepFinished: (r: StepResult) => hooks.onStepFinished?.(run.id, scrub ? scrubStep(r, scrub) : r) } : {}),
    });
    execution
      .catch((err: unknown): ExecuteResult => {
        const now = Date.now();
        return { status: 'failed', error: `executor error: ${err instanceof Error ? err.message : String(err)}`, steps: [], startedAt: run.startedAt, finishedAt: now };
      })
      .then((raw) => {
        const result: ExecuteResult = scrub ? { ...raw, error: raw.error === null ? null : scrub(raw.error), steps: raw.steps.map((st) => scrubStep(st, scrub)) } : raw;
        this.running.delete(run.id);
        const left = (this.byJob.get(run.jobId) ?? 1) - 1;
        if (left > 0) this.byJob.set(run.jobId, left);
        else this.byJob.delete(run.jobId);
        hooks.onFinished(run, result, local.reason);
      });
  }

  /** Aborts a local run; false when it is not running here. */
  abort(runId: string, reason: AbortReason): boolean {
    const local = this.running.get(runId);
    if (!local) return false;
    local.reason ??= reason;
    local.stop.abort(reason);
    return true;
  }

  abortAll(reason: AbortReason): void {
    for (const id of this.running.keys()) this.abort(id, reason);
  }
}
