/** A step's timeout and retry settings, parsed and checked before its first attempt. */
import type { Step } from '../domain/types.js';
import { parseDuration } from '../schedule/instant.js';
import { planRetry, type RetryPlan } from './backoff.js';
import type { ExecutorSettings } from './types.js';

export interface StepPlan {
  /** Per-attempt timeout (null = none): the step's `timeout`, or for http steps the executor default. */
  timeoutMs: number | null;
  retry: RetryPlan;
}

const NO_RETRY: RetryPlan = { maxAttempts: 1, backoff: 'fixed', intervalMs: 0, maxIntervalMs: null };

/** The plan, or a message naming the invalid setting. */
export function planStep(step: Step, settings: ExecutorSettings): StepPlan | string {
  let timeoutMs: number | null = step.type === 'http' ? settings.httpTimeoutMs : null;
  if (step.timeout !== undefined) {
    timeoutMs = parseDuration(step.timeout);
    if (timeoutMs === null) return `invalid timeout '${step.timeout}': not an ISO 8601 duration`;
  }
  const retry = step.retry === undefined ? NO_RETRY : planRetry(step.retry);
  if (typeof retry === 'string') return retry;
  return { timeoutMs, retry };
}
