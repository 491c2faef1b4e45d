/**
 * The executor's public contract (what the engine calls) and the small internal contract between the
 * run orchestration and the step runners.
 */
import type { Dispatcher } from 'undici';
import type { Instant, Step, StepResult } from '../domain/types.js';
import type { StepOutput } from './step-output.js';
import type { TemplateValues } from './template.js';
import type { HttpPolicy } from './http-policy.js';

export type StepPhase = 'main' | 'onFailure';

export interface ExecuteRequest {
  runId: string;
  jobId: string;
  attempt: number;
  scheduledFor: number | null;
  payload: unknown;
  steps: Step[];
  onFailure: Step[];
  /** Run timeout in ms (null = none). */
  timeoutMs: number | null;
  /** Aborting it cancels the run: running processes are killed, status becomes `cancelled`. */
  signal?: AbortSignal;
  /**
   * The run's stop, from a caller that owns one per run (given instead of `signal`): the executor fires
   * it itself when it closes, and makes its AbortSignal only if a step needs one.
   */
  stop?: RunStop;
  /** Live hooks (optional): output chunks as they arrive, and each finished step. */
  onOutput?: (position: number, phase: StepPhase, chunk: string) => void;
  onStepFinished?: (result: StepResult) => void;
}

/** A run's stop as the executor uses it (see stop.ts: StopController implements it). */
export interface RunStop {
  readonly aborted: boolean;
  readonly reason: unknown;
  signal(): AbortSignal;
  abort(reason: unknown): void;
}

export interface ExecuteResult {
  status: 'succeeded' | 'failed' | 'cancelled' | 'timedOut';
  error: string | null;
  /** Main steps in position order, then onFailure steps (if they ran) in position order. */
  steps: StepResult[];
  startedAt: number;
  finishedAt: number;
}

export interface ExecutorOptions {
  /** Bytes of output kept per step (default 65536), head and tail halves with a marker in between. */
  maxOutputBytes?: number;
  /** Grace between SIGTERM and SIGKILL of a process group (default 2000 ms). */
  killGraceMs?: number;
  /** Default timeout for http steps without one (default 300000 ms). */
  httpTimeoutMs?: number;
  /** Hook to refuse an http step's URL before connecting: throw to refuse. */
  checkUrl?: (url: URL) => void | Promise<void>;
  /** Where `dispatch` steps are POSTed, by surface (SKED_DISPATCH_<SURFACE>_URL). */
  dispatchUrls?: Readonly<Record<string, string>>;
  /** DNS lookup used by the HTTP agent (the host policy's, which refuses denied addresses). */
  lookup?: HttpPolicy['lookup'];
  /** Clock for timestamps (default Date.now). */
  now?: () => number;
  /** Which step types may run (default all). */
  allowedStepTypes?: ReadonlySet<string>;
}

/** ExecutorOptions with defaults applied. */
export interface ExecutorSettings {
  readonly maxOutputBytes: number;
  readonly killGraceMs: number;
  readonly httpTimeoutMs: number;
  readonly checkUrl: ((url: URL) => void | Promise<void>) | null;
  readonly now: () => Instant;
  readonly allowedStepTypes: ReadonlySet<string> | null;
  readonly lookup: HttpPolicy['lookup'] | null;
  readonly dispatchUrls: Readonly<Record<string, string>>;
}

/** What a step runner gets for one attempt of one step. */
export interface AttemptContext {
  /** Aborted on step timeout, run timeout or cancellation: the runner stops and returns promptly. */
  readonly signal: AbortSignal;
  readonly output: StepOutput;
  /** `SKED_*` variables describing the run, for process steps (they win over the step's own env); made on demand. */
  readonly runEnv: () => Readonly<Record<string, string>>;
  readonly template: TemplateValues;
  readonly settings: ExecutorSettings;
  /** The executor's shared HTTP connection pool. */
  readonly dispatcher: () => Promise<Dispatcher>;
}

/** How one attempt ended, as seen by its runner. A stop (timeout, cancel) is decided by the caller. */
export interface AttemptOutcome {
  ok: boolean;
  exitCode: number | null;
  httpStatus: number | null;
  /** Why the attempt failed, without the step label (added by the caller). */
  error: string | null;
}

export function succeeded(extra?: Partial<Pick<AttemptOutcome, 'exitCode' | 'httpStatus'>>): AttemptOutcome {
  return { ok: true, exitCode: extra?.exitCode ?? null, httpStatus: extra?.httpStatus ?? null, error: null };
}

export function failed(
  error: string,
  extra?: Partial<Pick<AttemptOutcome, 'exitCode' | 'httpStatus'>>,
): AttemptOutcome {
  return { ok: false, exitCode: extra?.exitCode ?? null, httpStatus: extra?.httpStatus ?? null, error };
}
