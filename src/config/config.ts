/**
 * Configuration, resolved once: command-line flags > environment (`SKED_*`) > config file (`--config`,
 * JSON) > defaults; validated, then frozen. The table below is the single list of settings; the CLI's
 * `--help` prints it.
 */

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { SkedError } from '../domain/errors.js';
import { parseDuration } from '../schedule/instant.js';

type Kind = 'string' | 'int' | 'duration' | 'bool' | 'list';

interface Setting {
  key: keyof SkedConfig;
  env: string;
  flag: string;
  kind: Kind;
  description: string;
  default: string | number | boolean | string[] | null;
  min?: number;
}

export interface SkedConfig {
  host: string;
  port: number;
  store: string;
  dataDir: string;
  nodeId: string;
  concurrency: number;
  apiKey: string | null;
  logLevel: string;
  lookaheadMs: number;
  pollIntervalMs: number;
  misfireThresholdMs: number;
  shutdownGraceMs: number;
  maxOutputBytes: number;
  runRetention: number;
  fireRetention: number;
  bodyLimit: number;
  heartbeatMs: number;
  nodeTtlMs: number;
  allowSteps: string[];
  httpAllow: string[];
  httpDeny: string[];
  secretKey: string | null;
  rateLimit: number;
  tlsCert: string | null;
  tlsKey: string | null;
  localOnlyPaths: string[];
  compat: string[];
  /** SQLite on the main thread instead of a worker thread. */
  sqliteInProcess: boolean;
  /** Where dispatch steps of each compatibility surface are POSTed. */
  dispatchUrls: Record<string, string>;
}

