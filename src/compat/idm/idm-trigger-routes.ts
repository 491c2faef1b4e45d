/**
 * `/openidm/scheduler/trigger` (Quartz triggers, one per scheduled job), the repo objects
 * `/openidm/scheduler/acquiredTriggers` and `/openidm/scheduler/waitingTriggers`, and the scheduler's own
 * `validateQuartzCronExpression` action. A trigger's `nodeId` is the node holding the job's acquired fire
 * (or running it), so `(nodeId pr)` finds acquired triggers and `!(nodeId pr)` waiting ones.
 */

import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { Job } from '../../domain/types.js';
import { ID_PATTERN } from '../../service/job-input.js';
import type { CompatContext } from '../surface.js';
import { unknownAction, validateCron } from './idm-actions.js';
import { IdmError } from './idm-errors.js';
import { jobIdOfTrigger, repoTriggerId } from './idm-model.js';
import { fieldsOf, parseCrestQuery, project, runQuery } from './idm-query.js';
import { actorOf, queryParam, versionOf } from './idm-request.js';
import { loadJobs, loadRuntime } from './idm-runtime.js';
import { triggerView } from './idm-view.js';

const MAX_TRIGGERS = 100_000;

/** A revision for a repo object that changes whenever its content does. */
function revisionOf(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
}

export function idmTriggerRoutes(scope: FastifyInstance, ctx: CompatContext): void {
  const { services } = ctx;

  scope.get('/openidm/scheduler/trigger', async (request) => {
    const q = parseCrestQuery(request);
    const actor = actorOf(request);
    const [jobs, rt] = await Promise.all([loadJobs(services, actor), loadRuntime(services, actor)]);
    const version = versionOf(request);
    const triggers = jobs
      .map((j) => triggerView(j, rt, version))
      .filter((t): t is Record<string, unknown> => t !== null);
    return runQuery(triggers, q);
  });

  scope.get('/openidm/scheduler/trigger/:id', async (request) => {
    const actor = actorOf(request);
    const jobId = jobIdOfTrigger((request.params as { id: string }).id);
    let job: Job | null = null;
    if (jobId !== null && ID_PATTERN.test(jobId)) {
      job = await services.jobs.get(actor, jobId).catch((err: unknown) => {
        if (err instanceof SkedError && err.code === 'NOT_FOUND') return null;
        throw err;
      });
    }
    const trigger = job ? triggerView(job, await loadRuntime(services, actor), versionOf(request)) : null;
    if (!trigger) throw new IdmError(404, 'Trigger does not exist');
    return project(trigger, fieldsOf(request));
  });

  scope.get('/openidm/scheduler/acquiredTriggers', async (request) => {
    const acquired = await services.scheduler.triggers(actorOf(request), 'acquired', MAX_TRIGGERS);
    const byNode: Record<string, string[]> = {};
    for (const t of acquired) {
      const list = (byNode[t.nodeId ?? 'unknown'] ??= []);
      const id = repoTriggerId(t.jobId);
      if (!list.includes(id)) list.push(id);
    }
    return { _id: 'acquiredTriggers', _rev: revisionOf(byNode), ...byNode };
  });

  scope.get('/openidm/scheduler/waitingTriggers', async (request) => {
    const actor = actorOf(request);
    const [waiting, acquired] = await Promise.all([
      services.scheduler.triggers(actor, 'waiting', MAX_TRIGGERS),
      services.scheduler.triggers(actor, 'acquired', MAX_TRIGGERS),
    ]);
    // sked acquires a job's fires ahead and keeps its trigger for the later ones; Quartz's trigger is
    // either acquired or waiting, so a job with an acquired fire is not also waiting.
    const held = new Set(acquired.map((t) => t.jobId));
    const names = [...new Set(waiting.filter((t) => !held.has(t.jobId)).map((t) => repoTriggerId(t.jobId)))];
    return { _id: 'waitingTriggers', _rev: revisionOf(names), names };
  });

  scope.post('/openidm/scheduler', async (request) => {
    const action = queryParam(request, '_action');
    if (action !== 'validateQuartzCronExpression') return unknownAction(action);
    return validateCron(services, actorOf(request), request.body);
  });
}
