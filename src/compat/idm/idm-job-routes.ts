/** `/openidm/scheduler/job`: schedules (create-or-replace, read, delete, query) and their actions. */

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { Job } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import { ID_PATTERN } from '../../service/job-input.js';
import type { CompatContext } from '../surface.js';
import { unknownAction, validateCron } from './idm-actions.js';
import { IdmError } from './idm-errors.js';
import { idmConfigToInput } from './idm-input.js';
import { fieldsOf, parseCrestQuery, project, runQuery } from './idm-query.js';
import { actorOf, queryParam, versionOf } from './idm-request.js';
import { loadJobs, loadRuntime } from './idm-runtime.js';
import { configView, scheduleView } from './idm-view.js';

const BASE = '/openidm/scheduler/job';

function idOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

/** An id sked can store; others cannot exist (404 on reads) and cannot be created (400). */
function storableId(id: string): string {
  if (!ID_PATTERN.test(id))
    throw new IdmError(400, `Schedule id '${id}' is not valid here: sked ids match [A-Za-z0-9._-]{1,128}`);
  return id;
}

function header(request: FastifyRequest, name: string): string | null {
  const v = request.headers[name];
  const text = Array.isArray(v) ? v[0] : v;
  return typeof text === 'string' && text.trim() !== '' ? text.trim() : null;
}

/** The revision of `If-Match` (`"3"`, `3`, `W/"3"`); `*` and none give undefined. */
function ifMatchRev(request: FastifyRequest): number | undefined {
  const raw = header(request, 'if-match');
  if (raw === null || raw === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(raw);
  if (!m) throw new IdmError(412, `The revision '${raw}' does not match the schedule's revision`);
  return Number(m[1]);
}

async function findJob(ctx: CompatContext, actor: Actor, id: string): Promise<Job | null> {
  if (!ID_PATTERN.test(id)) return null;
  try {
    return await ctx.services.jobs.get(actor, id);
  } catch (err) {
    if (err instanceof SkedError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}

export function idmJobRoutes(scope: FastifyInstance, ctx: CompatContext): void {
  const { services } = ctx;

  const shown = async (request: FastifyRequest, job: Job): Promise<Record<string, unknown>> => {
    const rt = await loadRuntime(services, actorOf(request));
    return project(scheduleView(job, rt, versionOf(request)), fieldsOf(request));
  };

  const created = (reply: FastifyReply, id: string): void => {
    void reply.status(201).header('Location', `${BASE}/${encodeURIComponent(id)}`);
  };

  scope.get(`${BASE}/:id`, async (request) => {
    const job = await findJob(ctx, actorOf(request), idOf(request));
    if (!job) throw new IdmError(404, 'Schedule does not exist');
    return shown(request, job);
  });

  // PUT creates (201) or replaces (200); If-None-Match: * only creates, If-Match only replaces.
  scope.put(`${BASE}/:id`, async (request, reply) => {
    const actor = actorOf(request);
    const id = storableId(idOf(request));
    const existing = await findJob(ctx, actor, id);
    if (header(request, 'if-none-match') === '*' && existing)
      throw new IdmError(412, 'Schedule already exists');
    if (header(request, 'if-match') !== null && !existing) throw new IdmError(404, 'Schedule does not exist');
    const { input } = idmConfigToInput(id, request.body, existing, ctx.now());
    const result = await services.jobs.put(actor, id, input, ifMatchRev(request));
    if (result.created) created(reply, id);
    return shown(request, result.job);
  });

  scope.delete(`${BASE}/:id`, async (request) => {
    const actor = actorOf(request);
    const job = await findJob(ctx, actor, idOf(request));
    if (!job) throw new IdmError(404, 'Schedule does not exist');
    const body = await shown(request, job);
    await services.jobs.delete(actor, job.id, ifMatchRev(request));
    return body;
  });

  // Per-job actions exist only in resource version 2 (Advanced Identity Cloud answers 501 for 1.0).
  scope.post(`${BASE}/:id`, async (request) => {
    const actor = actorOf(request);
    const action = queryParam(request, '_action');
    if (action !== 'trigger' && action !== 'pause' && action !== 'resume') return unknownAction(action);
    if (versionOf(request) === 1)
      throw new IdmError(
        501,
        `The ${action} action is only available in resource version 2.0 (send Accept-API-Version: resource=2.0)`,
      );
    const job = await findJob(ctx, actor, idOf(request));
    if (!job) throw new IdmError(404, 'Schedule does not exist');
    if (action === 'trigger') await services.jobs.trigger(actor, job.id, null);
    else if (action === 'pause')
      await services.jobs.pause(actor, job.id, { reason: 'paused through the IDM scheduler API' });
    else await services.jobs.resume(actor, job.id);
    return { success: true };
  });

  scope.get(BASE, async (request) => {
    const q = parseCrestQuery(request);
    const actor = actorOf(request);
    const [jobs, rt] = await Promise.all([loadJobs(services, actor), loadRuntime(services, actor)]);
    const version = versionOf(request);
    return runQuery(
      jobs.map((j) => scheduleView(j, rt, version)),
      q,
    );
  });

  scope.post(BASE, async (request, reply) => {
    const actor = actorOf(request);
    const action = queryParam(request, '_action');
    switch (action ?? 'create') {
      case 'create': {
        const id = randomUUID();
        const { input } = idmConfigToInput(id, request.body, null, ctx.now());
        const job = await services.jobs.createWithId(actor, id, input);
        created(reply, id);
        return shown(request, job);
      }
      case 'listCurrentlyExecutingJobs': {
        const node = (await services.scheduler.status(actor)).nodeId;
        const running = await services.runs.list(actor, { limit: 10_000, offset: 0, status: ['running'] });
        const ids = [...new Set(running.items.filter((r) => r.nodeId === node).map((r) => r.jobId))];
        const jobs = (await Promise.all(ids.map((id) => findJob(ctx, actor, id)))).filter(
          (j): j is Job => j !== null,
        );
        return jobs.map((j) => configView(j, versionOf(request)));
      }
      case 'pauseJobs':
        await services.jobs.pauseMany(actor, {}, { reason: 'pauseJobs through the IDM scheduler API' });
        return { success: true };
      case 'resumeJobs':
        await services.jobs.resumeMany(actor, {});
        return { success: true };
      case 'validateQuartzCronExpression':
        return validateCron(services, actor, request.body);
      default:
        return unknownAction(action);
    }
  });
}
