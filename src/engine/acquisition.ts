/** Planning one claimed trigger: which fires to acquire, which were missed, where the trigger moves. */

import type { Acquisition, ClaimedTrigger } from '../store/store.js';
import type { CachedJob } from './job-cache.js';
import { planCatchUp, type CatchUpPlan } from './policies.js';
import { parseDuration } from '../schedule/instant.js';

export interface AcquisitionLimits {
  /** Fires later than this behind `now` were missed (downtime); the job's catch-up policy applies. */
  misfireThresholdMs: number;
  /** Most missed fires examined per job at once; older ones beyond are skipped and counted. */
  maxMissedFires: number;
  /** Most fires acquired per job per acquisition. */
  maxFiresPerJob: number;
}

export interface AcquisitionPlan {
  acquisition: Acquisition;
  catchUp: CatchUpPlan | null;
  /** Missed fires beyond maxMissedFires that were not examined. */
  skipped: number;
}

const DEFAULT_CATCH_UP_WINDOW = 3_600_000;

export function planAcquisition(
  claim: ClaimedTrigger,
  cached: CachedJob,
  now: number,
  horizon: number,
  limits: AcquisitionLimits,
): AcquisitionPlan {
  const schedule = cached.schedule;
  let t: number | null = claim.nextFireAt;
  let catchUp: CatchUpPlan | null = null;
  let skipped = 0;
  const missedBefore = now - limits.misfireThresholdMs;
  if (t < missedBefore) {
    const overdue: number[] = [];
    while (t !== null && t < missedBefore && overdue.length < limits.maxMissedFires) {
      overdue.push(t);
      t = schedule.nextAfter(t);
    }
    if (t !== null && t < missedBefore) {
      // Too many to examine one by one: count the rest (up to a bound) and jump to the present.
      while (t !== null && t < missedBefore && skipped < 100_000) {
        skipped++;
        t = schedule.nextAfter(t);
      }
      if (t !== null && t < missedBefore) t = schedule.nextAfter(missedBefore - 1);
    }
    const policy = cached.job.catchUp;
    const window = parseDuration(policy.window) ?? DEFAULT_CATCH_UP_WINDOW;
    catchUp = planCatchUp(overdue, policy.policy, window, now);
  }
  const fires: number[] = [];
  while (t !== null && t <= horizon && fires.length < limits.maxFiresPerJob) {
    fires.push(t);
    t = schedule.nextAfter(t);
  }
  return {
    acquisition: { jobId: claim.jobId, version: claim.version, fires, nextFireAt: t, completed: t === null },
    catchUp,
    skipped,
  };
}
