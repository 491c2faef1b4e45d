/** /api/v1/schedules: list, read, create, replace, delete, enable, disable, run. */

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { Job } from '../../domain/types.js';
import { authorize } from '../../service/actor.js';
import { actorOf, allJobs, loadJob, orNotFound, originOf, type JimDeps } from './context.js';
import { jobInputOf } from './definition.js';
import { JimError, validationFailed, type ValidationErrors } from './errors.js';
import { lastExecutionOf } from './executions.js';
import { boolParam, envelope, queryValue, readPage, throwIfAny, type Query } from './paging.js';
import { readScheduleRequest } from './request.js';
import { scheduleDetailDto, scheduleDto } from './views.js';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
const BASE = '/api/v1/schedules';

/** `?changeReason=` (≤ 2000 characters). */
function changeReason(request: FastifyRequest): string | null {
  const reason = queryValue(request.query as Query, 'changeReason');
  if (reason !== undefined && reason.length > 2000) {
    throw validationFailed({ ChangeReason: ['The field ChangeReason must be a string with a maximum length of 2000.'] });
  }
  return reason ?? null;
}

const SORT_KEYS: Record<string, (a: Job, b: Job) => number> = {
  name: (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  created: (a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id),
  nextruntime: (a, b) => (a.status.nextFireTime ?? Infinity) - (b.status.nextFireTime ?? Infinity) || a.name.localeCompare(b.name),
};

export function scheduleRoutes(scope: FastifyInstance, deps: JimDeps): void {
  const { services, now } = deps;

  scope.get(BASE, async (request) => {
    const actor = actorOf(request);
    const query = request.query as Query;
    const errors: ValidationErrors = {};
    const page = readPage(query, errors);
    const descending = boolParam(query, 'sortDescending', errors) ?? false;
    throwIfAny(errors);
    const search = queryValue(query, 'search')?.trim().toLowerCase();
    let jobs = await allJobs(deps, actor);
    if (search) jobs = jobs.filter((j) => j.name.toLowerCase().includes(search) || j.description.toLowerCase().includes(search));
    const compare = SORT_KEYS[(queryValue(query, 'sortBy') ?? 'name').toLowerCase()] ?? (SORT_KEYS['name'] as (a: Job, b: Job) => number);
    jobs.sort((a, b) => (descending ? compare(b, a) : compare(a, b)));
    const items = await Promise.all(
      jobs.slice(page.offset, page.offset + page.pageSize).map(async (job) => {
        const last = await services.runs.list(actor, { limit: 1, offset: 0, jobId: job.id });
        return scheduleDto(job, lastExecutionOf(last.items[0] ?? null, job));
      }),
    );
    return envelope(items, jobs.length, page);
  });

  scope.get(`${BASE}/:id`, async (request: IdRequest) => scheduleDetailDto(await loadJob(deps, actorOf(request), request.params.id)));

  scope.post(BASE, async (request, reply) => {
    const actor = actorOf(request);
    authorize(actor, 'write', 'create schedules');
    const body = readScheduleRequest(request.body, 'create');
    const input = await jobInputOf(body, null, now());
    const id = randomUUID();
    const job = await services.jobs.createWithId(actor, id, input);
    void reply.status(201).header('Location', `${originOf(request)}${BASE}/${id}`);
    return scheduleDetailDto(job);
  });

  scope.put(`${BASE}/:id`, async (request: IdRequest) => {
    const actor = actorOf(request);
    authorize(actor, 'write', 'change schedules');
    const existing = await loadJob(deps, actor, request.params.id);
    const body = readScheduleRequest(request.body, 'update');
    const input = await jobInputOf(body, existing, now());
    const { job } = await services.jobs.put(actor, existing.id, input, undefined, true).catch(orNotFound('Schedule', request.params.id));
    return scheduleDetailDto(job);
  });

  scope.delete(`${BASE}/:id`, async (request: IdRequest, reply) => {
    const actor = actorOf(request);
    authorize(actor, 'write', 'delete schedules');
    changeReason(request);
    const job = await loadJob(deps, actor, request.params.id);
    await services.jobs.delete(actor, job.id).catch(orNotFound('Schedule', request.params.id));
    return reply.status(204).send();
  });

  scope.post(`${BASE}/:id/enable`, async (request: IdRequest) => {
    const actor = actorOf(request);
    authorize(actor, 'operate', 'enable schedules');
    changeReason(request);
    const job = await loadJob(deps, actor, request.params.id);
    return scheduleDto(await services.jobs.resume(actor, job.id).catch(orNotFound('Schedule', request.params.id)));
  });

  scope.post(`${BASE}/:id/disable`, async (request: IdRequest) => {
    const actor = actorOf(request);
    authorize(actor, 'operate', 'disable schedules');
    const reason = changeReason(request) ?? 'disabled through the JIM API';
    const job = await loadJob(deps, actor, request.params.id);
    // A completed schedule (a one-time fire already done) has nothing left to disable: it already is.
    if (job.state === 'completed') return scheduleDto(job);
    return scheduleDto(await services.jobs.pause(actor, job.id, { reason }).catch(orNotFound('Schedule', request.params.id)));
  });

  scope.post(`${BASE}/:id/run`, async (request: IdRequest, reply) => {
    const actor = actorOf(request);
    authorize(actor, 'operate', 'run schedules');
    const job = await loadJob(deps, actor, request.params.id);
    if (job.steps.length === 0) throw new JimError(400, 'VALIDATION_ERROR', 'Cannot run a schedule with no steps');
    // Refused while an execution is queued or running, decided as the run is written: of two
    // simultaneous calls, one starts it.
    const executionId = await services.jobs.trigger(actor, job.id, null, { exclusive: true }).catch((err: unknown) => {
      if (err instanceof SkedError && err.code === 'NOT_FOUND') throw new JimError(404, 'NOT_FOUND', `Schedule not found: ${request.params.id}`);
      if (err instanceof SkedError && err.code === 'CONFLICT') throw new JimError(400, 'BAD_REQUEST', 'Failed to start schedule execution. The schedule may already be running.');
      throw err;
    });
    return reply.status(202).send({ executionId, message: `Schedule '${job.name}' started successfully` });
  });
}
