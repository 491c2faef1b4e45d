/**
 * The job operations both Azure APIs share, on the services: read, list, create or replace, create
 * with a server-picked id, PATCH (fields not sent keep their value), delete, run now, history, and
 * enabling or disabling every job of a collection. Views are in classic casing; the ARM routes recase.
 */

import { randomUUID } from 'node:crypto';
import type { Job, JobState } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import { inputOf } from '../../service/job-input.js';
import { AzureApiError, badRequest } from './azure-api-error.js';
import { azureJobId, findJob, requireJob, skedJobId } from './ids.js';
import { actionParts, enabledOf, extensionsWith, JOB_FIELDS, jobInputOf } from './job-input.js';
import { jobView } from './job-view.js';
import { filterHistory, historyOf, runFactsOf, type HistoryEntry } from './history.js';
import type { ListQuery } from './odata.js';
import { withAzurePointers } from './pointers.js';
import { toSchedule } from './recurrence-input.js';
import { checkKnown, isObject, type Json } from './values.js';

export interface AzureContext {
  services: Services;
  actor: Actor;
  now: () => number;
  /** The job collection (= sked collection). */
  jc: string;
  /** Where the job lies in request bodies: '' (classic) or '/properties' (ARM). */
  pointer: string;
}

/** Azure's collection-wide disable pauses jobs with this reason; enabling the collection resumes them. */
export const COLLECTION_DISABLED = 'job collection disabled';
// Azure's documented maximum size of a job definition.
const MAX_JOB_BYTES = 16 * 1024;
const STATE_OF: Record<string, JobState> = { enabled: 'enabled', disabled: 'paused', completed: 'completed', faulted: 'faulted' };

export async function requireCollection(ctx: AzureContext): Promise<void> {
  try {
    await ctx.services.collections.get(ctx.actor, ctx.jc);
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND') throw new AzureApiError(404, 'ResourceNotFound', `job collection '${ctx.jc}' does not exist`);
    throw err;
  }
}

export async function viewOf(ctx: AzureContext, job: Job): Promise<Json> {
  return jobView(job, azureJobId(ctx.jc, job), await runFactsOf(ctx.services, ctx.actor, job));
}

export async function getJob(ctx: AzureContext, name: string): Promise<Json> {
  await requireCollection(ctx);
  return viewOf(ctx, await requireJob(ctx.services, ctx.actor, ctx.jc, name));
}

/** A page of the collection's jobs (by id); `top` undefined = all. */
export async function listJobs(ctx: AzureContext, q: ListQuery): Promise<{ views: Json[]; more: boolean }> {
  await requireCollection(ctx);
  const state = q.filter ? STATE_OF[q.filter.value] : undefined;
  const limit = q.top ?? 1000;
  const views: Json[] = [];
  for (let offset = q.skip; ; offset += limit) {
    const page = await ctx.services.jobs.list(ctx.actor, { limit, offset, collection: ctx.jc, state, sort: 'id' });
    for (const job of page.items) views.push(await viewOf(ctx, job));
    if (q.top !== undefined) return { views, more: offset + page.items.length < page.total };
    if (page.items.length < limit) return { views, more: false };
  }
}

function checkSize(body: Json): void {
  if (Buffer.byteLength(JSON.stringify(body)) > MAX_JOB_BYTES) throw badRequest('', `the job is larger than ${MAX_JOB_BYTES / 1024} KB`);
}

/** PUT: creates (created: true) or replaces the job shown as `name`. */
export async function putJob(ctx: AzureContext, name: string, body: Json): Promise<{ view: Json; created: boolean }> {
  await requireCollection(ctx);
  checkSize(body);
  const existing = await findJob(ctx.services, ctx.actor, ctx.jc, name);
  const id = existing?.id ?? skedJobId(ctx.jc, name);
  const input = jobInputOf(body, { name, collection: ctx.jc, now: ctx.now(), pointer: ctx.pointer, existing });
  const { job, created } = await withAzurePointers(ctx.pointer, isObject(body['recurrence']), () => ctx.services.jobs.put(ctx.actor, id, input));
  return { view: await viewOf(ctx, job), created };
}

/** POST: creates a job with an id sked picks. */
export async function postJob(ctx: AzureContext, body: Json): Promise<{ view: Json; name: string }> {
  await requireCollection(ctx);
  checkSize(body);
  const name = typeof body['id'] === 'string' && body['id'] ? body['id'] : randomUUID();
  const input = jobInputOf(body, { name, collection: ctx.jc, now: ctx.now(), pointer: ctx.pointer, existing: null });
  const job = await withAzurePointers(ctx.pointer, isObject(body['recurrence']), () => ctx.services.jobs.createWithId(ctx.actor, skedJobId(ctx.jc, name), input));
  return { view: await viewOf(ctx, job), name };
}

