/**
 * What an IDM request carries besides its body: the caller (IDM's `X-OpenIDM-Username` /
 * `X-OpenIDM-Password` headers, or `Authorization: Bearer` as on Advanced Identity Cloud, both mapped onto
 * sked API keys) and the CREST resource version (`Accept-API-Version: resource=2.0`).
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { Actor } from '../../service/actor.js';
import type { CompatContext } from '../surface.js';
import { IdmError } from './idm-errors.js';

/** 1 = the IDM 5/6 shapes (integer trigger states); 2 = IDM 7/8 (the default for scheduler/job and trigger). */
export type IdmVersion = 1 | 2;

const actors = new WeakMap<FastifyRequest, Actor>();
const versions = new WeakMap<FastifyRequest, IdmVersion>();

function header(request: FastifyRequest, name: string): string | null {
  const v = request.headers[name];
  const text = Array.isArray(v) ? v[0] : v;
  return typeof text === 'string' && text.trim() !== '' ? text.trim() : null;
}

/**
 * The password of `X-OpenIDM-Password`, or the bearer token, is a sked API key; the user name is only
 * recorded (audit entries read "<key name> as <user>"). No valid key: 401 "Access Denied", as IDM says.
 */
export async function authenticateIdm(request: FastifyRequest, ctx: CompatContext): Promise<Actor> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header(request, 'authorization') ?? '');
  const key = bearer?.[1] ?? header(request, 'x-openidm-password');
  if (key === null) throw new IdmError(401, 'Access Denied');
  let actor: Actor;
  try {
    actor = await ctx.authenticate(key, request);
  } catch (err) {
    if (err instanceof SkedError && err.code === 'UNAUTHORIZED') throw new IdmError(401, 'Access Denied');
    throw err;
  }
  const user = header(request, 'x-openidm-username');
  const named =
    user && user !== actor.name ? { ...actor, name: `${actor.name} as ${user.slice(0, 100)}` } : actor;
  actors.set(request, named);
  return named;
}

export function actorOf(request: FastifyRequest): Actor {
  const actor = actors.get(request);
  if (!actor) throw new IdmError(401, 'Access Denied');
  return actor;
}

/** Reads `Accept-API-Version` (`protocol=2.1,resource=1.0`); without one, scheduler resources are 2.0. */
export function resolveVersion(request: FastifyRequest, reply: FastifyReply): IdmVersion {
  const text = header(request, 'accept-api-version') ?? '';
  const m = /resource\s*=\s*(\d+)(?:\.(\d+))?/i.exec(text);
  const major = m ? Number(m[1]) : 2;
  if (major !== 1 && major !== 2) {
    throw new IdmError(
      400,
      `Unsupported resource version ${m?.[1]}.${m?.[2] ?? '0'}: the scheduler serves resource=1.0 and resource=2.0`,
    );
  }
  versions.set(request, major);
  void reply.header('Content-API-Version', `protocol=2.1,resource=${major}.0`);
  return major;
}

export function versionOf(request: FastifyRequest): IdmVersion {
  return versions.get(request) ?? 2;
}

/** One query parameter as a string (the first when repeated), or null. */
export function queryParam(request: FastifyRequest, name: string): string | null {
  const v = (request.query as Record<string, unknown> | undefined)?.[name];
  const text = Array.isArray(v) ? v[0] : v;
  return typeof text === 'string' ? text : null;
}

/** Every value of a query parameter (repeated and comma-separated). */
export function queryList(request: FastifyRequest, name: string): string[] {
  const v = (request.query as Record<string, unknown> | undefined)?.[name];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all
    .flatMap((x) => (typeof x === 'string' ? x.split(',') : []))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
