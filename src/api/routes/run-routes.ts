/** /api/v1/runs */

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../service/index.js';
import { runView } from '../../service/views.js';
import { actorOf, instantParam, page } from '../http.js';
import { Id, Instant, PageQuery } from '../schemas/common.js';
import { statusList } from './job-routes.js';

const tags = ['runs'];
const RunParams = Type.Object({ id: Id });
const RunsQuery = Type.Object(
  {
    ...PageQuery,
    jobId: Type.Optional(Id),
    status: Type.Optional(Type.String({ description: 'comma-separated: queued, running, succeeded, failed, cancelled, timedOut, interrupted; running = currently executing' })),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
  },
  { additionalProperties: false },
);

export function runRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/v1/runs', { schema: { tags, summary: 'List runs, newest first', querystring: RunsQuery } }, async (req) => {
    const q = req.query as Static<typeof RunsQuery>;
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const result = await services.runs.list(actorOf(req), {
      limit,
      offset,
      jobId: q.jobId,
      status: statusList(q.status),
      from: instantParam(q.from, '/query/from'),
      to: instantParam(q.to, '/query/to'),
    });
    return page(result.items.map((r) => runView(r, false)), limit, offset, result.total);
  });

  app.get('/api/v1/runs/:id', { schema: { tags, summary: 'One run with its step results and output', params: RunParams } }, async (req) => runView(await services.runs.get(actorOf(req), (req.params as { id: string }).id)));

  app.post('/api/v1/runs/:id/cancel', { schema: { tags, summary: 'Cancel a queued or running run', params: RunParams } }, async (req) => runView(await services.runs.cancel(actorOf(req), (req.params as { id: string }).id)));
}
