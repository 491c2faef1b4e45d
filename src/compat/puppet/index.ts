/**
 * The Puppet orchestrator surface: `/orchestrator/v1/scheduled_jobs` (legacy list and delete),
 * `command/schedule_task` / `command/schedule_plan`, and `scheduled_jobs/environment_jobs`, on sked's
 * jobs. Outside /api/, so it authenticates itself: `X-Authentication: <token>` is a sked API key.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJsonBody } from '../../api/json-body.js';
import type { Actor } from '../../service/actor.js';
import type { CompatSurface } from '../surface.js';
import { authenticate } from './auth.js';
import { puppetErrorHandler } from './errors.js';
import { PuppetNumbers } from './ids.js';
import { puppetRoutes } from './routes.js';

/** JSON bodies as the app parses them, except that an empty body (curl -X DELETE -H 'Content-Type: application/json') is none. */
function registerJsonParser(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

export const puppetSurface: CompatSurface = {
  name: 'puppet',
  register(scope, ctx) {
    scope.setErrorHandler(puppetErrorHandler(ctx.logger));
    registerJsonParser(scope);
    const actors = new WeakMap<FastifyRequest, Actor>();
    scope.addHook('onRequest', async (request) => {
      actors.set(request, await authenticate(request, ctx));
    });
    const actorOf = (request: FastifyRequest): Actor => {
      const actor = actors.get(request);
      if (!actor) throw new Error('a puppet route ran without an authenticated caller');
      return actor;
    };
    puppetRoutes(scope, { services: ctx.services, numbers: new PuppetNumbers(ctx.services), actorOf });
  },
};
