/**
 * The ForgeRock/Ping IDM scheduler API (`/openidm/scheduler/...`, seed 000), served on sked's jobs.
 * See idm-model.ts for how a schedule maps onto a job, idm-request.ts for authentication and versions.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJsonBody } from '../../api/json-body.js';
import type { CompatContext, CompatSurface } from '../surface.js';
import { IdmError, idmErrorHandler } from './idm-errors.js';
import { idmJobRoutes } from './idm-job-routes.js';
import { authenticateIdm, resolveVersion } from './idm-request.js';
import { idmTriggerRoutes } from './idm-trigger-routes.js';

/** IDM clients POST actions with `Content-Type: application/json` and no body: that is no body, not an error. */
function acceptEmptyJson(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (_request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, parseJsonBody(text));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}

/** What IDM answers for paths and methods the scheduler does not serve. */
function unservedRoutes(scope: FastifyInstance): void {
  const answer = async (request: FastifyRequest): Promise<never> => {
    if (request.method === 'PATCH')
      throw new IdmError(
        501,
        'Patch operations are not supported by the scheduler: update a schedule with PUT (or through /openidm/config/schedule/{id})',
      );
    const path = (request.url.split('?')[0] ?? '').replace(/^\/openidm\//, '');
    throw new IdmError(404, `Resource '${path}' not found`);
  };
  scope.route({ method: ['GET', 'PUT', 'DELETE', 'PATCH'], url: '/openidm/scheduler', handler: answer });
  scope.all('/openidm/scheduler/*', answer);
}

export const idmSurface: CompatSurface = {
  name: 'idm',
  register(scope: FastifyInstance, ctx: CompatContext) {
    scope.setErrorHandler(idmErrorHandler(ctx.logger));
    acceptEmptyJson(scope);
    // Hooks of this scope run for its routes only, all under /openidm (however the path is spelt).
    scope.addHook('onRequest', async (request, reply) => {
      await authenticateIdm(request, ctx);
      resolveVersion(request, reply);
    });
    idmJobRoutes(scope, ctx);
    idmTriggerRoutes(scope, ctx);
    unservedRoutes(scope);
  },
};
