/**
 * ARM job collections: GET, PUT (201 created / 200 replaced), PATCH (fields not sent keep their value),
 * DELETE (the collection and its jobs), and POST enable / disable (all jobs; enabling restarts the jobs
 * the disable stopped). `properties.state` Disabled or Suspended disables the jobs as POST disable does.
 */

import type { FastifyReply } from 'fastify';
import type { ArmScope } from './arm-shapes.js';
import { badRequest } from './azure-api-error.js';
import { maxRecurrenceOf, parseMaxRecurrence, parsePlan, type AzureCollectionMeta, type MaxRecurrence } from './collection-meta.js';
import { findCollection, readCollection, removeCollection, writeCollection, type CollectionState } from './collection-ops.js';
import { armCollection } from './collection-views.js';
import { setAllJobs, type AzureContext } from './job-ops.js';
import { invalidVerb, is, jsonBody, sendEmpty, sendJson, type AzureRequest } from './request.js';
import { checkKnown, enumValue, isObject, optionalInteger, optionalObject, optionalString, type Json } from './values.js';

interface CollectionPatch {
  plan?: AzureCollectionMeta['plan'];
  state?: 'Enabled' | 'Disabled' | 'Suspended';
  maxJobCount?: number;
  maxJobOccurrence?: number;
  maxRecurrence?: MaxRecurrence;
  location?: string;
  tags?: Record<string, string>;
}

function parseBody(body: Json): CollectionPatch {
  checkKnown(body, ['id', 'type', 'name', 'location', 'tags', 'properties'], '');
  const out: CollectionPatch = {};
  const location = optionalString(body['location'], '/location');
  if (location !== undefined) out.location = location;
  const tags = optionalObject(body['tags'], '/tags');
  if (tags) {
    for (const [k, v] of Object.entries(tags)) if (typeof v !== 'string') throw badRequest(`/tags/${k}`, 'must be a string');
    out.tags = tags as Record<string, string>;
  }
  const props = optionalObject(body['properties'], '/properties');
  if (!props) return out;
  checkKnown(props, ['sku', 'state', 'quota'], '/properties');
  const sku = optionalObject(props['sku'], '/properties/sku');
  if (sku?.['name'] !== undefined) out.plan = parsePlan(sku['name'], '/properties/sku/name');
  if (props['state'] !== undefined && props['state'] !== null) out.state = enumValue(props['state'], ['Enabled', 'Disabled', 'Suspended'] as const, '/properties/state');
  const quota = optionalObject(props['quota'], '/properties/quota');
  if (quota) {
    checkKnown(quota, ['maxJobCount', 'maxJobOccurrence', 'maxRecurrence'], '/properties/quota');
    const count = optionalInteger(quota['maxJobCount'], '/properties/quota/maxJobCount', 1, 1_000_000);
    if (count !== undefined) out.maxJobCount = count;
    const occurrence = optionalInteger(quota['maxJobOccurrence'], '/properties/quota/maxJobOccurrence', 1, 1_000_000);
    if (occurrence !== undefined) out.maxJobOccurrence = occurrence;
    const rec = quota['maxRecurrence'];
    if (isObject(rec)) out.maxRecurrence = parseMaxRecurrence(rec['frequency'], rec['interval'], '/properties/quota/maxRecurrence');
    else if (rec !== undefined && rec !== null) throw badRequest('/properties/quota/maxRecurrence', 'must be an object {frequency, interval}');
  }
  return out;
}

async function applyState(az: AzureContext, before: CollectionState | null, state: CollectionPatch['state']): Promise<void> {
  if (state === undefined) return;
  const disable = state !== 'Enabled';
  if (disable) await setAllJobs(az, false);
  else if (before?.disabled) await setAllJobs(az, true, true);
}

export async function serveArmCollection(r: AzureRequest, scope: ArmScope, jc: string, action: string | undefined): Promise<FastifyReply> {
  const { services } = r.ctx;
  const az: AzureContext = { services, actor: r.actor, now: r.ctx.now, jc, pointer: '/properties' };
  const method = r.request.method;
  if (action !== undefined) {
    if (method !== 'POST') throw invalidVerb('arm', method);
    await readCollection(services, r.actor, jc);
    await setAllJobs(az, is(action, 'enable'), true);
    return sendEmpty(r.reply, 200);
  }
  switch (method) {
    case 'GET':
      return sendJson(r.reply, 200, armCollection(scope, await readCollection(services, r.actor, jc)));
    case 'PUT':
    case 'PATCH': {
      const patch = parseBody(jsonBody(r.request));
      const existing = await findCollection(services, r.actor, jc);
      if (method === 'PATCH' && !existing) await readCollection(services, r.actor, jc);
      const keep = method === 'PATCH' ? existing : null;
      const plan = patch.plan ?? existing?.meta.plan ?? 'Standard';
      // PUT replaces what ARM sends (location, tags, quota); PATCH starts from what is there.
      const base: AzureCollectionMeta = keep ? { ...keep.meta } : { plan, ...(existing?.meta.cloudService ? { cloudService: existing.meta.cloudService } : {}) };
      const meta: AzureCollectionMeta = { ...base, plan, resourceGroup: existing?.meta.resourceGroup ?? scope.resourceGroup };
      if (patch.location !== undefined) meta.location = patch.location;
      if (patch.tags !== undefined) meta.tags = patch.tags;
      if (patch.maxJobOccurrence !== undefined) meta.maxJobOccurrence = patch.maxJobOccurrence;
      // A PATCH keeps the quota unless it sends one or changes the plan (which brings the plan's quota).
      const keepQuota = keep && patch.plan === undefined;
      const maxJobCount = patch.maxJobCount ?? (keepQuota ? keep.collection.maxJobs : undefined);
      const maxRecurrence = patch.maxRecurrence ?? (keepQuota ? maxRecurrenceOf(keep.collection.minInterval) : undefined);
      const { state, created } = await writeCollection(services, r.actor, jc, meta, { maxJobCount, maxRecurrence });
      await applyState(az, existing, patch.state);
      const after = patch.state === undefined ? state : await readCollection(services, r.actor, jc);
      return sendJson(r.reply, created ? 201 : 200, armCollection(scope, after));
    }
    case 'DELETE':
      await removeCollection(services, r.actor, jc);
      return sendEmpty(r.reply, 200);
    default:
      throw invalidVerb('arm', method);
  }
}
