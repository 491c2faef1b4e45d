/**
 * Azure scopes job ids by job collection; sked ids are global. The mapping is deterministic:
 *
 * - job collection `jc` is the sked collection `jc` (subscriptions, cloud services and resource groups
 *   are not namespaces in sked: every one of them sees the same collections);
 * - job `j1` made through Azure in collection `jc` is the sked job `jc.j1`;
 * - any other sked job of collection `jc` (made through the native API or another surface) keeps its
 *   own id as its Azure job id. Looking up `jc/jobs/x` tries `jc.x` first, then a job `x` of `jc`.
 */

import { SkedError } from '../../domain/errors.js';
import type { Job } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import { AzureApiError, badRequest } from './azure-api-error.js';

const NAME = /^[A-Za-z0-9._-]+$/;
const MAX_SKED_ID = 128;

/** Checks a job collection name (it is the sked collection name). */
export function checkCollectionName(jc: string): string {
  if (!NAME.test(jc) || jc.length > 100) throw badRequest('/jobCollectionName', 'must be 1..100 letters, digits, periods, hyphens or underscores');
  return jc;
}

/** The sked id of Azure job `job` created in collection `jc`. */
export function skedJobId(jc: string, job: string): string {
  if (!NAME.test(job)) throw badRequest('/jobName', 'must be letters, digits, periods, hyphens or underscores');
  const id = `${jc}.${job}`;
  if (id.length > MAX_SKED_ID) throw badRequest('/jobName', `is too long: the collection name, a period and the job name must fit in ${MAX_SKED_ID} characters`);
  return id;
}

/** The Azure id under which a sked job of collection `jc` is shown. */
export function azureJobId(jc: string, job: Job): string {
  const prefix = `${jc}.`;
  return job.id.startsWith(prefix) && job.id.length > prefix.length ? job.id.slice(prefix.length) : job.id;
}

async function tryGet(services: Services, actor: Actor, id: string): Promise<Job | null> {
  if (!NAME.test(id) || id.length > MAX_SKED_ID) return null;
  try {
    return await services.jobs.get(actor, id);
  } catch (err) {
    if (err instanceof SkedError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}

/** The sked job shown as `job` in collection `jc`, or null. */
export async function findJob(services: Services, actor: Actor, jc: string, job: string): Promise<Job | null> {
  const scoped = await tryGet(services, actor, `${jc}.${job}`);
  if (scoped && scoped.collection === jc) return scoped;
  const plain = await tryGet(services, actor, job);
  return plain && plain.collection === jc ? plain : null;
}

/** The sked job shown as `job` in collection `jc`; a 404 when there is none. */
export async function requireJob(services: Services, actor: Actor, jc: string, job: string): Promise<Job> {
  const found = await findJob(services, actor, jc, job);
  if (!found) throw new AzureApiError(404, 'ResourceNotFound', `job '${job}' does not exist in job collection '${jc}'`);
  return found;
}
