/**
 * Numbered, append-only migrations, recorded in `schema_migrations`. They run inside one
 * `BEGIN IMMEDIATE` transaction: the write lock is taken before `schema_migrations` is read, so when two
 * processes start at once on a new file the second waits (busy_timeout), then finds nothing to do.
 */

import type { Database } from 'better-sqlite3';
import { MIGRATION_0001_INITIAL } from './migrations/0001_initial.js';
import { MIGRATION_0002_ACCESS } from './migrations/0002_access.js';
import { MIGRATION_0003_LEAN_RUNS } from './migrations/0003_lean_runs.js';

export interface Migration {
  /** 1, 2, 3 … in the order they apply; never reused. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: MIGRATION_0001_INITIAL },
  { version: 2, name: 'access', sql: MIGRATION_0002_ACCESS },
  { version: 3, name: 'lean runs', sql: MIGRATION_0003_LEAN_RUNS },
];

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/**
 * Applies the migrations the database lacks; returns the versions applied (empty when up to date).
 * Foreign keys are off while they run (SQLite's procedure for changing a table's shape: rebuilding a
 * table must not cascade deletes), and checked before the transaction commits.
 */
export function applyMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  if (enforced) db.pragma('foreign_keys = OFF');
  try {
    return applyAll(db, migrations);
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
}

function applyAll(db: Database, migrations: readonly Migration[]): number[] {
  const apply = db.transaction((): number[] => {
    db.exec(CREATE_MIGRATIONS_TABLE);
    const rows = db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
    const done = new Set(rows.map((row) => row.version));
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      applied.push(migration.version);
    }
    const broken = applied.length > 0 ? (db.pragma('foreign_key_check') as unknown[]) : [];
    if (broken.length > 0) throw new Error(`a migration broke ${broken.length} foreign key reference(s)`);
    return applied;
  });
  return apply.immediate();
}

/** The versions recorded in `schema_migrations`, ascending (empty before the first migration). */
export function appliedMigrations(db: Database): number[] {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (table === undefined) return [];
  const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
    version: number;
  }[];
  return rows.map((row) => row.version);
}
