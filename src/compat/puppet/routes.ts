/**
 * The orchestrator's scheduled-job endpoints: legacy (`/scheduled_jobs`, `command/schedule_task`,
 * `command/schedule_plan`) and current (`/scheduled_jobs/environment_jobs`). Creations answer 202 (the
 * Ruby client treats any other POST status as an error), edits 200, deletions 204.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Job } from '../../domain/types.js';
import { authorize, type Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import { createPuppetJob, jobInputOf } from './definition.js';
import { ORCH, PuppetError, rethrowAs, unknownJob } from './errors.js';
import { jobIdOf, type PuppetNumbers } from './ids.js';
import { listJobs, readList } from './listing.js';
import { readEnvironmentJob, readLegacy } from './request.js';
import { environmentFields, environmentItem, ENVIRONMENT_PATH, LEGACY_PATH, legacyItem } from './views.js';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

export interface PuppetDeps {
  services: Services;
  numbers: PuppetNumbers;
  actorOf: (request: FastifyRequest) => Actor;
}

const originOf = (request: FastifyRequest): string => `${request.protocol}://${request.headers.host ?? 'localhost'}`;

/** sked pointers as the legacy request's fields. */
const legacyField = (pointer: string): string => (pointer.startsWith('/schedule/every') ? 'schedule_options.interval.value' : pointer.startsWith('/schedule') ? 'scheduled_time' : pointer.startsWith('/steps') ? 'task' : pointer.slice(1) || 'body');
/** sked pointers as the environment job's fields. */
const environmentField = (pointer: string): string => (pointer.startsWith('/schedule/every') ? 'schedule.interval.value' : pointer.startsWith('/schedule') ? 'schedule.start_time' : pointer.startsWith('/steps') ? 'input' : pointer.slice(1) || 'body');

export function puppetRoutes(scope: FastifyInstance, deps: PuppetDeps): void {
  const { services, numbers, actorOf } = deps;

  async function load(actor: Actor, name: string): Promise<Job> {
    const id = jobIdOf(name);
    if (id === null) throw unknownJob(name);
    return services.jobs.get(actor, id).catch(rethrowAs(name, legacyField));
  }

  async function remove(request: IdRequest): Promise<void> {
    const actor = actorOf(request);
    const name = request.params.id;
    try {
      authorize(actor, 'write', 'delete jobs');
    } catch {
      throw new PuppetError(403, `${ORCH}/not-permitted`, `Not authorized to delete job ${name}`);
    }
    const job = await load(actor, name);
    await services.jobs.delete(actor, job.id).catch(rethrowAs(name, legacyField));
  }

  // Legacy
  scope.get(LEGACY_PATH, async (request) => {
    const list = readList(request.query, ['next_run', 'scheduled_time', 'name'], 'next_run');
    const { items, total } = await listJobs(services, actorOf(request), list);
    const origin = originOf(request);
    return { items: items.map((j) => legacyItem(j, origin)), pagination: { limit: list.limit, offset: list.offset, total } };
  });

  scope.get(`${LEGACY_PATH}/:id`, async (request: IdRequest) => legacyItem(await load(actorOf(request), request.params.id), originOf(request)));

  scope.delete(`${LEGACY_PATH}/:id`, async (request: IdRequest, reply) => {
    await remove(request);
    return reply.status(204).send();
  });

  // schedule_deploy answers like the other two (its doc example's `job` wrapper is taken for a doc slip).
  for (const type of ['task', 'plan', 'deploy'] as const) {
    scope.post(`/orchestrator/v1/command/schedule_${type}`, async (request, reply) => {
      const actor = actorOf(request);
      authorize(actor, 'write', `schedule ${type}s`);
      const def = readLegacy(request.body, type);
      const name = await createPuppetJob(services, numbers, actor, jobInputOf(def, actor, null)).catch(rethrowAs('', legacyField));
      return reply.status(202).send({ scheduled_job: { id: `${originOf(request)}${LEGACY_PATH}/${name}`, name } });
    });
  }

  // Environment jobs
  scope.get(ENVIRONMENT_PATH, async (request) => {
    const list = readList(request.query, ['next_run_time', 'environment', 'owner', 'name', 'type'], 'next_run_time');
    const { items, total } = await listJobs(services, actorOf(request), list);
    const origin = originOf(request);
    return { items: items.map((j) => environmentItem(j, origin)), pagination: { limit: list.limit, offset: list.offset, total } };
  });

  scope.post(ENVIRONMENT_PATH, async (request, reply) => {
    const actor = actorOf(request);
    authorize(actor, 'write', 'schedule jobs');
    const def = readEnvironmentJob(request.body, null);
    const name = await createPuppetJob(services, numbers, actor, jobInputOf(def, actor, null)).catch(rethrowAs('', environmentField));
    return reply.status(202).send({ scheduled_job: { id: `${originOf(request)}${ENVIRONMENT_PATH}/${name}`, name } });
  });

  scope.get(`${ENVIRONMENT_PATH}/:id`, async (request: IdRequest) => environmentItem(await load(actorOf(request), request.params.id), originOf(request)));

  scope.put(`${ENVIRONMENT_PATH}/:id`, async (request: IdRequest) => {
    const actor = actorOf(request);
    const name = request.params.id;
    authorize(actor, 'write', 'edit jobs');
    const job = await load(actor, name);
    const body = request.body;
    const onlyEnabling = typeof body === 'object' && body !== null && (body as Record<string, unknown>)['enabled'] === true;
    if (job.state === 'paused' && !onlyEnabling && Object.keys(body ?? {}).some((k) => k !== 'enabled')) {
      throw new PuppetError(400, `${ORCH}/disabled-scheduled-job`, `Scheduled job ${name} is disabled: enable it (send "enabled": true) to edit it`);
    }
    const def = readEnvironmentJob(body, environmentFields(job));
    await services.jobs.put(actor, job.id, jobInputOf(def, actor, job, def.changed), undefined, true).catch(rethrowAs(name, environmentField));
    return { scheduled_job: { id: `${originOf(request)}${ENVIRONMENT_PATH}/${name}`, name } };
  });

  scope.delete(`${ENVIRONMENT_PATH}/:id`, async (request: IdRequest, reply) => {
    await remove(request);
    return reply.status(204).send();
  });
}