export const SETTINGS: readonly Setting[] = [
  { key: 'host', env: 'SKED_HOST', flag: 'host', kind: 'string', default: '127.0.0.1', description: 'address the HTTP server binds' },
  { key: 'port', env: 'SKED_PORT', flag: 'port', kind: 'int', default: 8080, min: 0, description: 'HTTP port (0 = any free port)' },
  { key: 'store', env: 'SKED_STORE', flag: 'store', kind: 'string', default: 'sqlite:./sked-data/sked.db', description: 'store URL: sqlite:PATH or postgres://...' },
  { key: 'sqliteInProcess', env: 'SKED_SQLITE_IN_PROCESS', flag: 'sqlite-in-process', kind: 'bool', default: false, description: 'run SQLite on the main thread rather than its own worker thread (transactions then hold the event loop)' },
  { key: 'dataDir', env: 'SKED_DATA_DIR', flag: 'data-dir', kind: 'string', default: null, description: 'folder for admin.key and local state (default: the SQLite file\'s folder, else ./sked-data)' },
  { key: 'nodeId', env: 'SKED_NODE_ID', flag: 'node-id', kind: 'string', default: null, description: 'this node\'s id in the cluster (default: the host name)' },
  { key: 'concurrency', env: 'SKED_CONCURRENCY', flag: 'concurrency', kind: 'int', default: 64, min: 1, description: 'runs executing at once on this node' },
  { key: 'apiKey', env: 'SKED_API_KEY', flag: 'api-key', kind: 'string', default: null, description: 'admin API key installed at start-up' },
  { key: 'logLevel', env: 'SKED_LOG_LEVEL', flag: 'log-level', kind: 'string', default: 'info', description: 'trace, debug, info, warn, error or silent' },
  { key: 'lookaheadMs', env: 'SKED_LOOKAHEAD', flag: 'lookahead', kind: 'duration', default: 'PT2S', description: 'how far ahead fires are acquired' },
  { key: 'pollIntervalMs', env: 'SKED_POLL_INTERVAL', flag: 'poll-interval', kind: 'duration', default: 'PT0.5S', description: 'how often the store is polled for work (wake-ups come sooner)' },
  { key: 'misfireThresholdMs', env: 'SKED_MISFIRE_THRESHOLD', flag: 'misfire-threshold', kind: 'duration', default: 'PT5S', description: 'a fire later than this counts as missed and follows the job\'s catch-up policy' },
  { key: 'shutdownGraceMs', env: 'SKED_SHUTDOWN_GRACE', flag: 'shutdown-grace', kind: 'duration', default: 'PT10S', description: 'on SIGTERM, how long running steps may finish' },
  { key: 'maxOutputBytes', env: 'SKED_MAX_OUTPUT', flag: 'max-output', kind: 'int', default: 65_536, min: 1024, description: 'bytes of output kept per step (head and tail)' },
  { key: 'runRetention', env: 'SKED_RUN_RETENTION', flag: 'run-retention', kind: 'int', default: 1000, min: 1, description: 'finished runs kept per job' },
  { key: 'fireRetention', env: 'SKED_FIRE_RETENTION', flag: 'fire-retention', kind: 'int', default: 10_000, min: 1, description: 'fires kept per job in the fire ledger (with their outcomes)' },
  { key: 'bodyLimit', env: 'SKED_BODY_LIMIT', flag: 'body-limit', kind: 'int', default: 262_144, min: 1024, description: 'largest request body in bytes' },
  { key: 'heartbeatMs', env: 'SKED_HEARTBEAT', flag: 'heartbeat', kind: 'duration', default: 'PT2S', description: 'node heartbeat interval' },
  { key: 'nodeTtlMs', env: 'SKED_NODE_TTL', flag: 'node-ttl', kind: 'duration', default: 'PT15S', description: 'a node silent this long is dead and its work is taken over' },
  { key: 'allowSteps', env: 'SKED_ALLOW_STEPS', flag: 'allow-steps', kind: 'list', default: ['http', 'exec', 'shell', 'sql', 'noop', 'dispatch'], description: 'step types that may be defined and run (e.g. http,noop)' },
  { key: 'httpAllow', env: 'SKED_HTTP_ALLOW', flag: 'http-allow', kind: 'list', default: [], description: 'hosts and CIDRs http steps may reach (empty = any not denied)' },
  { key: 'httpDeny', env: 'SKED_HTTP_DENY', flag: 'http-deny', kind: 'list', default: [], description: 'hosts and CIDRs http steps may never reach, besides link-local and cloud metadata addresses (always denied)' },
  { key: 'secretKey', env: 'SKED_SECRET_KEY', flag: 'secret-key', kind: 'string', default: null, description: 'key that encrypts secrets at rest (32 bytes hex/base64, or a passphrase); default: secret.key in the data folder; every node of a cluster needs the same' },
  { key: 'rateLimit', env: 'SKED_RATE_LIMIT', flag: 'rate-limit', kind: 'int', default: 100, min: 1, description: 'API requests per second per key (bursts of twice that); beyond: 429 with Retry-After' },
  { key: 'tlsCert', env: 'SKED_TLS_CERT', flag: 'tls-cert', kind: 'string', default: null, description: 'PEM certificate file: serve HTTPS (with --tls-key)' },
  { key: 'tlsKey', env: 'SKED_TLS_KEY', flag: 'tls-key', kind: 'string', default: null, description: 'PEM private key file for --tls-cert' },
  { key: 'compat', env: 'SKED_COMPAT', flag: 'compat', kind: 'list', default: ['idm', 'azure', 'puppet', 'infinni', 'jim'], description: 'compatibility surfaces served (idm, azure, puppet, infinni, jim; empty = none)' },
  { key: 'dispatchUrls', env: 'SKED_DISPATCH', flag: 'dispatch', kind: 'list', default: [], description: 'surface=URL pairs where platform actions are POSTed (or SKED_DISPATCH_<SURFACE>_URL)' },
  { key: 'localOnlyPaths', env: 'SKED_LOCAL_ONLY_PATHS', flag: 'local-only-paths', kind: 'list', default: ['/scheduler'], description: 'path prefixes served only to callers on this host (403 otherwise)' },
];

function convert(setting: Setting, raw: unknown, source: string): unknown {
  const bad = (why: string): never => {
    throw new SkedError('VALIDATION_ERROR', `${source}: ${why}`, { errors: [{ pointer: `/${setting.key}`, message: why }] });
  };
  switch (setting.kind) {
    case 'string':
      if (typeof raw !== 'string') bad('must be a string');
      return raw;
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isInteger(n)) bad(`must be a whole number (got ${JSON.stringify(raw)})`);
      if (setting.min !== undefined && n < setting.min) bad(`must be at least ${setting.min}`);
      return n;
    }
    case 'duration': {
      const ms = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDuration(raw.trim()) : null;
      if (ms === null) bad(`must be an ISO 8601 duration such as PT5S (got ${JSON.stringify(raw)})`);
      return ms;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return bad('must be true or false');
    case 'list':
      return Array.isArray(raw) ? raw.map(String) : String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  }
}

