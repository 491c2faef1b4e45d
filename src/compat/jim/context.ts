/** What the JIM routes share: the caller, the services, and job lookups in JIM's terms. */

import type { FastifyRequest } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { Job } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import { ID_PATTERN } from '../../service/job-input.js';
import type { Services } from '../../service/index.js';
import { JimError, notFound } from './errors.js';
import { GUID } from './fields.js';

export interface JimDeps {
  services: Services;
  now: () => number;
}

/** The caller, authenticated by sked's hook for every path under /api/ (X-API-Key or Bearer). */
export function actorOf(request: FastifyRequest): Actor {
  const actor = (request as unknown as { actor?: Actor | null }).actor;
  if (!actor) throw new JimError(401, 'UNAUTHORISED', 'Authentication required');
  return actor;
}

/** `https://host` of the request, for Location headers. */
export const originOf = (request: FastifyRequest): string => `${request.protocol}://${request.headers.host ?? 'localhost'}`;

/** The sked id a path id names: GUIDs compare case-insensitively (sked's are lower case); null if none can. */
export function jobIdOf(pathId: string): string | null {
  if (GUID.test(pathId)) return pathId.toLowerCase();
  return ID_PATTERN.test(pathId) ? pathId : null;
}

/** Rethrows sked's NOT_FOUND as JIM's "<what> not found: <id>". */
export function orNotFound(what: 'Schedule' | 'Schedule execution', id: string) {
  return (err: unknown): never => {
    if (err instanceof SkedError && (err.code === 'NOT_FOUND' || err.code === 'PRECONDITION_FAILED')) throw notFound(what, id);
    throw err;
  };
}

export async function loadJob(deps: JimDeps, actor: Actor, pathId: string): Promise<Job> {
  const id = jobIdOf(pathId);
  if (id === null) throw notFound('Schedule', pathId);
  return deps.services.jobs.get(actor, id).catch(orNotFound('Schedule', pathId));
}

/** Every job (the list call filters, sorts and pages in memory: JIM's search spans name and description). */
export async function allJobs(deps: JimDeps, actor: Actor): Promise<Job[]> {
  const out: Job[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await deps.services.jobs.list(actor, { limit: 1000, offset });
    out.push(...page.items);
    if (page.items.length < 1000) return out;
  }
}
