/** /api/v1/schedule-executions: list (newest first by default), active, one with its steps, cancel. */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { Job, Run } from '../../domain/types.js';
import { authorize, type Actor } from '../../service/actor.js';
import { actorOf, jobIdOf, orNotFound, type JimDeps } from './context.js';
import { addError, JimError, notFound, type ValidationErrors } from './errors.js';
import { executionDetailDto, executionDto, executionStatus } from './executions.js';
import { boolParam, envelope, queryValue, readPage, throwIfAny, type Query } from './paging.js';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
const BASE = '/api/v1/schedule-executions';
/** The most executions /active lists. */
const MAX_ACTIVE = 1000;

/** Job lookups for one request (executions of deleted jobs are named "Unknown", as in JIM). */
function jobCache(deps: JimDeps, actor: Actor): (id: string) => Promise<Job | null> {
  const cache = new Map<string, Promise<Job | null>>();
  return (id) => {
    let job = cache.get(id);
    if (!job) {
      job = deps.services.jobs.get(actor, id).catch((err: unknown) => {
        if (err instanceof SkedError && err.code === 'NOT_FOUND') return null;
        throw err;
      });
      cache.set(id, job);
    }
    return job;
  };
}

export function executionRoutes(scope: FastifyInstance, deps: JimDeps): void {
  const { services } = deps;

  async function loadRun(actor: Actor, pathId: string): Promise<Run> {
    const id = jobIdOf(pathId);
    if (id === null) throw notFound('Schedule execution', pathId);
    return services.runs.get(actor, id).catch(orNotFound('Schedule execution', pathId));
  }

  scope.get(BASE, async (request) => {
    const actor = actorOf(request);
    const query = request.query as Query;
    const errors: ValidationErrors = {};
    const page = readPage(query, errors);
    const descending = boolParam(query, 'sortDescending', errors) ?? true;
    const rawScheduleId = queryValue(query, 'scheduleId');
    const jobId = rawScheduleId ? jobIdOf(rawScheduleId) : undefined;
    if (jobId === null) addError(errors, 'scheduleId', `The value '${rawScheduleId}' is not valid.`);
    throwIfAny(errors);
    const filter = { jobId: jobId ?? undefined };
    // sked lists runs newest first; oldest first is the same list read from its end.
    let runs: Run[];
    let total: number;
    if (descending) {
      const listed = await services.runs.list(actor, { ...filter, limit: page.pageSize, offset: page.offset });
      runs = listed.items;
      total = listed.total;
    } else {
      total = (await services.runs.list(actor, { ...filter, limit: 1, offset: 0 })).total;
      const count = Math.min(page.pageSize, total - page.offset);
      runs = count > 0 ? (await services.runs.list(actor, { ...filter, limit: count, offset: total - page.offset - count })).items.reverse() : [];
    }
    const jobOf = jobCache(deps, actor);
    const items = await Promise.all(runs.map(async (run) => executionDto(run, await jobOf(run.jobId))));
    return envelope(items, total, page);
  });

  scope.get(`${BASE}/active`, async (request) => {
    const actor = actorOf(request);
    const listed = await services.runs.list(actor, { status: ['queued', 'running'], limit: MAX_ACTIVE, offset: 0 });
    const jobOf = jobCache(deps, actor);
    return Promise.all(listed.items.map(async (run) => executionDto(run, await jobOf(run.jobId))));
  });

  scope.get(`${BASE}/:id`, async (request: IdRequest) => {
    const actor = actorOf(request);
    const run = await loadRun(actor, request.params.id);
    return executionDetailDto(run, await jobCache(deps, actor)(run.jobId));
  });

  scope.post(`${BASE}/:id/cancel`, async (request: IdRequest) => {
    const actor = actorOf(request);
    authorize(actor, 'operate', 'cancel schedule executions');
    const run = await loadRun(actor, request.params.id);
    const cancelled = await services.runs.cancel(actor, run.id).catch((err: unknown) => {
      if (err instanceof SkedError && err.code === 'CONFLICT') throw new JimError(400, 'BAD_REQUEST', `Cannot cancel execution with status: ${executionStatus(run.status)}`);
      throw err;
    });
    return executionDto(cancelled, await jobCache(deps, actor)(run.jobId));
  });
}
