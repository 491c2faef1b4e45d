/**
 * Starting and stopping a sked server: store, executor, engine, services and HTTP, wired once here.
 *
 * Shutdown (SIGTERM/SIGINT): stop accepting requests, stop acquiring, let running steps finish within the
 * grace period, interrupt the rest (they are retried per their policy), release what this node holds.
 * A SIGKILL at any moment loses nothing: the fire ledger and the run rows are the truth on restart.
 */

import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from './api/app.js';
import { presentedKey, type Authenticator } from './api/auth.js';
import { AccessGuard } from './api/guards.js';
import { AuditLog } from './service/audit-log.js';
import { EventBus } from './service/events.js';
import { EventRelay } from './service/event-relay.js';
import { compatPlugin } from './compat/index.js';
import { dashboardRoutes } from './api/routes/dashboard-routes.js';
import { SecretBox, secretKeyFrom } from './domain/secrets.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { SkedConfig } from './config/config.js';
import type { Logger } from './domain/logger.js';
import { SystemClock, type Clock } from './engine/clock.js';
import { DEFAULT_ENGINE_CONFIG, Engine, type EngineObserver } from './engine/engine.js';
import type { ExecutorPort } from './engine/executor-port.js';
import { Executor } from './executor/index.js';
import { createHttpPolicy } from './executor/http-policy.js';
import { SYSTEM_ACTOR } from './service/actor.js';
import { createServices, type Services } from './service/index.js';
import { createMetrics } from './service/metrics.js';
import { openStore } from './store/store-factory.js';
import type { Store } from './store/store.js';
import { VERSION } from './version.js';

export interface RunningServer {
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  services: Services;
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  logger?: Logger;
  clock?: Clock;
  executor?: ExecutorPort;
  authenticate?: Authenticator;
  /** Install SIGTERM/SIGINT handlers (the CLI does; tests do not). */
  handleSignals?: boolean;
  /** Observers added to the engine's (live events). */
  observers?: EngineObserver[];
  /** Extra route sets registered after the native API, the compatibility surfaces and the dashboard (tests, extensions). */
  plugins?: ((app: FastifyInstance) => void | Promise<void>)[];
}

/**
 * The key that seals secrets: SKED_SECRET_KEY, else `secret.key` in the data folder (created, mode 0600,
 * on first start). A cluster needs the same key on every node, so set SKED_SECRET_KEY there.
 */
function loadSecretKey(config: Readonly<SkedConfig>, logger: Logger): Buffer {
  if (config.secretKey) return secretKeyFrom(config.secretKey);
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file)) return secretKeyFrom(readFileSync(file, 'utf8'));
  const key = randomBytes(32).toString('hex');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  if (config.store.startsWith('postgres')) logger.warn({ file }, 'created a secret key for this node only: set the same SKED_SECRET_KEY on every node of a cluster');
  return secretKeyFrom(key);
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid, host: hostname() } }) as unknown as Logger;
}

function combine(observers: EngineObserver[]): EngineObserver {
  return {
    fire: (e) => observers.forEach((o) => o.fire?.(e)),
    runStarted: (e) => observers.forEach((o) => o.runStarted?.(e)),
    runFinished: (e) => observers.forEach((o) => o.runFinished?.(e)),
    stepFinished: (id, job, s) => observers.forEach((o) => o.stepFinished?.(id, job, s)),
    output: (id, p, ph, c) => observers.forEach((o) => o.output?.(id, p, ph, c)),
    nodeJoined: (e) => observers.forEach((o) => o.nodeJoined?.(e)),
    nodeLeft: (e) => observers.forEach((o) => o.nodeLeft?.(e)),
  };
}

export interface Sked {
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  services: Services;
  logger: Logger;
  /** Starts the engine (recovery, then firing). */
  start(): Promise<void>;
  /** Stops the engine within the grace period, then closes the executor, the app and the store. */
  close(): Promise<void>;
}

