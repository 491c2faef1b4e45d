/**
 * The route table, as Fastify itself registers it. `buildSked()` returns an app that is already
 * `ready()`, so no `onRoute` hook can be added to it from outside, and `printRoutes()` prints a radix
 * tree that loses wildcard routes (`/openidm/scheduler/*` comes out as `/openidm/scheduler*`). So the
 * test files that need the table wrap the Fastify factory itself, before any app exists:
 *
 *   vi.mock('fastify', async (importOriginal) => (await import('./route-recorder.js')).recordingFastify(await importOriginal()));
 *
 * Every app then gets an `onRoute` hook as its very first hook, which sees every route registered on
 * it or on any plugin scope inside it (compat surfaces, the dashboard, swagger-ui, the HEAD routes
 * Fastify adds for GETs): exactly what the router will serve. This module must not import fastify at
 * run time (it is loaded while fastify itself is being mocked).
 */

export interface RecordedRoute {
  method: string;
  /** As registered, with its prefix, e.g. `/api/v1/jobs/:id` or `/openidm/scheduler/*`. */
  url: string;
}

type Factory = (...args: unknown[]) => {
  addHook: (name: 'onRoute', hook: (route: { method: string | string[]; url: string }) => void) => unknown;
};

const byApp = new WeakMap<object, RecordedRoute[]>();

/** The fastify module with its factory wrapped so every app records its routes. */
export function recordingFastify<M extends { default: unknown }>(mod: M): M {
  const original = mod.default as Factory;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const app = original.apply(this, args);
    const routes: RecordedRoute[] = [];
    byApp.set(app, routes);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
    return app;
  };
  Object.assign(wrapped, original);
  return { ...mod, default: wrapped, fastify: wrapped };
}

/** The routes an app registered, or undefined when it was built without the recorder. */
export function recordedRoutes(app: object): RecordedRoute[] | undefined {
  return byApp.get(app);
}
