/** Small helpers shared by the route files. */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { validationError } from '../domain/errors.js';
import type { Actor } from '../service/actor.js';
import { parseInstant } from '../schedule/instant.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('request reached a handler without an actor');
  return request.actor;
}

/** The version in an If-Match header (`"3"`, `W/"3"` or `3`), or undefined when absent. */
export function ifMatch(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const text = Array.isArray(raw) ? raw[0] ?? '' : raw;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(text);
  if (!m) throw validationError([{ pointer: '/headers/if-match', message: 'must be a job version such as "3"' }]);
  return Number(m[1]);
}

export function setEtag(reply: FastifyReply, version: number): void {
  void reply.header('ETag', `"${version}"`);
}

/** An RFC 3339 query or body value as epoch ms. */
export function instantParam(value: string | null | undefined, pointer: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const t = parseInstant(value);
  if (t === null) throw validationError([{ pointer, message: 'must be an RFC 3339 date-time such as 2026-11-22T06:00:00Z' }]);
  return t;
}

/** `label=team:billing` (repeatable) as a record. */
export function labelsParam(value: string | string[] | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const item of Array.isArray(value) ? value : [value]) {
    const i = item.indexOf(':');
    if (i <= 0) throw validationError([{ pointer: '/query/label', message: `must be key:value (got '${item}')` }]);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

export function page<T>(items: T[], limit: number, offset: number, total: number): { items: T[]; pagination: { limit: number; offset: number; total: number } } {
  return { items, pagination: { limit, offset, total } };
}
