/** Retry plans for one step: how many attempts, and how long to wait before each retry. */
import type { RetryPolicy } from '../domain/types.js';
import { parseDuration } from '../schedule/instant.js';

export interface RetryPlan {
  maxAttempts: number;
  backoff: 'fixed' | 'exponential';
  intervalMs: number;
  /** Cap for exponential backoff (null = none). */
  maxIntervalMs: number | null;
}

/** The plan of a policy, or a message naming the invalid field. */
export function planRetry(policy: RetryPolicy): RetryPlan | string {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    return `invalid retry.maxAttempts ${String(policy.maxAttempts)}: must be an integer >= 1`;
  }
  if (policy.backoff !== 'fixed' && policy.backoff !== 'exponential') {
    return `invalid retry.backoff '${String(policy.backoff)}': must be fixed or exponential`;
  }
  const intervalMs = parseDuration(policy.interval);
  if (intervalMs === null) return `invalid retry.interval '${policy.interval}': not an ISO 8601 duration`;
  let maxIntervalMs: number | null = null;
  if (policy.maxInterval !== undefined) {
    maxIntervalMs = parseDuration(policy.maxInterval);
    if (maxIntervalMs === null) {
      return `invalid retry.maxInterval '${policy.maxInterval}': not an ISO 8601 duration`;
    }
  }
  return { maxAttempts: policy.maxAttempts, backoff: policy.backoff, intervalMs, maxIntervalMs };
}

/**
 * Milliseconds to wait after attempt `failedAttempt` (1-based) failed: the interval, doubled after each
 * further failure when exponential, capped at maxInterval. No jitter: a step retries in place inside one
 * run, so there is no herd of clients to spread out, and a deterministic wait is easier to reason about.
 */
export function retryDelayMs(plan: RetryPlan, failedAttempt: number): number {
  const factor = plan.backoff === 'exponential' ? 2 ** Math.max(0, failedAttempt - 1) : 1;
  // Many doublings overflow to Infinity: keep the number finite (sleep() copes with any finite length).
  const delay = Math.min(plan.intervalMs * factor, Number.MAX_SAFE_INTEGER);
  return plan.maxIntervalMs === null ? delay : Math.min(delay, plan.maxIntervalMs);
}
