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

/** Plans per step object (a job's steps are the same objects for every run of that version). */
const cache = new WeakMap<Step, { settings: ExecutorSettings; plan: StepPlan | string }>();

/** The plan, or a message naming the invalid setting. */
export function planStep(step: Step, settings: ExecutorSettings): StepPlan | string {
  const hit = cache.get(step);
  if (hit !== undefined && hit.settings === settings) return hit.plan;
  const plan = computePlan(step, settings);
  cache.set(step, { settings, plan });
  return plan;
}

function computePlan(step: Step, settings: ExecutorSettings): StepPlan | string {
  let timeoutMs: number | null = step.type === 'http' ? settings.httpTimeoutMs : null;
  if (step.timeout !== undefined) {
    timeoutMs = parseDuration(step.timeout);
    if (timeoutMs === null) return `invalid timeout '${step.timeout}': not an ISO 8601 duration`;
  }
  const retry = step.retry === undefined ? NO_RETRY : planRetry(step.retry);
  if (typeof retry === 'string') return retry;
  return { timeoutMs, retry };
}
