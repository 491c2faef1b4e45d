/** /api/v1/keys and /api/v1/audit (admin). */

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { AuditLog } from '../../service/audit-log.js';
import type { Services } from '../../service/index.js';
import { actorOf, instantParam, page } from '../http.js';
import { Instant, Nullable, PageQuery } from '../schemas/common.js';

const KeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('viewer')]),
    expiresAt: Type.Optional(Nullable(Instant)),
  },
  { additionalProperties: false },
);
const KeyParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' }) });
const AuditQuery = Type.Object(
  {
    ...PageQuery,
    action: Type.Optional(Type.String({ maxLength: 64 })),
    targetType: Type.Optional(Type.String({ maxLength: 64 })),
    targetId: Type.Optional(Type.String({ maxLength: 128 })),
    actor: Type.Optional(Type.String({ maxLength: 200 })),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
  },
  { additionalProperties: false },
);

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function accessRoutes(app: FastifyInstance, services: Services, audit: AuditLog | null): void {
  const keyView = (k: Awaited<ReturnType<Services['keys']['list']>>[number]) => ({ ...k, createdAt: iso(k.createdAt), expiresAt: iso(k.expiresAt), revokedAt: iso(k.revokedAt), lastUsedAt: iso(k.lastUsedAt) });

  app.get('/api/v1/keys', { schema: { tags: ['access'], summary: 'API keys (never their secrets)', querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }) } }, async (req) => {
    const q = req.query as { limit?: number; offset?: number };
    const all = (await services.keys.list(actorOf(req))).map(keyView);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    return page(all.slice(offset, offset + limit), limit, offset, all.length);
  });

  app.post('/api/v1/keys', { schema: { tags: ['access'], summary: 'Create an API key: the key is in this answer only', body: KeyBody } }, async (req, reply) => {
    const body = req.body as Static<typeof KeyBody>;
    const { key, record } = await services.keys.create(actorOf(req), { name: body.name, role: body.role, expiresAt: instantParam(body.expiresAt, '/expiresAt') ?? null });
    void reply.status(201).header('Location', `/api/v1/keys/${record.id}`);
    return { key, ...keyView(record) };
  });

  app.delete('/api/v1/keys/:id', { schema: { tags: ['access'], summary: 'Revoke an API key (at once, on every node)', params: KeyParams } }, async (req) => keyView(await services.keys.revoke(actorOf(req), (req.params as { id: string }).id)));

  app.get('/api/v1/audit', { schema: { tags: ['access'], summary: 'The audit log, newest first', querystring: AuditQuery } }, async (req) => {
    if (!audit) throw new SkedError('UNAVAILABLE', 'the audit log is not enabled');
    const q = req.query as Static<typeof AuditQuery>;
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const result = await audit.list(actorOf(req), { limit, offset, action: q.action, targetType: q.targetType, targetId: q.targetId, actor: q.actor, from: instantParam(q.from, '/query/from'), to: instantParam(q.to, '/query/to') });
    return page(result.items.map((e) => ({ ...e, at: new Date(e.at).toISOString() })), limit, offset, result.total);
  });
}
