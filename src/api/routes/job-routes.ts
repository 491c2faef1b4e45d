/** /api/v1/jobs */

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../../domain/errors.js';
import type { RunStatus } from '../../domain/types.js';
import type { JobInput } from '../../service/job-input.js';
import type { Services } from '../../service/index.js';
import { fireView, jobView, runView } from '../../service/views.js';
import { actorOf, ifMatch, instantParam, labelsParam, page, setEtag } from '../http.js';
import { Id, PageQuery } from '../schemas/common.js';
import { BulkBody, JobInputSchema, JobPage, PauseBody, TriggerBody } from '../schemas/job-schema.js';
import { validateJobPatch } from '../patch-validation.js';

const IdParams = Type.Object({ id: Id });
const ListQuery = Type.Object(
  {
    ...PageQuery,
    state: Type.Optional(Type.Union(['enabled', 'paused', 'completed', 'faulted'].map((s) => Type.Literal(s)))),
    collection: Type.Optional(Id),
    label: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'key:value, repeatable' })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'name contains (case-insensitive)' })),
    filter: Type.Optional(Type.String({ maxLength: 4096, description: 'CREST filter, e.g. schedule/type eq "cron" and labels/team eq "billing"' })),
    sort: Type.Optional(Type.String({ maxLength: 200, description: 'comma-separated keys (name, createdAt, updatedAt, nextFireTime, state, id), - for descending' })),
  },
  { additionalProperties: false },
);
const RunsQuery = Type.Object({ ...PageQuery, status: Type.Optional(Type.String()) }, { additionalProperties: false });

const tags = ['jobs'];

/** Action bodies are optional: no body at all reads as `{}` (an explicit JSON null is still refused). */
export async function emptyBody(req: FastifyRequest): Promise<void> {
  if (req.body === undefined) req.body = {};
}

export function statusList(value: string | undefined): RunStatus[] | undefined {
  if (!value) return undefined;
  const all: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted'];
  return value.split(',').map((s) => {
    const v = s.trim() as RunStatus;
    if (!all.includes(v)) throw validationError([{ pointer: '/query/status', message: `must be one of ${all.join(', ')}` }]);
    return v;
  });
}