/** A JSON merge: objects merge key by key, null removes, anything else replaces. */
function merge(base: unknown, patch: unknown): unknown {
  if (!isObject(patch) || !isObject(base)) return patch;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/**
 * PATCH: fields not sent keep their value. `status`, an `id` other than the URL's, and the states
 * completed and faulted are refused; a state alone pauses or resumes the job.
 */
export async function patchJob(ctx: AzureContext, name: string, patch: Json): Promise<Json> {
  const p = ctx.pointer;
  checkKnown(patch, JOB_FIELDS, p);
  if (patch['status'] !== undefined) throw badRequest(`${p}/status`, 'cannot be changed: it is kept by the scheduler');
  if (patch['id'] !== undefined && patch['id'] !== name) throw badRequest(`${p}/id`, `must be the job id of the URL ('${name}')`);
  const enabled = enabledOf(patch['state'], `${p}/state`);
  await requireCollection(ctx);
  checkSize(patch);
  const job = await requireJob(ctx.services, ctx.actor, ctx.jc, name);
  const { services, actor } = ctx;
  if (!['startTime', 'action', 'recurrence'].some((k) => k in patch)) {
    const reason = typeof patch['stateDetails'] === 'string' ? patch['stateDetails'] : 'disabled through the Azure Scheduler API';
    if (enabled === false && job.state === 'enabled') return viewOf(ctx, await services.jobs.pause(actor, job.id, { reason }));
    if (enabled === true && job.state === 'paused') return viewOf(ctx, await services.jobs.resume(actor, job.id));
    return viewOf(ctx, job);
  }
  const current = jobView(job, azureJobId(ctx.jc, job), { faultedCount: 0, lastExecutionTime: null });
  const input = inputOf(job, job.state !== 'paused');
  if ('action' in patch) {
    const parts = actionParts(merge(current['action'], patch['action']), `${p}/action`, job);
    input.steps = parts.steps;
    input.onFailure = parts.onFailure;
    input.retry = parts.retry;
    input.extensions = extensionsWith(job, parts.auth);
  }
  const recurrence = 'recurrence' in patch ? (patch['recurrence'] === null ? null : merge(current['recurrence'], patch['recurrence'])) : current['recurrence'];
  if ('startTime' in patch || 'recurrence' in patch) {
    const startTime = 'startTime' in patch ? patch['startTime'] : current['startTime'];
    input.schedule = toSchedule(startTime, recurrence, p, { now: ctx.now(), adjust: 'startTime' in patch });
  }
  input.enabled = enabled;
  const updated = await withAzurePointers(p, isObject(recurrence), () => services.jobs.put(actor, job.id, input, undefined, true));
  return viewOf(ctx, updated.job);
}

export async function deleteJob(ctx: AzureContext, name: string): Promise<void> {
  await requireCollection(ctx);
  const job = await requireJob(ctx.services, ctx.actor, ctx.jc, name);
  await ctx.services.jobs.delete(ctx.actor, job.id);
}

/** Runs the job now; returns the run id. */
export async function runJob(ctx: AzureContext, name: string): Promise<string> {
  await requireCollection(ctx);
  const job = await requireJob(ctx.services, ctx.actor, ctx.jc, name);
  return ctx.services.jobs.trigger(ctx.actor, job.id, null);
}

export async function jobHistory(ctx: AzureContext, name: string, q: ListQuery): Promise<{ entries: HistoryEntry[]; azureId: string; more: boolean }> {
  await requireCollection(ctx);
  const job = await requireJob(ctx.services, ctx.actor, ctx.jc, name);
  const all = filterHistory(await historyOf(ctx.services, ctx.actor, job), q.filter);
  const end = q.top === undefined ? all.length : q.skip + q.top;
  return { entries: all.slice(q.skip, end), azureId: azureJobId(ctx.jc, job), more: end < all.length };
}

/**
 * Disables (pauses, reason COLLECTION_DISABLED) every enabled job of the collection, or enables
 * paused ones: all of them, or with `onlyCollectionDisabled` those the collection's disable paused
 * (Azure re-enables the jobs that were enabled before the collection stopped). Completed and faulted
 * jobs are left alone.
 */
export async function setAllJobs(ctx: AzureContext, enable: boolean, onlyCollectionDisabled = false): Promise<Job[]> {
  const { services, actor } = ctx;
  const jobs = (await services.jobs.list(actor, { limit: 1_000_000, offset: 0, collection: ctx.jc, sort: 'id' })).items;
  if (enable) {
    const ids = jobs.filter((j) => j.state === 'paused' && (!onlyCollectionDisabled || j.pause?.reason === COLLECTION_DISABLED)).map((j) => j.id);
    if (ids.length) await services.jobs.resumeMany(actor, { ids });
  } else {
    const ids = jobs.filter((j) => j.state === 'enabled').map((j) => j.id);
    if (ids.length) await services.jobs.pauseMany(actor, { ids }, { reason: COLLECTION_DISABLED });
  }
  return (await services.jobs.list(actor, { limit: 1_000_000, offset: 0, collection: ctx.jc, sort: 'id' })).items;
}
