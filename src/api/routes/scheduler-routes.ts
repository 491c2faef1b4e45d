/** /api/v1/scheduler, /triggers, /nodes, /preview, /collections */

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ScheduleSpec } from '../../domain/types.js';
import type { Services } from '../../service/index.js';
import { collectionView, nodeView } from '../../service/views.js';
import { actorOf, instantParam } from '../http.js';
import { Duration, Id, Nullable } from '../schemas/common.js';
import { PreviewBody } from '../schemas/job-schema.js';

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

  const TriggerQuery = Type.Object({ state: Type.Optional(Type.Union([Type.Literal('acquired'), Type.Literal('waiting')])), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }, { additionalProperties: false });
  app.get('/api/v1/triggers', { schema: { tags: ['scheduler'], summary: 'Next fires: acquired by a node, or waiting', querystring: TriggerQuery } }, async (req) => {
    const q = req.query as Static<typeof TriggerQuery>;
    const items = await services.scheduler.triggers(actorOf(req), q.state, q.limit ?? 100);
    return { items: items.map((t) => ({ ...t, scheduledFor: new Date(t.scheduledFor).toISOString() })) };
  });

  app.get('/api/v1/nodes', { schema: { tags: ['scheduler'], summary: 'Cluster members' } }, async (req) => {
    const t = now();
    return { items: (await services.scheduler.nodes(actorOf(req))).map((n) => nodeView(n.node, t, n.running)) };
  });

  app.post('/api/v1/preview', { schema: { tags: ['scheduler'], summary: 'Validate and preview a schedule', body: PreviewBody } }, async (req) => {
    const body = req.body as Static<typeof PreviewBody>;
    return services.scheduler.preview(actorOf(req), body.schedule as ScheduleSpec, { from: instantParam(body.from, '/from'), count: body.count });
  });

  const NameParams = Type.Object({ name: Id });
  app.get('/api/v1/collections', { schema: { tags: ['collections'], summary: 'List collections' } }, async (req) => ({ items: (await services.collections.list(actorOf(req))).map(collectionView) }));
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
