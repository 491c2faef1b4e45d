/** Delays between attempts (runs and steps share the rule). */

import type { RetryPolicy } from '../domain/types.js';
import { parseDuration } from '../schedule/instant.js';

/** Delay before the attempt after `attempt` (1-based) failed. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const base = parseDuration(policy.interval) ?? 0;
  if (policy.backoff !== 'exponential') return base;
  const max = policy.maxInterval ? (parseDuration(policy.maxInterval) ?? Infinity) : Infinity;
  return Math.min(base * 2 ** Math.max(0, attempt - 1), max);
}
