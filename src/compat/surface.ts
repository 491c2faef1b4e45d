/**
 * A compatibility surface: one seed API served on sked's jobs, as a thin translation onto the services
 * (request parsing, a serializer for that API's shapes, an error mapper to its error body). No business
 * rule lives in a surface.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../domain/logger.js';
import type { Actor } from '../service/actor.js';
import type { Services } from '../service/index.js';

export interface CompatContext {
  services: Services;
  logger: Logger;
  now: () => number;
  /**
   * The actor behind an API key (throws UNAUTHORIZED); surfaces map their own auth headers onto keys.
   * Failed attempts are braked per address and each key is rate-limited, as on the native API.
   */
  authenticate: (key: string | null, request: FastifyRequest) => Promise<Actor>;
}

export interface CompatSurface {
  /** `idm`, `azure`, `puppet`, `infinni`, `jim` (the names SKED_COMPAT lists). */
  name: string;
  /** Registers the surface's routes in their own encapsulated scope (its own error handler). */
  register(scope: FastifyInstance, ctx: CompatContext): void | Promise<void>;
}
