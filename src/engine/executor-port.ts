/** What the engine needs from an executor (src/executor implements it). */

import type { Step, StepResult } from '../domain/types.js';

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
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
  /** The run's stop, when the caller owns one per run (see the executor's ExecuteRequest). */
  stop?: { readonly aborted: boolean; readonly reason: unknown; signal(): AbortSignal; abort(reason: unknown): void };
  onOutput?: (position: number, phase: 'main' | 'onFailure', chunk: string) => void;
  onStepFinished?: (result: StepResult) => void;
}

export interface ExecuteResult {
  status: 'succeeded' | 'failed' | 'cancelled' | 'timedOut';
  error: string | null;
  steps: StepResult[];
  startedAt: number;
  finishedAt: number;
}

export interface ExecutorPort {
  execute(request: ExecuteRequest): Promise<ExecuteResult>;
  close(): Promise<void>;
}
