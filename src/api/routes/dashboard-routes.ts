/**
 * The dashboard: the single-page app built by `npm run build` into `web/dist`, served as static files.
 * `index.html` answers `/` and each client-side route (so a reload or a shared link works); the hashed
 * files under `/assets/` are cached for a year and sent gzipped to clients that take it. The pages are
 * public: everything they show comes from the REST API, which needs a key. Nothing is built at run time.
 */

import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** `web/dist` of this package: three levels up from both `src/api/routes` and `dist/api/routes`. */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web', 'dist');

/** The client-side routes of the app (web/src/router.ts): each answers index.html. */
const PAGE_ROUTES = ['/', '/jobs', '/jobs/*', '/runs/*', '/cluster'];

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite's output names: flat, hashed, no path separators (so no way out of the folder). */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;
const YEAR_S = 365 * 24 * 3600;
/** Hashed assets never change under one name: keep each in memory once read (the whole app is ~100 KB). */
const MAX_CACHED_BYTES = 4 * 1024 * 1024;
/** Text assets are sent gzipped to clients that take it (the script shrinks to about a third). */
const COMPRESSIBLE = /\.(js|css|svg|json|map|txt)$/;
const gzip = promisify(gzipCallback);

interface Asset {
  body: Buffer;
  gzipped: Buffer | null;
}

export interface DashboardOptions {
  /** The built app (default: this package's web/dist). */
  root?: string;
}

function notBuilt(reply: FastifyReply): FastifyReply {
  return reply
    .status(503)
    .type('text/plain; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      'The sked dashboard has not been built: run `npm run build` (it runs `vite build web` into web/dist). The REST API is at /api/v1, documented at /docs.\n',
    );
}

/**
 * Registers the dashboard's routes. Usable directly as an entry of `AppDeps.plugins`
 * (`plugins: [dashboardRoutes]`), or with options: `(app) => dashboardRoutes(app, { root })`.
 */
export function dashboardRoutes(app: FastifyInstance, options: DashboardOptions = {}): void {
  const root = options.root ?? DASHBOARD_DIR;
  const assets = new Map<string, Asset>();
  let cachedBytes = 0;

  const page = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> => {
    let html: Buffer;
    try {
      // Read each time (it is small): a rebuilt app is picked up without a restart.
      html = await readFile(join(root, 'index.html'));
    } catch {
      return notBuilt(reply);
    }
    // no-cache: always revalidated, so a new build's asset names are seen at once.
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };
  for (const url of PAGE_ROUTES) app.get(url, { schema: { hide: true } }, page);

  app.get('/assets/*', { schema: { hide: true } }, async (req, reply) => {
    const name = (req.params as { '*': string })['*'];
    const type = CONTENT_TYPES[extname(name).toLowerCase()];
    const notFound = (): FastifyReply =>
      reply
        .status(404)
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(`no such dashboard asset: ${name}\n`);
    if (!ASSET_NAME.test(name) || !type) return notFound();
    let asset = assets.get(name);
    if (!asset) {
      let body: Buffer;
      try {
        body = await readFile(join(root, 'assets', name));
      } catch {
        return notFound();
      }
      asset = { body, gzipped: COMPRESSIBLE.test(name) ? await gzip(body, { level: 9 }) : null };
      const size = body.length + (asset.gzipped?.length ?? 0);
      if (cachedBytes + size <= MAX_CACHED_BYTES) {
        assets.set(name, asset);
        cachedBytes += size;
      }
    }
    void reply
      .type(type)
      .header('cache-control', `public, max-age=${YEAR_S}, immutable`)
      .header('vary', 'accept-encoding');
    if (asset.gzipped && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      return reply.header('content-encoding', 'gzip').send(asset.gzipped);
    }
    return reply.send(asset.body);
  });
}
