/** What the IDM views need besides the jobs: acquired fires and running runs, read once per request. */

import type { Job } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import type { IdmRuntime } from './idm-view.js';

/** Bounds for one request; IDM itself loads every job of the scheduler for a query. */
const MAX_TRIGGERS = 100_000;
const MAX_RUNNING = 10_000;
const MAX_JOBS = 1_000_000;

export async function loadRuntime(services: Services, actor: Actor): Promise<IdmRuntime> {
  const [acquired, running] = await Promise.all([
    services.scheduler.triggers(actor, 'acquired', MAX_TRIGGERS),
    services.runs.list(actor, { limit: MAX_RUNNING, offset: 0, status: ['running'] }),
  ]);
  const byJob = new Map<string, string>();
  // triggers() is ordered by instant: the first fire of a job is the one its trigger is acquired for.
  for (const t of acquired) if (t.nodeId !== null && !byJob.has(t.jobId)) byJob.set(t.jobId, t.nodeId);
  const runningByJob = new Map<string, string>();
  for (const r of running.items)
    if (r.nodeId !== null && !runningByJob.has(r.jobId)) runningByJob.set(r.jobId, r.nodeId);
  return { acquired: byJob, running: runningByJob };
}

/** Every job, by id. */
export async function loadJobs(services: Services, actor: Actor): Promise<Job[]> {
  return (await services.jobs.list(actor, { limit: MAX_JOBS, offset: 0, sort: 'id' })).items;
}
