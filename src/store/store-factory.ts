/**
 * Opens the store named by a URL, choosing the backend by its scheme:
 * - `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:` — the embedded single-node store;
 * - `postgres://USER:PASS@HOST:PORT/DATABASE?schema=NAME&pool_size=N`, or `postgresql://…` — the cluster
 *   store (schema `sked` and 10 connections unless given).
 */

import { SkedError } from '../domain/errors.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { MEMORY_PATH, parseSqliteUrl } from './sqlite/sqlite-connection.js';
import { openSqliteWorkerStore } from './sqlite/sqlite-worker-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean | undefined;
  /**
   * SQLite: run the connection on a worker thread (default false here; the server turns it on), so its
   * transactions never hold the event loop. Ignored for `:memory:` (a database private to its thread).
   */
  sqliteWorker?: boolean | undefined;
}

/** The backend a store URL names, or null when its scheme is unknown. */
export function storeBackendOf(url: string): Store['backend'] | null {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') return 'sqlite';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  return null;
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const backend = storeBackendOf(url);
  let store: Store;
  switch (backend) {
    case 'sqlite': {
      const path = parseSqliteUrl(url);
      store = options.sqliteWorker === true && path !== MEMORY_PATH ? await openSqliteWorkerStore(path) : new SqliteStore(path);
      break;
    }
    case 'postgres':
      store = new PostgresStore(url);
      break;
    case null:
      throw new SkedError(
        'VALIDATION_ERROR',
        `store URL '${redact(url)}' has an unknown scheme: use sqlite:PATH or postgres://HOST/DATABASE`,
      );
  }
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (thrown) {
      await store.close();
      throw thrown;
    }
  }
  return store;
}

/** A URL fit for an error message: any password replaced. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