/**
 * Resolves the configuration.
 * @param flags values from the command line, keyed by flag name (e.g. `port`, `node-id`)
 */
export function resolveConfig(flags: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): Readonly<SkedConfig> {
  const configFile = (flags['config'] as string | undefined) ?? env['SKED_CONFIG'];
  let file: Record<string, unknown> = {};
  if (configFile) {
    try {
      file = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new SkedError('VALIDATION_ERROR', `config file ${configFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const fromFlag = flags[s.flag];
    const fromEnv = env[s.env];
    const fromFile = file[s.key];
    if (fromFlag !== undefined) out[s.key] = convert(s, fromFlag, `--${s.flag}`);
    else if (fromEnv !== undefined && (fromEnv !== '' || s.kind === 'list')) out[s.key] = convert(s, fromEnv, s.env);
    else if (fromFile !== undefined) out[s.key] = convert(s, fromFile, `${configFile} ${s.key}`);
    else out[s.key] = s.default === null ? null : convert(s, s.default, 'default');
  }
  const store = out['store'] as string;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(store)) {
    throw new SkedError('VALIDATION_ERROR', `store must be sqlite:PATH or postgres://... (got ${store})`, { errors: [{ pointer: '/store', message: 'unknown scheme' }] });
  }
  if (out['dataDir'] === null) {
    const sqlitePath = /^sqlite:(?:\/\/)?(.+)$/.exec(store)?.[1];
    out['dataDir'] = sqlitePath && sqlitePath !== ':memory:' ? dirname(resolve(sqlitePath)) : resolve('sked-data');
  }
  if (out['nodeId'] === null) out['nodeId'] = hostname();
  if ((out['tlsCert'] === null) !== (out['tlsKey'] === null)) {
    throw new SkedError('VALIDATION_ERROR', 'TLS needs both --tls-cert and --tls-key (SKED_TLS_CERT, SKED_TLS_KEY)', { errors: [{ pointer: out['tlsCert'] === null ? '/tlsCert' : '/tlsKey', message: 'is required with the other' }] });
  }
  const dispatch: Record<string, string> = {};
  for (const pair of out['dispatchUrls'] as string[]) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new SkedError('VALIDATION_ERROR', `dispatch: '${pair}' is not surface=URL`, { errors: [{ pointer: '/dispatchUrls', message: 'must be surface=URL pairs' }] });
    dispatch[pair.slice(0, i).trim().toLowerCase()] = pair.slice(i + 1).trim();
  }
  for (const [name, value] of Object.entries(env)) {
    const m = /^SKED_DISPATCH_([A-Z]+)_URL$/.exec(name);
    if (m && value) dispatch[(m[1] as string).toLowerCase()] = value;
  }
  out['dispatchUrls'] = dispatch;
  const surfaces = ['idm', 'azure', 'puppet', 'infinni', 'jim'];
  const unknownSurface = (out['compat'] as string[]).find((c) => !surfaces.includes(c));
  if (unknownSurface !== undefined) throw new SkedError('VALIDATION_ERROR', `compat: unknown surface '${unknownSurface}' (use ${surfaces.join(', ')})`, { errors: [{ pointer: '/compat', message: 'unknown surface' }] });
  const stepTypes = ['http', 'exec', 'shell', 'sql', 'noop', 'dispatch'];
  const unknownStep = (out['allowSteps'] as string[]).find((t) => !stepTypes.includes(t));
  if (unknownStep !== undefined) {
    throw new SkedError('VALIDATION_ERROR', `allowSteps: unknown step type '${unknownStep}' (use ${stepTypes.join(', ')})`, { errors: [{ pointer: '/allowSteps', message: 'unknown step type' }] });
  }
  return Object.freeze(out as unknown as SkedConfig);
}

/** `  --port N  SKED_PORT  HTTP port ... (default 8080)` lines for --help. */
export function settingsHelp(): string {
  return SETTINGS.map((s) => `  --${s.flag.padEnd(18)} ${s.env.padEnd(24)} ${s.description}${s.default === null ? '' : ` (default ${String(s.default)})`}`).join('\n');
}
