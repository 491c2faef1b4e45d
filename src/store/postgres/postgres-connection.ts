/**
 * Connecting to PostgreSQL for the store: the store URL, the schema, and the pool every store call
 * goes through. Each connection starts with `search_path` set to the store's schema and custom plans
 * forced (startup parameters, so they cost no round trip), and reads BIGINT as a JavaScript number:
 * every BIGINT the store keeps is an epoch-millisecond instant or a count, far below 2^53.
 */

import pg from 'pg';
import { SkedError } from '../../domain/errors.js';

export const DEFAULT_SCHEMA = 'sked';
export const DEFAULT_POOL_SIZE = 10;

/**
 * Every statement is planned for its actual parameters. The hot statements take whole batches as
 * arrays: a generic plan (which PostgreSQL switches a prepared statement to after five runs) cannot see
 * how many rows an array holds or how many triggers are due, and measured 3-5 times slower at 10,000
 * fires. Planning costs well under a millisecond; statements stay prepared, so parsing is still saved.
 */
const PLAN_CACHE_MODE = 'force_custom_plan';

/** How long opening a connection may take before the call fails as UNAVAILABLE. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Schema names sked accepts: lower-case, so they need no quoting anywhere, and short enough that the
 * notification channel `sked_<schema>` fits PostgreSQL's 63-byte identifiers.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,57}$/;

export interface PostgresStoreOptions {
  /** The schema holding the store's tables; overrides the URL's `schema` parameter (default `sked`). */
  schema?: string | undefined;
  /** Connections in the pool; overrides the URL's `pool_size` parameter (default 10). */
  poolSize?: number | undefined;
  /**
   * Called with errors of background work the caller cannot see otherwise: an idle pooled connection
   * dropped, the notification listener losing its connection (it reconnects by itself). The store
   * logs nothing itself; without a hook these errors are swallowed.
   */
  onBackgroundError?: ((error: SkedError) => void) | undefined;
}

/** A store URL resolved: what pg connects to, the schema and the pool size. */
export interface PostgresConfig {
  /** The URL without sked's own parameters, for pg. */
  readonly connectionString: string;
  /** The URL with any password replaced, for messages. */
  readonly displayUrl: string;
  readonly schema: string;
  readonly poolSize: number;
  /** Startup options pg sends: any `options` of the URL, then search_path and plan_cache_mode. */
  readonly startupOptions: string;
}

function invalid(message: string): SkedError {
  return new SkedError('VALIDATION_ERROR', message);
}

/** VALIDATION_ERROR unless `name` is a schema name sked accepts. */
export function checkSchemaName(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw invalid(
      `schema '${name}' is not a valid store schema: use 1 to 58 lower-case letters, digits or _, not starting with a digit`,
    );
  }
  return name;
}

/** `url` with its password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

/**
 * Resolves `postgres://user:pass@host:port/db?schema=NAME&pool_size=N` (or `postgresql://`). The
 * `schema` and `pool_size` parameters are sked's and are not passed to pg; any other parameter
 * (sslmode, application_name, options, …) is.
 */
export function parsePostgresUrl(url: string, options: PostgresStoreOptions = {}): PostgresConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`store URL '${redactUrl(url)}' is not a valid postgres://HOST/DATABASE URL`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalid(`store URL '${redactUrl(url)}' is not a postgres:// or postgresql:// URL`);
  }
  const schema = checkSchemaName(options.schema ?? parsed.searchParams.get('schema') ?? DEFAULT_SCHEMA);
  const poolSize = options.poolSize ?? poolSizeOf(parsed.searchParams.get('pool_size'));
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw invalid(`pool size ${poolSize} is not a whole number of connections of at least 1`);
  }
  const urlOptions = parsed.searchParams.get('options');
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('pool_size');
  parsed.searchParams.delete('options');
  const connectionString = parsed.toString();
  return {
    connectionString,
    displayUrl: redactUrl(connectionString),
    schema,
    poolSize,
    startupOptions: [urlOptions, `-c search_path=${schema}`, `-c plan_cache_mode=${PLAN_CACHE_MODE}`]
      .filter((o) => o !== null)
      .join(' '),
  };
}

function poolSizeOf(text: string | null): number {
  if (text === null) return DEFAULT_POOL_SIZE;
  if (!/^\d+$/.test(text)) throw invalid(`pool_size '${text}' is not a whole number`);
  return Number(text);
}

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

type Parser = (value: string) => unknown;
/** pg-types' lookup, by any OID (its declared type lists only the scalar built-ins). */
const defaultParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => Parser;

/** pg's default parsers, except BIGINT (and BIGINT[]) read as numbers instead of strings. */
const storeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): Parser => {
    if (format === 'binary') return defaultParser(oid, format);
    if (oid === INT8_OID) return (value) => Number(value);
    if (oid === INT8_ARRAY_OID) {
      const parseArray = defaultParser(oid) as (value: string) => (string | null)[];
      return (value) => parseArray(value).map((v) => (v === null ? null : Number(v)));
    }
    return defaultParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** The config of one connection (pooled, or the listener's own). */
export function clientConfig(config: PostgresConfig): pg.ClientConfig {
  return {
    connectionString: config.connectionString,
    options: config.startupOptions,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: storeTypes,
    application_name: `sked:${config.schema}`,
  };
}

/**
 * The pool of a store. Connections open on demand; one that the server drops (restart,
 * pg_terminate_backend) is discarded by pg (an idle one reported to `onError`) instead of crashing the
 * process.
 */
export function createPool(config: PostgresConfig, onError: (thrown: unknown) => void): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(config), max: config.poolSize });
  pool.on('error', onError);
  // Every connection keeps a listener for its whole life: pg-pool listens only while a connection is
  // idle, and the server may end one while it is checked out or being discarded (an 'error' event with
  // no listener would crash the process). The query in flight fails on its own and is handled there.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}
