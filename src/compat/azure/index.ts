/**
 * The Azure Scheduler surface: the classic Service Management API
 * (`/{subscriptionId}/cloudservices/{cloudServiceId}/resources/scheduler/~/jobcollections/...`, header
 * `x-ms-version`) and the ARM API (`/subscriptions/{sub}/resourceGroups/{rg}/providers/
 * Microsoft.Scheduler/jobCollections/...?api-version=2016-03-01`), on sked's jobs and collections.
 *
 * Authentication: classic Azure used management certificates and ARM Azure AD bearer tokens; sked
 * takes `Authorization: Bearer <sked API key>` on both (the certificate becomes a sked key), and its
 * role decides what the caller may do. Errors come in each API's own shape (see azure-error.ts).
 */

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../../api/auth.js';
import { parseJsonBody } from '../../api/json-body.js';
import type { CompatContext, CompatSurface } from '../surface.js';
import { serveArm } from './arm-routes.js';
import { AzureApiError } from './azure-api-error.js';
import { armErrorBody, classicErrorXml, toAzureError, type AzureFlavor } from './azure-error.js';
import { serveClassic } from './classic-services.js';
import { parseUrl, sendJson, sendXml } from './request.js';

const METHODS = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'] as const;
// Classic Service Management is spelled `cloudservices` by the SDK and `cloudServices` by the docs.
const CLASSIC_PREFIXES = ['cloudservices', 'cloudServices', 'CloudServices'];

const flavorOf = (request: FastifyRequest): AzureFlavor => (request.url.toLowerCase().startsWith('/subscriptions/') ? 'arm' : 'classic');

function checkVersionHeader(request: FastifyRequest): void {
  const version = request.headers['x-ms-version'];
  if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version.trim())) {
    throw new AzureApiError(400, 'MissingOrIncorrectVersionHeader', 'the x-ms-version header is missing or is not a version date such as 2013-03-01');
  }
}

function registerBodyParsers(scope: FastifyInstance): void {
  // JSON as the app parses it, but an empty body is no body: ARM clients send a JSON content type on
  // POST .../run and DELETE. XML (classic job collections) and anything else arrive as text.
  scope.removeContentTypeParser(['application/json', 'application/merge-patch+json']);
  scope.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, (body as string).trim() === '' ? undefined : parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
}

function sendError(ctx: CompatContext, err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const flavor = flavorOf(request);
  const e = toAzureError(flavor, err);
  if (e.status >= 500) ctx.logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err, url: request.url }, 'azure request failed');
  if (e.status === 401) void reply.header('www-authenticate', 'Bearer');
  const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
  if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  if (flavor === 'classic') return sendXml(reply, e.status, classicErrorXml(e.code, e.message));
  return sendJson(reply, e.status, armErrorBody(e.code, e.message, e.errors));
}

export const azureSurface: CompatSurface = {
  name: 'azure',
  register(scope: FastifyInstance, ctx: CompatContext) {
    registerBodyParsers(scope);
    scope.setErrorHandler((err, request, reply) => sendError(ctx, err, request, reply));
    scope.addHook('onRequest', async (request, reply) => {
      void reply.header('x-ms-request-id', randomUUID());
      const clientId = request.headers['x-ms-client-request-id'];
      if (typeof clientId === 'string') void reply.header('x-ms-client-request-id', clientId);
      request.actor = await ctx.authenticate(presentedKey(request), request);
      if (flavorOf(request) === 'classic') checkVersionHeader(request);
    });
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const actor = request.actor;
      if (!actor) throw new Error('an Azure request reached its handler without an actor');
      const r = { ctx, actor, request, reply, url: parseUrl(request.url) };
      return flavorOf(request) === 'arm' ? serveArm(r) : serveClassic(r);
    };
    const route = (url: string): void => {
      scope.route({ method: [...METHODS], url, schema: { hide: true }, handler });
    };
    route('/subscriptions/*');
    for (const prefix of CLASSIC_PREFIXES) {
      route(`/:subscriptionId/${prefix}`);
      route(`/:subscriptionId/${prefix}/*`);
    }
    route('/:subscriptionId/services');
    route('/:subscriptionId/resourceproviders/*');
  },
};
