/**
 * Classic Azure Scheduler (Service Management): job collections under
 * `/{subscriptionId}/cloudservices/{cloudServiceId}/resources/scheduler/~/jobcollections/{jc}` (XML,
 * 202 accepted) and their jobs (JSON: bare arrays, lowercase enums). Literals match case-insensitively
 * and `~/` is optional, as the SDK (`JobCollections`) and the docs (`jobCollections`) differ.
 */

import type { FastifyReply } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import { AzureApiError } from './azure-api-error.js';
import { checkCollectionName } from './ids.js';
import { parseMaxRecurrence, parsePlan, type AzureCollectionMeta, type MaxRecurrence } from './collection-meta.js';
import { findCollection, readCollection, removeCollection, writeCollection } from './collection-ops.js';
import { classicCollectionXml } from './collection-views.js';
import { classicHistoryEntry } from './history.js';
import { deleteJob, getJob, jobHistory, listJobs, patchJob, postJob, putJob, setAllJobs, viewOf, type AzureContext } from './job-ops.js';
import { parseListQuery } from './odata.js';
import { invalidVerb, is, jsonBody, sendEmpty, sendJson, sendXml, textBody, type AzureRequest } from './request.js';
import { enumValue, optionalInteger } from './values.js';
import { parseXml, xmlChild, xmlDocument, xmlText } from './xml.js';

const JOB_STATES = ['enabled', 'disabled', 'completed', 'faulted'];
const HISTORY_STATUSES = ['completed', 'failed', 'postponed'];

/** `segments` start at the job collection name: [jc, 'jobs'?, job?, 'history'?]. */
export async function serveJobCollection(r: AzureRequest, cloudService: string, segments: string[]): Promise<FastifyReply> {
  const [jcRaw, jobsLiteral, job, historyLiteral, ...rest] = segments;
  const method = r.request.method;
  if (jcRaw === undefined || rest.length || (jobsLiteral !== undefined && !is(jobsLiteral, 'jobs')) || (historyLiteral !== undefined && !is(historyLiteral, 'history'))) {
    throw new AzureApiError(404, 'ResourceNotFound', `no resource at ${r.url.path}`);
  }
  const jc = checkCollectionName(jcRaw);
  if (jobsLiteral === undefined) return serveCollection(r, cloudService, jc);
  const az: AzureContext = { services: r.ctx.services, actor: r.actor, now: r.ctx.now, jc, pointer: '' };
  if (job === undefined) {
    switch (method) {
      case 'GET': {
        const q = parseListQuery(r.url.query, { state: JOB_STATES });
        return sendJson(r.reply, 200, (await listJobs(az, q)).views);
      }
      case 'POST': {
        const { view, name } = await postJob(az, jsonBody(r.request));
        void r.reply.header('location', `${r.url.path.replace(/\/$/, '')}/${encodeURIComponent(name)}`);
        return sendJson(r.reply, 201, view);
      }
      case 'PATCH': {
        // Stops or starts every job of the collection: {"state": "disabled" | "enabled"}.
        const body = jsonBody(r.request);
        const state = enumValue(body['state'], ['enabled', 'disabled'] as const, '/state');
        await readCollection(r.ctx.services, r.actor, jc);
        const jobs = await setAllJobs(az, state === 'enabled');
        return sendJson(r.reply, 200, await Promise.all(jobs.map((j) => viewOf(az, j))));
      }
      default:
        throw invalidVerb('classic', method);
    }
  }
  if (historyLiteral !== undefined) {
    if (method !== 'GET') throw invalidVerb('classic', method);
    const q = parseListQuery(r.url.query, { status: HISTORY_STATUSES, state: JOB_STATES });
    const { entries, azureId } = await jobHistory(az, job, q);
    return sendJson(r.reply, 200, entries.map((e) => classicHistoryEntry(e, azureId)));
  }
  switch (method) {
    case 'GET':
      return sendJson(r.reply, 200, await getJob(az, job));
    case 'PUT': {
      const { view, created } = await putJob(az, job, jsonBody(r.request));
      return sendJson(r.reply, created ? 201 : 200, view);
    }
    case 'PATCH':
      // The docs say 202; the classic SDK accepts only 200, and real clients win.
      return sendJson(r.reply, 200, await patchJob(az, job, jsonBody(r.request)));
    case 'DELETE':
      await deleteJob(az, job);
      return sendEmpty(r.reply, 200);
    default:
      throw invalidVerb('classic', method);
  }
}

