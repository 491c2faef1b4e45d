/**
 * The InfinniPlatform scheduler service (`/scheduler/...`, seed 003), served on sked's jobs. It has no
 * authentication: it is served only to callers on this host (SKED_LOCAL_ONLY_PATHS, default `/scheduler`,
 * checked before any route, and checked again here), who act as the local admin `infinni (local)`. A
 * loopback request carrying X-Forwarded-For, Forwarded or X-Real-IP came through a proxy: refused too.
 * See infinni-job-info.ts for how a JobInfo maps onto a job.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLocalCaller } from '../../api/guards.js';
import { parseJsonBody } from '../../api/json-body.js';
import { SkedError } from '../../domain/errors.js';
import type { CompatContext, CompatSurface } from '../surface.js';
import { infinniErrorHandler } from './infinni-envelope.js';
import { infinniRoutes } from './infinni-routes.js';

/** `POST /scheduler/pause` with `Content-Type: application/json` and no body carries no data. */
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

export const infinniSurface: CompatSurface = {
  name: 'infinni',
  register(scope: FastifyInstance, ctx: CompatContext) {
    scope.setErrorHandler(infinniErrorHandler(ctx.logger));
    acceptEmptyJson(scope);
    // Even if an operator drops /scheduler from SKED_LOCAL_ONLY_PATHS, a remote caller is no local admin,
    // and neither is one whose request came through a reverse proxy on this host (a forwarding header).
    scope.addHook('onRequest', async (request) => {
      if (!isLocalCaller(request))
        throw new SkedError(
          'FORBIDDEN',
          'the scheduler service is available only on the host where the application runs',
        );
    });
    infinniRoutes(scope, ctx);
  },
};