export function jobRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/v1/jobs', { schema: { tags, summary: 'List jobs', querystring: ListQuery, response: { 200: JobPage } } }, async (req) => {
    const q = req.query as Static<typeof ListQuery>;
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const result = await services.jobs.list(actorOf(req), { limit, offset, state: q.state as never, collection: q.collection, labels: labelsParam(q.label), q: q.q, filter: q.filter, sort: q.sort });
    return page(result.items.map(jobView), limit, offset, result.total);
  });

  app.post('/api/v1/jobs', { schema: { tags, summary: 'Create a job (generated id unless the body has one)', body: JobInputSchema } }, async (req, reply) => {
    const body = req.body as JobInput & { id?: string };
    const { id, ...input } = body;
    const job = id ? await services.jobs.createWithId(actorOf(req), id, input) : await services.jobs.create(actorOf(req), input);
    setEtag(reply, job.version);
    void reply.status(201).header('Location', `/api/v1/jobs/${encodeURIComponent(job.id)}`);
    return jobView(job);
  });

  app.put('/api/v1/jobs/:id', { schema: { tags, summary: 'Create or replace the job with this id (If-Match: version)', params: IdParams, body: JobInputSchema } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { id: bodyId, ...input } = req.body as JobInput & { id?: string };
    if (bodyId !== undefined && bodyId !== id) throw validationError([{ pointer: '/id', message: `must equal the id in the path ('${id}')` }]);
    // If-Match: * asks for an existing job (RFC 9110): never a creation.
    const mustExist = String(req.headers['if-match'] ?? '').trim() === '*';
    const { job, created } = await services.jobs.put(actorOf(req), id, input, ifMatch(req), mustExist);
    setEtag(reply, job.version);
    if (created) void reply.status(201).header('Location', `/api/v1/jobs/${encodeURIComponent(job.id)}`);
    return jobView(job);
  });

  app.patch('/api/v1/jobs/:id', { schema: { tags, summary: 'Change a job with a JSON merge patch (RFC 7396)', params: IdParams, body: Type.Object({}, { additionalProperties: true }) } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const patchId = (req.body as { id?: unknown }).id;
    if (patchId !== undefined && patchId !== id) throw validationError([{ pointer: '/id', message: `must equal the id in the path ('${id}'); a job cannot be renamed` }]);
    const job = await services.jobs.patch(actorOf(req), id, req.body, ifMatch(req), validateJobPatch);
    setEtag(reply, job.version);
    return jobView(job);
  });

  app.get('/api/v1/jobs/:id', { schema: { tags, summary: 'Read a job', params: IdParams } }, async (req, reply) => {
    const job = await services.jobs.get(actorOf(req), (req.params as { id: string }).id);
    setEtag(reply, job.version);
    return jobView(job);
  });

  app.delete('/api/v1/jobs/:id', { schema: { tags, summary: 'Delete a job, its history and its running runs', params: IdParams } }, async (req, reply) => {
    await services.jobs.delete(actorOf(req), (req.params as { id: string }).id, ifMatch(req));
    return reply.status(204).send();
  });

  app.post('/api/v1/jobs/:id/trigger', { preValidation: emptyBody, schema: { tags, summary: 'Run the job now, with an optional payload', params: IdParams, body: TriggerBody } }, async (req, reply) => {
    const body = (req.body ?? {}) as { payload?: unknown };
    const runId = await services.jobs.trigger(actorOf(req), (req.params as { id: string }).id, body.payload ?? null);
    void reply.status(202).header('Location', `/api/v1/runs/${runId}`);
    return { runId };
  });

  app.post('/api/v1/jobs/:id/pause', { preValidation: emptyBody, schema: { tags, summary: 'Pause a job (optional reason and until)', params: IdParams, body: PauseBody } }, async (req, reply) => {
    const body = (req.body ?? {}) as Static<typeof PauseBody>;
    const job = await services.jobs.pause(actorOf(req), (req.params as { id: string }).id, { reason: body.reason, until: instantParam(body.until, '/until') });
    setEtag(reply, job.version);
    return jobView(job);
  });

  app.post('/api/v1/jobs/:id/resume', { preValidation: emptyBody, schema: { tags, summary: 'Resume a paused job', params: IdParams } }, async (req, reply) => {
    const job = await services.jobs.resume(actorOf(req), (req.params as { id: string }).id);
    setEtag(reply, job.version);
    return jobView(job);
  });

  app.post('/api/v1/jobs/pause', { preValidation: emptyBody, schema: { tags, summary: 'Pause jobs by ids or filter; neither = all', body: BulkBody } }, async (req) => {
    const body = (req.body ?? {}) as Static<typeof BulkBody>;
    return services.jobs.pauseMany(actorOf(req), { ids: body.ids, filter: body.filter, filterPointer: '/filter' }, { reason: body.reason ?? null, until: instantParam(body.until, '/until') ?? null });
  });

  app.post('/api/v1/jobs/resume', { preValidation: emptyBody, schema: { tags, summary: 'Resume jobs by ids or filter; neither = all', body: BulkBody } }, async (req) => {
    const body = (req.body ?? {}) as Static<typeof BulkBody>;
    return services.jobs.resumeMany(actorOf(req), { ids: body.ids, filter: body.filter, filterPointer: '/filter' });
  });

  app.get('/api/v1/jobs/:id/runs', { schema: { tags, summary: "A job's runs, newest first", params: IdParams, querystring: RunsQuery } }, async (req) => {
    const q = req.query as Static<typeof RunsQuery>;
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const result = await services.jobs.runs(actorOf(req), (req.params as { id: string }).id, { limit, offset, status: statusList(q.status) });
    return page(result.items.map((r) => runView(r, false)), limit, offset, result.total);
  });

  app.get('/api/v1/jobs/:id/fires', { schema: { tags, summary: 'The fire ledger: past fires with outcomes, and the next planned ones', params: IdParams, querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }) } }, async (req) => {
    const q = req.query as { limit?: number; offset?: number };
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const result = await services.jobs.fires(actorOf(req), (req.params as { id: string }).id, { limit, offset });
    return { ...page(result.items.map(fireView), limit, offset, result.total), next: result.next.map((n) => ({ scheduledFor: new Date(n.scheduledFor).toISOString() })) };
  });
}