interface ParsedResource {
  plan?: AzureCollectionMeta['plan'];
  maxJobCount?: number;
  maxJobOccurrence?: number;
  maxRecurrence?: MaxRecurrence;
}

function quotaNumber(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  return optionalInteger(/^\d+$/.test(text) ? Number(text) : text, `/Resource/IntrinsicSettings/Quota/${name}`, 1, 1_000_000);
}

/** `<Resource><IntrinsicSettings><Plan/><Quota><MaxJobCount/><MaxRecurrence>…` (all optional). */
function parseResourceXml(text: string): ParsedResource {
  if (!text.trim()) return {};
  const root = parseXml(text);
  if (root.name.toLowerCase() !== 'resource') throw new AzureApiError(400, 'InvalidXmlRequest', `the root element must be <Resource>, not <${root.name}>`);
  const settings = xmlChild(root, 'IntrinsicSettings');
  const out: ParsedResource = {};
  const plan = xmlText(settings, 'Plan');
  if (plan !== undefined) out.plan = parsePlan(plan, '/Resource/IntrinsicSettings/Plan');
  const quota = xmlChild(settings, 'Quota');
  const count = quotaNumber(xmlText(quota, 'MaxJobCount'), 'MaxJobCount');
  if (count !== undefined) out.maxJobCount = count;
  const occurrence = quotaNumber(xmlText(quota, 'MaxJobOccurrence'), 'MaxJobOccurrence');
  if (occurrence !== undefined) out.maxJobOccurrence = occurrence;
  const rec = xmlChild(quota, 'MaxRecurrence');
  if (rec) out.maxRecurrence = parseMaxRecurrence(xmlText(rec, 'Frequency'), xmlText(rec, 'Interval'), '/Resource/IntrinsicSettings/Quota/MaxRecurrence');
  return out;
}

async function serveCollection(r: AzureRequest, cloudService: string, jc: string): Promise<FastifyReply> {
  const { services } = r.ctx;
  switch (r.request.method) {
    case 'GET':
      return sendXml(r.reply, 200, xmlDocument(classicCollectionXml(await readCollection(services, r.actor, jc))));
    case 'PUT': {
      const parsed = parseResourceXml(textBody(r.request));
      const existing = await findCollection(services, r.actor, jc);
      if (existing) {
        // Create and Update are both PUT: an update names the ETag it changes (If-Match).
        const ifMatch = r.request.headers['if-match'];
        if (typeof ifMatch !== 'string') throw new SkedError('CONFLICT', `job collection '${jc}' already exists (send If-Match with its ETag to update it)`);
        const tag = ifMatch.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
        if (tag !== '*' && tag !== existing.etag) throw new SkedError('PRECONDITION_FAILED', `job collection '${jc}' has ETag ${existing.etag}, not ${tag}`);
      }
      const meta: AzureCollectionMeta = { ...existing?.meta, plan: parsed.plan ?? existing?.meta.plan ?? 'Standard', cloudService: existing?.meta.cloudService ?? cloudService };
      if (parsed.maxJobOccurrence !== undefined) meta.maxJobOccurrence = parsed.maxJobOccurrence;
      await writeCollection(services, r.actor, jc, meta, { maxJobCount: parsed.maxJobCount, maxRecurrence: parsed.maxRecurrence });
      return sendEmpty(r.reply, 202);
    }
    case 'DELETE':
      await removeCollection(services, r.actor, jc);
      return sendEmpty(r.reply, 202);
    default:
      throw invalidVerb('classic', r.request.method);
  }
}
