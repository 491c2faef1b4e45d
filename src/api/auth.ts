/**
 * Who is calling: `Authorization: Bearer <key>` or `X-API-Key: <key>`. The key store and roles arrive
 * with the security work; until then a configured SKED_API_KEY is required when set (admin), and
 * without one every caller is an admin.
 */

import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SkedError } from '../domain/errors.js';
import type { Actor } from '../service/actor.js';

export type Authenticator = (request: FastifyRequest) => Promise<Actor>;

export function presentedKey(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1] as string;
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header ? header.trim() : null;
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A single static admin key (or none). */
export function staticKeyAuthenticator(apiKey: string | null): Authenticator {
  return async (request) => {
    if (apiKey === null) return { kind: 'local', id: null, name: 'anonymous', role: 'admin' };
    const key = presentedKey(request);
    if (key === null) throw new SkedError('UNAUTHORIZED', 'an API key is required (Authorization: Bearer <key> or X-API-Key)');
    if (!constantTimeEqual(key, apiKey)) throw new SkedError('UNAUTHORIZED', 'the API key is not valid');
    return { kind: 'key', id: key.slice(0, 8), name: 'admin', role: 'admin' };
  };
}
