/**
 * Puppet's RBAC token, `X-Authentication: <token>` (or `?token=`), is a sked API key: the caller gets the
 * key's role. Failures answer 401 in RBAC's shape: no token → `puppetlabs.rbac/user-unauthenticated`; a
 * revoked key → `token-revoked`; an expired one → `token-expired`; any other → `token-not-found`.
 */

import type { FastifyRequest } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import type { Actor } from '../../service/actor.js';
import type { CompatContext } from '../surface.js';
import { PuppetError } from './errors.js';

const RBAC = 'puppetlabs.rbac';

function presentedToken(request: FastifyRequest): string | null {
  const header = request.headers['x-authentication'];
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value === 'string' && value.trim()) return value.trim();
  const query = (request.query as Record<string, unknown> | undefined)?.['token'];
  return typeof query === 'string' && query.trim() ? query.trim() : null;
}

export async function authenticate(request: FastifyRequest, ctx: CompatContext): Promise<Actor> {
  const token = presentedToken(request);
  if (token === null) throw new PuppetError(401, `${RBAC}/user-unauthenticated`, 'Route requires authentication: send an X-Authentication header with a token');
  try {
    return await ctx.authenticate(token, request);
  } catch (err) {
    if (!(err instanceof SkedError) || err.code !== 'UNAUTHORIZED') throw err;
    const kind = /revoked/.test(err.message) ? 'token-revoked' : /expired/.test(err.message) ? 'token-expired' : 'token-not-found';
    throw new PuppetError(401, `${RBAC}/${kind}`, err.message);
  }
}
