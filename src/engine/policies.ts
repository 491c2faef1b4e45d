/**
 * The engine's decisions, as pure functions: what a fire does while the job's previous run is still
 * going (overlap), and which fires missed during downtime still run (catch-up).
 */

import type { CatchUpPolicy, OverlapPolicy } from '../domain/types.js';

export interface JobActivity {
  running: string[];
  queued: string[];
}

export type OverlapDecision =
  | { outcome: 'skipped' }
  /** `wait`: queue the run behind the running one instead of starting it. `cancel`: runs to cancel first. */
  | { outcome: 'run'; wait: boolean; cancel: string[] };

const RUN_NOW: OverlapDecision = { outcome: 'run', wait: false, cancel: [] };

export function decideOverlap(policy: OverlapPolicy, activity: JobActivity | undefined): OverlapDecision {
  if (!activity || (activity.running.length === 0 && activity.queued.length === 0)) return RUN_NOW;
  switch (policy) {
    case 'allow':
      return RUN_NOW;
    case 'skip':
      return { outcome: 'skipped' };
    case 'bufferOne':
      // One run may wait behind the current one; a second fire while one waits is skipped.
      return activity.queued.length === 0 ? { outcome: 'run', wait: activity.running.length > 0, cancel: [] } : { outcome: 'skipped' };
    case 'cancelOther':
      return { outcome: 'run', wait: false, cancel: [...activity.running, ...activity.queued] };
  }
}

export interface CatchUpPlan {
  /** Fires that still run (trigger `catchUp`), oldest first. */
  run: number[];
  /** Fires recorded as missed. */
  missed: number[];
}

/**
 * @param fires missed fire instants, ascending
 * @param windowMs only fires at or after now - window may still run
 */
export function planCatchUp(fires: number[], policy: CatchUpPolicy, windowMs: number, now: number): CatchUpPlan {
  const oldest = now - windowMs;
  const eligible = fires.filter((t) => t >= oldest);
  let run: number[];
  switch (policy) {
    case 'none':
      run = [];
      break;
    case 'latest':
      run = eligible.length ? [eligible[eligible.length - 1] as number] : [];
      break;
    case 'all':
      run = eligible;
      break;
  }
  const runSet = new Set(run);
  return { run, missed: fires.filter((t) => !runSet.has(t)) };
}
