/**
 * The classic Service Management paths around job collections: cloud services (sked keeps none: a
 * cloud service is a label a collection made through it remembers, and collections without one appear
 * in every cloud service), subscription registration, the provider's plans, and name availability.
 */

import type { FastifyReply } from 'fastify';
import { AzureApiError } from './azure-api-error.js';
import { serveJobCollection } from './classic-routes.js';
import { PLANS } from './collection-meta.js';
import { findCollection, listCollections, removeCollection, type CollectionState } from './collection-ops.js';
import { classicResourceElements } from './collection-views.js';
import { checkCollectionName } from './ids.js';
import { invalidVerb, is, sendEmpty, sendXml, textBody, type AzureRequest } from './request.js';
import { parseXml, xmlDocument, xmlElement } from './xml.js';

const notFound = (path: string): AzureApiError => new AzureApiError(404, 'ResourceNotFound', `no resource at ${path}`);
const UNSCOPED = 'sked';

function inCloudService(s: CollectionState, cs: string): boolean {
  return s.meta.cloudService === undefined || s.meta.cloudService === cs;
}

function cloudServiceXml(name: string, collections: CollectionState[], root = false): string {
  const geo = collections.find((c) => c.meta.location)?.meta.location ?? UNSCOPED;
  return xmlElement('CloudService', [
    xmlElement('Name', name),
    xmlElement('Label', name),
    xmlElement('Description', null),
    xmlElement('GeoRegion', geo),
    xmlElement('Resources', collections.map((c) => xmlElement('Resource', classicResourceElements(c, true)))),
  ], root);
}

/** Everything under `/{subscriptionId}/...` that the classic surface serves. */
export async function serveClassic(r: AzureRequest): Promise<FastifyReply> {
  const [, area, cs, resources, provider, ...rest] = r.url.segments;
  const method = r.request.method;
  if (is(area, 'services')) {
    // Register Subscription: PUT /{sub}/services?service=scheduler.JobCollections&action=register.
    if (method !== 'PUT' && method !== 'POST') throw invalidVerb('classic', method);
    const service = r.url.query.get('service') ?? '';
    const action = (r.url.query.get('action') ?? '').toLowerCase();
    if (!is(service, 'scheduler.JobCollections') || (action !== 'register' && action !== 'unregister')) {
      throw new AzureApiError(400, 'MissingOrInvalidRequiredQueryParameter', 'service must be scheduler.JobCollections and action register or unregister');
    }
    return sendEmpty(r.reply, 200);
  }
  if (is(area, 'resourceproviders')) {
    // Get Resource Provider Properties: GET /{sub}/resourceproviders/scheduler/Properties?resourceType=JobCollections.
    if (!is(cs, 'scheduler') || !is(resources, 'properties') || provider !== undefined) throw notFound(r.url.path);
    if (method !== 'GET') throw invalidVerb('classic', method);
    const property = xmlElement('ResourceProviderProperty', [xmlElement('Key', 'plans'), xmlElement('Value', Object.keys(PLANS).join(','))]);
    return sendXml(r.reply, 200, xmlDocument(xmlElement('ResourceProviderProperties', [property], true)));
  }
  if (!is(area, 'cloudservices')) throw notFound(r.url.path);
  if (cs === undefined) return listCloudServices(r);
  if (resources === undefined) return serveCloudService(r, cs);
  const tail = is(rest[0], '~') ? rest.slice(1) : rest;
  if (!is(resources, 'resources') || !is(provider, 'scheduler') || !is(tail[0], 'jobcollections')) throw notFound(r.url.path);
  if (tail.length === 1) return checkNameAvailability(r);
  return serveJobCollection(r, cs, tail.slice(1));
}

async function listCloudServices(r: AzureRequest): Promise<FastifyReply> {
  if (r.request.method !== 'GET') throw invalidVerb('classic', r.request.method);
  const all = await listCollections(r.ctx.services, r.actor);
  const names = [...new Set(all.map((c) => c.meta.cloudService).filter((n): n is string => n !== undefined))].sort();
  if (!names.length && all.length) names.push(UNSCOPED);
  const services = names.map((n) => cloudServiceXml(n, all.filter((c) => inCloudService(c, n))));
  return sendXml(r.reply, 200, xmlDocument(xmlElement('CloudServices', services, true)));
}

async function serveCloudService(r: AzureRequest, cs: string): Promise<FastifyReply> {
  const { services } = r.ctx;
  switch (r.request.method) {
    case 'GET': {
      const all = (await listCollections(services, r.actor)).filter((c) => inCloudService(c, cs));
      return sendXml(r.reply, 200, xmlDocument(cloudServiceXml(cs, all, true)));
    }
    case 'PUT': {
      // Nothing to keep: the body is checked, and collections created under this name remember it.
      const text = textBody(r.request);
      if (text.trim() && parseXml(text).name.toLowerCase() !== 'cloudservice') throw new AzureApiError(400, 'InvalidXmlRequest', 'the root element must be <CloudService>');
      return sendEmpty(r.reply, 202);
    }
    case 'DELETE': {
      const own = (await listCollections(services, r.actor)).filter((c) => c.meta.cloudService === cs);
      for (const c of own) await removeCollection(services, r.actor, c.collection.name);
      return sendEmpty(r.reply, 200);
    }
    default:
      throw invalidVerb('classic', r.request.method);
  }
}

/** POST .../jobCollections/?op=checknameavailability&resourceName=<jc>. */
async function checkNameAvailability(r: AzureRequest): Promise<FastifyReply> {
  if (r.request.method !== 'POST' || (r.url.query.get('op') ?? '').toLowerCase() !== 'checknameavailability') throw invalidVerb('classic', r.request.method);
  const name = r.url.query.get('resourceName');
  if (!name) throw new AzureApiError(400, 'MissingOrInvalidRequiredQueryParameter', 'resourceName is required');
  let available = true;
  try {
    checkCollectionName(name);
    available = (await findCollection(r.ctx.services, r.actor, name)) === null;
  } catch (err) {
    if (!(err instanceof AzureApiError)) throw err;
    available = false;
  }
  return sendXml(r.reply, 200, xmlDocument(xmlElement('ResourceNameAvailabilityResponse', [xmlElement('IsAvailable', String(available))], true)));
}
