/**
 * The HTTP application: a Fastify instance with the native API, health, metrics and the OpenAPI
 * document. Built by a factory so tests get a fresh app each time and drive it with `inject()`.
 */

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../domain/logger.js';
import type { Engine } from '../engine/engine.js';
import type { Services } from '../service/index.js';
import type { Metrics } from '../service/metrics.js';
import type { Store } from '../store/store.js';
import type { Authenticator } from './auth.js';
import { errorHandler, problem } from './errors.js';
import { jobRoutes } from './routes/job-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { schedulerRoutes } from './routes/scheduler-routes.js';
import { parseJsonBody } from './json-body.js';
import { validatorCompiler } from './validation.js';
import { AccessGuard, BASE_SECURITY_HEADERS, isApiRequest, localOnly, securityHeaders } from './guards.js';
import { accessRoutes } from './routes/access-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { EventBus } from '../service/events.js';
import type { AuditLog } from '../service/audit-log.js';

export interface AppDeps {
  services: Services;
  store: Store;
  engine: Engine;
  metrics: Metrics;
  authenticate: Authenticator;
  logger: Logger;
  now: () => number;
  bodyLimit: number;
  version: string;
  /** Authentication brakes and per-key rate limits (shared with the compatibility surfaces). */
  guard?: AccessGuard | undefined;
  /** Path prefixes served only to callers on this host. */
  localOnlyPaths?: readonly string[] | undefined;
  /** HTTPS (PEM contents). */
  https?: { cert: string; key: string } | undefined;
  /** The audit log, for GET /api/v1/audit. */
  audit?: AuditLog | undefined;
  /** Live events and run output. */
  events?: EventBus | undefined;
  /** Extra route sets (compat surfaces, dashboard) registered after the native API. */
  plugins?: ((app: FastifyInstance) => void | Promise<void>)[];
}

function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(
    err.code === 'HPE_HEADER_OVERFLOW'
      ? problem('HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts (16 KiB)')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('REQUEST_TIMEOUT', 'the request did not arrive in time')
        : problem('VALIDATION_ERROR', `the HTTP request is malformed (${err.code ?? 'parse error'})`),
  );
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const headers = { 'Content-Type': 'application/problem+json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...BASE_SECURITY_HEADERS };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${body}`);
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.https ? { https: deps.https } : {}),
    bodyLimit: deps.bodyLimit,
    logger: false,
    return503OnClosing: true,
    // Ids may be 128 characters (and percent-encoded): longer paths reach the route and its schema.
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: (err, _req, reply) => {
      const body = problem('VALIDATION_ERROR', `the request is malformed: ${err.message}`, [{ pointer: '/path', message: err.message }]);
      void (reply as unknown as FastifyReply).status(400).headers(BASE_SECURITY_HEADERS).type('application/problem+json').send(body);
    },
    // Requests Node's HTTP parser refuses (headers over 16 KiB, malformed request lines) are answered
    // in problem+json too.
    clientErrorHandler: answerClientError,
  });
  // Browsers open connections ahead and may never send a request on them; closing the server must not
  // wait for those (Node 20 counts them as active until the headers timeout).
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  app.addHook('preClose', async () => {
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
  });
  // Bodies are JSON: a depth limit first (deep nesting would exhaust the stack further on), then JSON.parse.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string', bodyLimit: deps.bodyLimit }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler(deps.logger));
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).type('application/problem+json').send(problem('NOT_FOUND', `no route for ${req.method} ${req.url.split('?')[0] ?? ''}`));
  });
  app.decorateRequest('actor', null);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'sked', version: deps.version, description: 'The sked job scheduler: native REST API v1. Errors are application/problem+json.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const guard = deps.guard ?? new AccessGuard(undefined);
  const onlyLocal = localOnly(deps.localOnlyPaths ?? []);
  app.addHook('onRequest', async (request) => {
    await onlyLocal(request);
    if (!isApiRequest(request)) return;
    request.actor = await guard.check(request.ip, () => deps.authenticate(request));
  });
  app.addHook('onSend', securityHeaders(['/', '/assets/']));

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    try {
      await deps.store.ping();
      checks['store'] = 'ok';
    } catch (err) {
      ready = false;
      checks['store'] = `unreachable: ${err instanceof Error ? err.message : String(err)}`;
    }
    const skew = deps.engine.clockSkew;
    // A skewed clock is a warning, not unreadiness: sked fires by the store's clock.
    checks['clock'] = skew.warning ?? `skew ${skew.skewMs} ms against the store`;
    const engine = deps.engine.status;
    const tickAge = deps.now() - deps.engine.lastTickAt;
    checks['engine'] = engine.state;
    if (engine.state === 'stopped' || engine.state === 'stopping' || tickAge > deps.engine.maxTickAgeMs) {
      ready = false;
      checks['engine'] = `${engine.state}, last tick ${tickAge} ms ago`;
    }
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  accessRoutes(app, deps.services, deps.audit ?? null);
  jobRoutes(app, deps.services);
  runRoutes(app, deps.services);
  eventRoutes(app, deps.services, deps.events ?? new EventBus());
  schedulerRoutes(app, deps.services, deps.now);
  for (const plugin of deps.plugins ?? []) await plugin(app);
  await app.ready();
  return app;
}
