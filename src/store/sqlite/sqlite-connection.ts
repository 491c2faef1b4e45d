/** Opening a SQLite database for the store: URL parsing and the pragmas sked relies on. */

import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SkedError } from '../../domain/errors.js';
import { Database, type SqliteDatabase } from './sqlite-driver.js';

export const MEMORY_PATH = ':memory:';

/** How long a writer waits for another connection's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Page cache per connection, in KiB (a negative cache_size is KiB, not pages). 8 MiB holds the hot
 * pages (triggers, pending fires, the newest runs) of 100,000 jobs: 32 MiB added ~30 MB of resident
 * memory there without a measurable gain at 12,000 fires/s (bench/startup-bench.mjs, fire-bench.mjs).
 */
const CACHE_SIZE_KIB = 8 * 1024;

/**
 * The file path of a store URL: `sqlite:PATH`, `sqlite://PATH` (so `sqlite:///abs/file.db` is
 * absolute), `sqlite::memory:` or `sqlite://:memory:`. VALIDATION_ERROR for anything else.
 */
export function parseSqliteUrl(url: string): string {
  const match = /^sqlite:(?:\/\/)?(.*)$/i.exec(url);
  const path = match?.[1];
  if (path === undefined || path === '') {
    throw new SkedError(
      'VALIDATION_ERROR',
      `store URL '${url}' is not sqlite:PATH, sqlite://PATH or sqlite::memory:`,
    );
  }
  return path;
}

/**
 * Switches a file to WAL. When several processes open a new file at once, the switch can meet another
 * connection's lock in a way SQLite reports as SQLITE_BUSY at once, without calling the busy handler:
 * wait and try again, within the busy timeout.
 */
function enableWal(db: SqliteDatabase): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause); // opening is synchronous
    }
  }
}

/**
 * Opens (creating the file and its folder when missing) a database with:
 * - WAL, so readers never block the writer and a commit is one sequential append;
 * - synchronous=NORMAL: a committed transaction survives the process dying at any moment (SIGKILL
 *   included), because the WAL is in the OS page cache; only a power loss or OS crash may lose the last
 *   transactions before the next checkpoint (the database itself stays consistent);
 * - foreign keys on (deleting a job cascades to its trigger, ledger, runs and steps);
 * - a busy timeout, so a second process waits for the write lock instead of failing at once.
 */
export function openSqliteDatabase(path: string): SqliteDatabase {
  const memory = path === MEMORY_PATH;
  // The database holds every definition, output and the audit log: a new folder and file are private.
  if (!memory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const created = !memory && !existsSync(path);
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    if (created) chmodSync(path, 0o600); // before the WAL and shared-memory files, which take its mode
    if (!memory) enableWal(db);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
    db.pragma('temp_store = MEMORY');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
