/**
 * The JIM surface: `/api/v1/schedules` and `/api/v1/schedule-executions` of JIM (TetronIO/JIM) on sked's
 * jobs and runs. Under /api/, so sked's own hook authenticates callers (X-API-Key or Bearer, sked API
 * keys and roles) and its 401/403/429 reach this scope's error handler in JIM's error shape.
 */

import type { CompatSurface } from '../surface.js';
import { jimErrorHandler } from './errors.js';
import { executionRoutes } from './execution-routes.js';
import { registerJimJsonParser } from './json-parser.js';
import { scheduleRoutes } from './schedule-routes.js';

export const jimSurface: CompatSurface = {
  name: 'jim',
  register(scope, ctx) {
    scope.setErrorHandler(jimErrorHandler(ctx.logger, ctx.now));
    registerJimJsonParser(scope);
    const deps = { services: ctx.services, now: ctx.now };
    scheduleRoutes(scope, deps);
    executionRoutes(scope, deps);
  },
};