/** Everything a server is, without listening: the HTTP app (for inject()), engine, store and services. */
export async function buildSked(config: Readonly<SkedConfig>, options: ServerOptions = {}): Promise<Sked> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? new SystemClock();
  const store = await openStore(config.store, { sqliteWorker: !config.sqliteInProcess });
  const policy = createHttpPolicy({ allow: config.httpAllow, deny: config.httpDeny });
  const secrets = new SecretBox(loadSecretKey(config, logger));
  const executor =
    options.executor ??
    new Executor({ maxOutputBytes: config.maxOutputBytes, checkUrl: policy.checkUrl, lookup: policy.lookup, allowedStepTypes: new Set(config.allowSteps), dispatchUrls: config.dispatchUrls });
  let engine: Engine | null = null;
  const metrics = createMetrics(store, () => (engine ? { ...engine.status, skewMs: engine.clockSkew.skewMs } : { running: 0, acquired: 0, capacity: 0, skewMs: 0 }));
  let services: Services | null = null;
  const bus = new EventBus(() => clock.now());
  const live: EngineObserver = {
    // A fire that ran shows as run.started; the others are worth an event of their own.
    fire: (e) => {
      if (e.outcome !== 'run') bus.publish('fire', { jobId: e.jobId, scheduledFor: e.scheduledFor, outcome: e.outcome });
    },
    runStarted: (e) => {
      bus.runStarted(e.runId);
      bus.publish('run.started', { runId: e.runId, jobId: e.jobId, trigger: e.trigger, scheduledFor: e.scheduledFor, startedAt: e.startedAt });
    },
    stepFinished: (runId, jobId, step) => bus.publish('run.step', { runId, jobId, stepIndex: step.stepIndex, position: step.position, phase: step.phase, name: step.name, status: step.status, exitCode: step.exitCode, httpStatus: step.httpStatus }),
    output: (runId, position, phase, chunk) => bus.output(runId, position, phase, chunk),
    runFinished: (e) => {
      bus.publish('run.finished', { runId: e.runId, jobId: e.jobId, status: e.status, startedAt: e.startedAt, finishedAt: e.finishedAt, error: e.error });
      bus.runFinished(e.runId);
    },
    // What a node tells of itself, and the nodes it declares dead, go to the others (event-relay.ts);
    // what it sees in the nodes table, every node sees for itself. Repeats are dropped by the bus.
    nodeJoined: (e) => void bus.publish('node.joined', { nodeId: e.nodeId, host: e.host, version: e.version, startedAt: e.startedAt }, { local: e.source === 'seen', fromTheNode: e.source === 'self' }),
    nodeLeft: (e) => void bus.publish('node.left', { nodeId: e.nodeId, host: e.host, startedAt: e.startedAt, reason: e.reason }, { local: e.source === 'seen', fromTheNode: e.source === 'self' }),
  };
  const relayPort = EventRelay.portOf(store);
  const relay = relayPort ? new EventRelay(bus, relayPort, { nodeId: config.nodeId, logger: logger.child({ component: 'events' }) }) : null;
  engine = new Engine({
    store,
    executor,
    clock,
    logger: logger.child({ component: 'engine' }),
    observer: combine([metrics.observer, live, ...(options.observers ?? [])]),
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      nodeId: config.nodeId,
      concurrency: config.concurrency,
      lookaheadMs: config.lookaheadMs,
      pollIntervalMs: config.pollIntervalMs,
      misfireThresholdMs: config.misfireThresholdMs,
      heartbeatMs: config.heartbeatMs,
      nodeTtlMs: config.nodeTtlMs,
      runRetention: config.runRetention,
      fireRetention: config.fireRetention,
      version: VERSION,
      host: hostname(),
    },
    maintenance: async () => {
      if (services) await services.jobs.resumeExpired(SYSTEM_ACTOR);
    },
    secrets,
  });
  const audit = new AuditLog(store, clock, logger);
  services = createServices({ store, engine, clock, logger, newJobId: randomUUID, runRetention: config.runRetention, allowedStepTypes: new Set(config.allowSteps), audit, secrets, checkUrl: policy.checkUrl, emit: (type, data) => void bus.publish(type, data) });
  const keys = services.keys;
  await keys.bootstrap(config.apiKey, config.dataDir, logger);
  const guard = new AccessGuard(config.rateLimit);
  const app = await buildApp({
    services,
    store,
    engine,
    metrics,
    authenticate: options.authenticate ?? ((request) => keys.authenticate(presentedKey(request))),
    logger,
    now: () => clock.now(),
    bodyLimit: config.bodyLimit,
    version: VERSION,
    guard,
    localOnlyPaths: config.localOnlyPaths,
    https: config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert, 'utf8'), key: readFileSync(config.tlsKey, 'utf8') } : undefined,
    audit,
    events: bus,
    plugins: [
      compatPlugin({ services, logger, now: () => clock.now(), authenticate: (key, request) => guard.check(request.ip, () => keys.authenticate(key)) }, config.compat),
      dashboardRoutes,
      ...(options.plugins ?? []),
    ],
  });
  const started = engine;
  let closing: Promise<void> | null = null;
  return {
    app,
    engine: started,
    store,
    services,
    logger,
    start: async () => {
      // Listening for the other nodes' events first: this node hears of those that start with it.
      await relay?.start();
      await started.start();
    },
    close: () => {
      closing ??= (async () => {
        await app.close();
        await started.stop(config.shutdownGraceMs);
        // Sends what is left (this node's node.left) before the store closes.
        await relay?.stop();
        await audit.flush().catch(() => undefined);
        await executor.close();
        await store.close();
      })();
      return closing;
    },
  };
}

export async function startServer(config: Readonly<SkedConfig>, options: ServerOptions = {}): Promise<RunningServer> {
  const sked = await buildSked(config, options);
  const { app, engine, store, services, logger } = sked;
  await sked.start();
  const url = await app.listen({ host: config.host, port: config.port });
  logger.info({ url, store: config.store.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@'), nodeId: config.nodeId, version: VERSION }, 'sked is listening');
  const close = async (): Promise<void> => {
    logger.info('shutting down');
    await sked.close();
    logger.info('stopped');
  };
  if (options.handleSignals) {
    const onSignal = (signal: string): void => {
      logger.info({ signal }, 'signal received');
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { app, engine, store, services, url, close };
}
