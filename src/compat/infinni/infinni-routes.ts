/** `/scheduler/...`: InfinniPlatform's scheduler service (status, job lists, jobs, pause/resume/trigger). */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { Job } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import { ID_PATTERN } from '../../service/job-input.js';
import type { CompatContext } from '../surface.js';
import { fail, ok } from './infinni-envelope.js';
import { dataOf, jobInfoOf, jobInfoToInput } from './infinni-job-info.js';

/**
 * Who an Infinni request acts as: the service has no authentication and is served only to callers on this
 * host (SKED_LOCAL_ONLY_PATHS, and the surface's own check), so they act as a trusted local admin.
 */
export const INFINNI_ACTOR: Actor = { kind: 'local', id: null, name: 'infinni (local)', role: 'admin' };

const PLANNED_FILTER = 'state eq "enabled" or state eq "completed"';
const PAUSED_FILTER = 'state eq "paused" or state eq "faulted"';
const ALL = 1_000_000;

function query(request: FastifyRequest, name: string): string {
  const v = (request.query as Record<string, unknown> | undefined)?.[name];
  const text = Array.isArray(v) ? v[0] : v;
  return typeof text === 'string' ? text : '';
}

/** `int.TryParse` or the default. */
function intQuery(request: FastifyRequest, name: string, fallback: number): number {
  const text = query(request, name).trim();
  return /^[+-]?\d{1,9}$/.test(text) ? Number(text) : fallback;
}

/** `ids=a,b;c`: split on `,` and `;`, trimmed, empty ones dropped; none = every job. */
function idsQuery(request: FastifyRequest): string[] | null {
  const ids = query(request, 'ids')
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return ids.length ? ids : null;
}

function base(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? 'localhost'}/scheduler`;
}

async function findJob(ctx: CompatContext, id: string): Promise<Job | null> {
  if (!ID_PATTERN.test(id)) return null;
  try {
    return await ctx.services.jobs.get(INFINNI_ACTOR, id);
  } catch (err) {
    if (err instanceof SkedError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}

export function infinniRoutes(scope: FastifyInstance, ctx: CompatContext): void {
  const { services } = ctx;

  const status = async (request: FastifyRequest) => {
    const s = await services.scheduler.status(INFINNI_ACTOR);
    const ref = (state: string) => `${base(request)}/jobs?${state ? `state=${state}&` : ''}skip=0&take=10`;
    return ok({
      isStarted: s.state === 'started',
      all: { count: s.counts.jobs, ref: ref('') },
      planned: { count: s.counts.enabled + s.counts.completed, ref: ref('planned') },
      paused: { count: s.counts.paused + s.counts.faulted, ref: ref('paused') },
    });
  };
  for (const url of ['/scheduler', '/scheduler/'])
    scope.route({ method: ['GET', 'POST'], url, handler: status });

  const jobs = async (request: FastifyRequest) => {
    const state = query(request, 'state').toLowerCase();
    const skip = Math.max(intQuery(request, 'skip', 0), 0);
    const take = Math.max(Math.min(intQuery(request, 'take', 10), 100), 1);
    const filter = state === 'planned' ? PLANNED_FILTER : state === 'paused' ? PAUSED_FILTER : undefined;
    const page = await services.jobs.list(INFINNI_ACTOR, {
      limit: take,
      offset: skip,
      filter,
      sort: 'createdAt',
    });
    return ok(page.items.map((j) => ({ id: j.id, ref: `${base(request)}/jobs/${j.id}` })));
  };
  for (const url of ['/scheduler/jobs', '/scheduler/jobs/'])
    scope.route({ method: ['GET', 'POST'], url, handler: jobs });

  scope.get('/scheduler/jobs/:id', async (request) => {
    const job = await findJob(ctx, (request.params as { id: string }).id);
    return job ? ok(jobInfoOf(job)) : fail();
  });

  scope.post('/scheduler/jobs/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    if (!ID_PATTERN.test(id))
      return fail(`job id '${id}' is not valid here: sked ids match [A-Za-z0-9._-]{1,128}`);
    if (request.body === undefined || request.body === null) return fail();
    const existing = await findJob(ctx, id);
    let input;
    try {
      input = jobInfoToInput(id, request.body, existing);
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
    await services.jobs.put(INFINNI_ACTOR, id, input);
    return ok(true);
  });

  // Deleting a job that is not there succeeds, as it does in InfinniPlatform.
  scope.delete('/scheduler/jobs/:id', async (request) => {
    const job = await findJob(ctx, (request.params as { id: string }).id);
    if (job) {
      await services.jobs.delete(INFINNI_ACTOR, job.id).catch((err: unknown) => {
        if (!(err instanceof SkedError && err.code === 'NOT_FOUND')) throw err;
      });
    }
    return ok(true);
  });

  scope.post('/scheduler/pause', async (request) => {
    const ids = idsQuery(request);
    await services.jobs.pauseMany(INFINNI_ACTOR, ids ? { ids } : {}, {
      reason: 'paused through the InfinniPlatform scheduler API',
    });
    return ok(true);
  });

  scope.post('/scheduler/resume', async (request) => {
    const ids = idsQuery(request);
    await services.jobs.resumeMany(INFINNI_ACTOR, ids ? { ids } : {});
    return ok(true);
  });

  // The body is the data the handlers get; without one they get the job's Data.
  scope.post('/scheduler/trigger', async (request) => {
    const ids = idsQuery(request);
    const targets: Job[] = [];
    if (ids) {
      const found = await Promise.all(ids.map((id) => findJob(ctx, id)));
      const missing = ids.filter((_, i) => found[i] === null);
      if (missing.length) return fail(`The job (${missing.join(', ')}) does not exist`);
      targets.push(...(found as Job[]));
    } else {
      targets.push(
        ...(await services.jobs.list(INFINNI_ACTOR, { limit: ALL, offset: 0, sort: 'createdAt' })).items,
      );
    }
    const body = request.body;
    for (const job of targets) await services.jobs.trigger(INFINNI_ACTOR, job.id, body ?? dataOf(job));
    return ok(true);
  });
}
