/**
 * The executor runs one run's steps (see run-phase.ts for groups and skipping, step-runner.ts for
 * timeouts and retries) and reports how the run ended. It never throws for a step's failure: every
 * outcome is in the resolved ExecuteResult.
 *
 * Run status: `cancelled` when the request's signal aborts (or the executor closes), `timedOut` when
 * `timeoutMs` expires, `failed` when a step failed without continueOnFailure, else `succeeded`. On
 * `failed` and `timedOut` the onFailure steps run afterwards (with `SKED_FAILED=1`, `SKED_ERROR`); they
 * are bounded by their own timeouts and by cancellation, not by the expired run timeout, and do not
 * change the run's status.
 */
import type { Agent, Dispatcher } from 'undici';
import { loadUndici } from './undici-module.js';
import { SkedError } from '../domain/errors.js';
import { formatDuration } from '../schedule/instant.js';
import { runPhase, type PhaseRun } from './run-phase.js';
import { linkStop, startTimer, StopRequest, stopKindOf, stopOf, type LinkedStop, type Stop } from './stop.js';
import type { RunStop } from './types.js';
import type { TemplateValues } from './template.js';
import type { ExecuteRequest, ExecuteResult, ExecutorOptions, ExecutorSettings } from './types.js';

const DEFAULTS = {
  maxOutputBytes: 65_536,
  killGraceMs: 2_000,
  httpTimeoutMs: 300_000,
} as const;

export class Executor {
  private readonly settings: ExecutorSettings;
  private agent: Agent | null = null;
  private closed = false;
  /** Runs in progress: the controller that cancels each, and the promise of its result. */
  private readonly active = new Map<RunStop, Promise<ExecuteResult>>();

  constructor(options: ExecutorOptions = {}) {
    this.settings = Object.freeze({
      maxOutputBytes: options.maxOutputBytes ?? DEFAULTS.maxOutputBytes,
      killGraceMs: options.killGraceMs ?? DEFAULTS.killGraceMs,
      httpTimeoutMs: options.httpTimeoutMs ?? DEFAULTS.httpTimeoutMs,
      checkUrl: options.checkUrl ?? null,
      now: options.now ?? Date.now,
      allowedStepTypes: options.allowedStepTypes ?? null,
      lookup: options.lookup ?? null,
      dispatchUrls: options.dispatchUrls ?? {},
    });
  }

  /** Runs the request's steps; resolves when every step and process of the run has finished. */
  execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.closed) return Promise.reject(new SkedError('UNAVAILABLE', 'the executor is closed'));
    const own = request.stop;
    const link = own === undefined ? linkStop(request.signal === undefined ? undefined : stopOf(request.signal)) : null;
    const stop = own ?? (link as LinkedStop).stop;
    const running = this.run(request, stop).finally(() => {
      link?.dispose();
      this.active.delete(stop);
    });
    this.active.set(stop, running);
    return running;
  }

  /**
   * Cancels the runs still in progress (their processes are stopped, their status is `cancelled`),
   * waits for them, and closes the HTTP connection pool. execute() rejects afterwards.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const stop of this.active.keys()) stop.abort(new StopRequest('cancelled'));
    await Promise.allSettled(this.active.values());
    await this.agent?.close();
    this.agent = null;
  }

  private async run(request: ExecuteRequest, cancelSignal: Stop): Promise<ExecuteResult> {
    const now = this.settings.now;
    const startedAt = now();
    const template: TemplateValues = {
      payload: request.payload,
      runId: request.runId,
      jobId: request.jobId,
      attempt: request.attempt,
      scheduledFor: request.scheduledFor,
      error: null,
    };
    const common: Omit<PhaseRun, 'steps' | 'phase' | 'signal' | 'template'> = {
      settings: this.settings,
      dispatcher: () => this.dispatcher(),
      onOutput: request.onOutput ?? null,
      onStepFinished: request.onStepFinished ?? null,
    };

    // The main steps run under the run timeout as well as cancellation (a signal of their own only
    // when there is a timeout: the onFailure steps must still run after it).
    const timeoutMs = request.timeoutMs;
    const main = timeoutMs === null ? null : linkStop(cancelSignal);
    const cancelTimer =
      main === null || timeoutMs === null
        ? () => undefined
        : startTimer(timeoutMs, () => main.stop.abort(new StopRequest('runTimeout')));
    let phase;
    try {
      phase = await runPhase({
        ...common,
        steps: request.steps,
        phase: 'main',
        signal: main?.stop ?? cancelSignal,
        template,
      });
    } finally {
      cancelTimer();
      main?.dispose();
    }

    let status: ExecuteResult['status'];
    let error: string | null;
    const stop = stopKindOf(main?.stop ?? cancelSignal);
    if (stop === 'cancelled') {
      status = 'cancelled';
      error = 'run cancelled';
    } else if (stop === 'runTimeout') {
      status = 'timedOut';
      error = `run timed out after ${formatDuration(timeoutMs ?? 0)}`;
    } else if (phase.failure !== null) {
      status = 'failed';
      error = phase.failure;
    } else {
      status = 'succeeded';
      error = null;
    }

    const steps = phase.results;
    if ((status === 'failed' || status === 'timedOut') && request.onFailure.length > 0) {
      const onFailure = await runPhase({
        ...common,
        steps: request.onFailure,
        phase: 'onFailure',
        signal: cancelSignal,
        template: { ...template, error },
      });
      steps.push(...onFailure.results);
    }
    return { status, error, steps, startedAt, finishedAt: now() };
  }

  /** One connection pool for every http step of this executor, made on first use. */
  private async dispatcher(): Promise<Dispatcher> {
    if (this.agent === null) {
      const { Agent } = await loadUndici();
      // undici's own header and body timeouts (300 s) are off: the step's timeout governs.
      const lookup = this.settings.lookup;
      this.agent ??= new Agent({ headersTimeout: 0, bodyTimeout: 0, ...(lookup ? { connect: { lookup } } : {}) });
    }
    return this.agent;
  }
}
