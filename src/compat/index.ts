/** The compatibility surfaces, each switchable with SKED_COMPAT. */

import type { FastifyInstance } from 'fastify';
import { azureSurface } from './azure/index.js';
import { idmSurface } from './idm/index.js';
import { infinniSurface } from './infinni/index.js';
import { jimSurface } from './jim/index.js';
import { puppetSurface } from './puppet/index.js';
import type { CompatContext, CompatSurface } from './surface.js';

export const SURFACES: readonly CompatSurface[] = [idmSurface, azureSurface, puppetSurface, infinniSurface, jimSurface];

/** A plugin registering the enabled surfaces, each in its own encapsulated scope. */
export function compatPlugin(ctx: CompatContext, enabled: readonly string[]): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    for (const surface of SURFACES) {
      if (!enabled.includes(surface.name)) continue;
      await app.register(async (scope) => {
        await surface.register(scope, ctx);
      });
    }
  };
}

export type { CompatContext, CompatSurface } from './surface.js';
