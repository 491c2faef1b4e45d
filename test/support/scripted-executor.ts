/**
 * An executor for engine unit tests on a fake clock: each run takes a scripted time on that clock and
 * ends with a scripted status, so overlap, retries and timeouts are tested without sleeping. (The real
 * executor, with real processes and HTTP, has its own tests and runs in the end-to-end tests.)
 */

import type { Clock } from '../../src/engine/clock.js';
import type { ExecuteRequest, ExecuteResult, ExecutorPort } from '../../src/engine/executor-port.js';

export interface Script {
  durationMs: number;
  status: ExecuteResult['status'];
  error?: string;
}

export class ScriptedExecutor implements ExecutorPort {
  readonly started: { runId: string; jobId: string; at: number; attempt: number; payload: unknown }[] = [];
  readonly finished: { runId: string; jobId: string; at: number; status: string }[] = [];
  private readonly scripts = new Map<string, Script | ((attempt: number) => Script)>();
  running = 0;
  maxRunning = 0;

  constructor(private readonly clock: Clock, private readonly fallback: Script = { durationMs: 10, status: 'succeeded' }) {}

  /** How runs of a job behave. */
  script(jobId: string, script: Script | ((attempt: number) => Script)): void {
    this.scripts.set(jobId, script);
  }

  execute(req: ExecuteRequest): Promise<ExecuteResult> {
    const startedAt = this.clock.now();
    this.started.push({ runId: req.runId, jobId: req.jobId, at: startedAt, attempt: req.attempt, payload: req.payload });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const entry = this.scripts.get(req.jobId);
    const script = typeof entry === 'function' ? entry(req.attempt) : (entry ?? this.fallback);
    return new Promise<ExecuteResult>((resolve) => {
      const done = (status: ExecuteResult['status'], error: string | null): void => {
        this.running--;
        const at = this.clock.now();
        this.finished.push({ runId: req.runId, jobId: req.jobId, at, status });
        resolve({ status, error, steps: [], startedAt, finishedAt: at });
      };
      const timer = this.clock.at(startedAt + script.durationMs, () => done(script.status, script.error ?? (script.status === 'succeeded' ? null : 'scripted failure')));
      req.signal?.addEventListener('abort', () => {
        timer.cancel();
        done('cancelled', 'cancelled');
      });
    });
  }

  async close(): Promise<void> {}
}
