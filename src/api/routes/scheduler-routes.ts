/** /api/v1/scheduler, /triggers, /nodes, /preview, /collections */

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ScheduleSpec } from '../../domain/types.js';
import type { Services } from '../../service/index.js';
import { collectionView, nodeView } from '../../service/views.js';
import { actorOf, instantParam, page } from '../http.js';
import { Duration, Id, Nullable, PageQuery } from '../schemas/common.js';
import { PreviewBody } from '../schemas/job-schema.js';
import { ScheduleSchema } from '../schemas/schedule-schema.js';
import { fieldErrors, validatorCompiler } from '../validation.js';
import type { ValidateFunction } from 'ajv';
import type { FieldError } from '../../domain/errors.js';

let scheduleValidator: ValidateFunction | null = null;

function slicePage<T>(all: T[], limit: number, offset: number): ReturnType<typeof page<T>> {
  return page(all.slice(offset, offset + limit), limit, offset, all.length);
}

/** Shape errors of a schedule, with pointers from the body (`/schedule/...`). */
function checkSchedule(schedule: unknown): FieldError[] {
  scheduleValidator ??= validatorCompiler({ schema: ScheduleSchema, httpPart: 'body', method: 'POST', url: '' }) as ValidateFunction;
  if (scheduleValidator(schedule)) return [];
  return fieldErrors(scheduleValidator.errors ?? [], 'body').map((e) => ({ pointer: `/schedule${e.pointer}`, message: e.message }));
}

const CollectionBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    maxJobs: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    minInterval: Type.Optional(Nullable(Duration)),
  },
  { additionalProperties: false },
);

export function schedulerRoutes(app: FastifyInstance, services: Services, now: () => number): void {
  app.get('/api/v1/scheduler', { schema: { tags: ['scheduler'], summary: 'Scheduler state and counts' } }, async (req) => services.scheduler.status(actorOf(req)));
  app.post('/api/v1/scheduler/standby', { schema: { tags: ['scheduler'], summary: 'Stop firing on every node (jobs untouched)' } }, async (req) => services.scheduler.standby(actorOf(req)));
  app.post('/api/v1/scheduler/start', { schema: { tags: ['scheduler'], summary: 'Resume firing' } }, async (req) => services.scheduler.start(actorOf(req)));

  const TriggerQuery = Type.Object({ state: Type.Optional(Type.Union([Type.Literal('acquired'), Type.Literal('waiting')])), ...PageQuery }, { additionalProperties: false });
  app.get('/api/v1/triggers', { schema: { tags: ['scheduler'], summary: 'Next fires: acquired by a node, or waiting', querystring: TriggerQuery } }, async (req) => {
    const q = req.query as Static<typeof TriggerQuery>;
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const all = await services.scheduler.triggers(actorOf(req), q.state, offset + limit);
    const items = all.slice(offset, offset + limit).map((t) => ({ ...t, scheduledFor: new Date(t.scheduledFor).toISOString() }));
    return page(items, limit, offset, await services.scheduler.countTriggers(actorOf(req), q.state));
  });

  const ListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
  app.get('/api/v1/nodes', { schema: { tags: ['scheduler'], summary: 'Cluster members', querystring: ListQuery } }, async (req) => {
    const q = req.query as Static<typeof ListQuery>;
    const t = now();
    const all = (await services.scheduler.nodes(actorOf(req))).map((n) => nodeView(n.node, t, n.running));
    return slicePage(all, q.limit ?? 50, q.offset ?? 0);
  });

  app.post('/api/v1/preview', { schema: { tags: ['scheduler'], summary: 'Validate and preview a schedule', body: PreviewBody } }, async (req) => {
    const body = req.body as Static<typeof PreviewBody>;
    const from = instantParam(body.from, '/from');
    // The schedule is checked as creating a job would check it, but its errors are part of the answer.
    const shapeErrors = checkSchedule(body.schedule);
    if (shapeErrors.length) return services.scheduler.invalidPreview(actorOf(req), body.schedule, shapeErrors);
    return services.scheduler.preview(actorOf(req), body.schedule as ScheduleSpec, { from, count: body.count });
  });

  const NameParams = Type.Object({ name: Id });
  app.get('/api/v1/collections', { schema: { tags: ['collections'], summary: 'List collections', querystring: ListQuery } }, async (req) => {
    const q = req.query as Static<typeof ListQuery>;
    return slicePage((await services.collections.list(actorOf(req))).map(collectionView), q.limit ?? 50, q.offset ?? 0);
  });
  app.get('/api/v1/collections/:name', { schema: { tags: ['collections'], summary: 'Read a collection', params: NameParams } }, async (req) => collectionView(await services.collections.get(actorOf(req), (req.params as { name: string }).name)));
  app.put('/api/v1/collections/:name', { schema: { tags: ['collections'], summary: 'Create or change a collection and its quotas', params: NameParams, body: CollectionBody } }, async (req, reply) => {
    const { collection, created } = await services.collections.put(actorOf(req), (req.params as { name: string }).name, req.body as Static<typeof CollectionBody>);
    if (created) void reply.status(201);
    return collectionView(collection);
  });
  app.delete('/api/v1/collections/:name', { schema: { tags: ['collections'], summary: 'Delete an empty collection', params: NameParams } }, async (req, reply) => {
    await services.collections.delete(actorOf(req), (req.params as { name: string }).name);
    return reply.status(204).send();
  });
}
