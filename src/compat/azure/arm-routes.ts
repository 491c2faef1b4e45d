/**
 * Azure Resource Manager Scheduler (2016-03-01): `/subscriptions/{sub}[/resourceGroups/{rg}]/providers/
 * Microsoft.Scheduler/jobCollections/...` with `?api-version=`, JSON resources with PascalCase enums,
 * lists as `{value, nextLink}`. Resource groups are not namespaces in sked (see ids.ts).
 */

import type { FastifyReply } from 'fastify';
import { armJob, armList, PROVIDER, type ArmScope } from './arm-shapes.js';
import { AzureApiError, badRequest } from './azure-api-error.js';
import { armCollection } from './collection-views.js';
import { listCollections } from './collection-ops.js';
import { armHistoryEntry } from './history.js';
import { checkCollectionName } from './ids.js';
import { deleteJob, getJob, jobHistory, listJobs, patchJob, putJob, runJob, type AzureContext } from './job-ops.js';
import { parseListQuery, type ListQuery } from './odata.js';
import { absoluteUrl, invalidVerb, is, jsonBody, sendEmpty, sendJson, type AzureRequest } from './request.js';
import { serveArmCollection } from './arm-collection-routes.js';
import { optionalObject, type Json } from './values.js';

export const API_VERSIONS = ['2016-03-01', '2016-01-01', '2014-08-01-preview'];
const DEFAULT_PAGE = 100;

const notFound = (path: string): AzureApiError => new AzureApiError(404, 'NotFound', `no resource at ${path}`);

export function checkApiVersion(query: URLSearchParams): void {
  const version = query.get('api-version');
  if (version === null || version === '') throw new AzureApiError(400, 'MissingApiVersionParameter', "the api-version query parameter (?api-version=) is required for all requests");
  if (!API_VERSIONS.includes(version)) {
    throw new AzureApiError(400, 'InvalidApiVersionParameter', `the api-version '${version}' is invalid: the supported versions are ${API_VERSIONS.join(', ')}`);
  }
}

/** Everything under `/subscriptions/`. */
export async function serveArm(r: AzureRequest): Promise<FastifyReply> {
  checkApiVersion(r.url.query);
  const [, subscription, a, b, c, d, e, f, ...tail] = r.url.segments;
  if (subscription === undefined) throw notFound(r.url.path);
  if (is(a, 'providers') && is(b, PROVIDER) && is(c, 'jobCollections') && d === undefined) {
    if (r.request.method !== 'GET') throw invalidVerb('arm', r.request.method);
    const all = await listCollections(r.ctx.services, r.actor);
    return sendJson(r.reply, 200, armList(all.map((s) => armCollection({ subscription, resourceGroup: s.meta.resourceGroup ?? 'sked' }, s)), null));
  }
  if (!is(a, 'resourceGroups') || b === undefined || !is(c, 'providers') || !is(d, PROVIDER) || !is(e, 'jobCollections')) throw notFound(r.url.path);
  const scope: ArmScope = { subscription, resourceGroup: b };
  if (f === undefined) {
    if (r.request.method !== 'GET') throw invalidVerb('arm', r.request.method);
    const all = await listCollections(r.ctx.services, r.actor);
    return sendJson(r.reply, 200, armList(all.map((s) => armCollection(scope, s)), null));
  }
  const jc = checkCollectionName(f);
  const [g, job, h, ...more] = tail;
  if (g === undefined || is(g, 'enable') || is(g, 'disable')) {
    if (job !== undefined) throw notFound(r.url.path);
    return serveArmCollection(r, scope, jc, g);
  }
  if (!is(g, 'jobs') || more.length) throw notFound(r.url.path);
  const az: AzureContext = { services: r.ctx.services, actor: r.actor, now: r.ctx.now, jc, pointer: '/properties' };
  if (job === undefined) {
    if (r.request.method !== 'GET') throw invalidVerb('arm', r.request.method);
    return listArmJobs(r, scope, az);
  }
  if (h !== undefined) return serveJobAction(r, scope, az, job, h);
  switch (r.request.method) {
    case 'GET':
      return sendJson(r.reply, 200, armJob(scope, jc, await getJob(az, job)));
    case 'PUT': {
      const { view, created } = await putJob(az, job, propertiesOf(jsonBody(r.request)));
      return sendJson(r.reply, created ? 201 : 200, armJob(scope, jc, view));
    }
    case 'PATCH':
      return sendJson(r.reply, 200, armJob(scope, jc, await patchJob(az, job, propertiesOf(jsonBody(r.request)))));
    case 'DELETE':
      await deleteJob(az, job);
      return sendEmpty(r.reply, 200);
    default:
      throw invalidVerb('arm', r.request.method);
  }
}

/** An ARM job body is a resource: its definition lies in `properties`. */
function propertiesOf(body: Json): Json {
  for (const key of Object.keys(body)) {
    if (!['id', 'type', 'name', 'properties'].includes(key)) throw badRequest(`/${key}`, 'is not a known field (known: id, type, name, properties)');
  }
  const properties = optionalObject(body['properties'], '/properties');
  if (!properties) throw badRequest('/properties', 'is required');
  return properties;
}

/** The nextLink of a page that has more after it. */
function nextLink(r: AzureRequest, q: ListQuery, top: number): string {
  const query = new URLSearchParams(r.url.query);
  query.set('$top', String(top));
  query.set('$skip', String(q.skip + top));
  return absoluteUrl(r.request, r.url.path, query);
}

async function listArmJobs(r: AzureRequest, scope: ArmScope, az: AzureContext): Promise<FastifyReply> {
  const q = parseListQuery(r.url.query, { state: ['enabled', 'disabled', 'completed', 'faulted'] });
  const top = q.top ?? DEFAULT_PAGE;
  const { views, more } = await listJobs(az, { ...q, top });
  return sendJson(r.reply, 200, armList(views.map((v) => armJob(scope, az.jc, v)), more ? nextLink(r, q, top) : null));
}

async function serveJobAction(r: AzureRequest, scope: ArmScope, az: AzureContext, job: string, action: string): Promise<FastifyReply> {
  if (is(action, 'run')) {
    if (r.request.method !== 'POST') throw invalidVerb('arm', r.request.method);
    await runJob(az, job);
    return sendEmpty(r.reply, 200);
  }
  if (!is(action, 'history')) throw notFound(r.url.path);
  if (r.request.method !== 'GET') throw invalidVerb('arm', r.request.method);
  const q = parseListQuery(r.url.query, { status: ['completed', 'failed', 'postponed'] });
  const top = q.top ?? DEFAULT_PAGE;
  const { entries, azureId, more } = await jobHistory(az, job, { ...q, top });
  return sendJson(r.reply, 200, armList(entries.map((e) => armHistoryEntry(e, scope, az.jc, azureId)), more ? nextLink(r, q, top) : null));
}
