/**
 * Numbered, append-only migrations, recorded in `<schema>.schema_migrations`. They run in one
 * transaction that first takes a transaction-scoped advisory lock named after the schema: when several
 * nodes start at once on a new database, one creates the schema and applies everything while the
 * others wait on the lock, then find nothing to do. Everything is transactional in PostgreSQL (DDL
 * included), so a failing migration leaves no trace.
 */

import type pg from 'pg';
import { MIGRATION_0001_INITIAL } from './migrations/0001_initial.js';
import { MIGRATION_0002_ACCESS } from './migrations/0002_access.js';
import { MIGRATION_0003_LEAN_RUNS } from './migrations/0003_lean_runs.js';
import { DB_NOW } from './postgres-sql.js';

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

/** The advisory lock of a schema's migrations (a bigint key derived from its name). */
const LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('sked.migrate.' || $1, 0))`;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** A schema name is checked by checkSchemaName (lower-case letters, digits, _): quoting is enough. */
const quoted = (schema: string) => `"${schema}"`;

/**
 * Applies the migrations `schema` lacks, creating the schema when missing; returns the versions applied
 * (empty when up to date). `client` is a connection of its own (not in a transaction).
 */
export async function applyMigrations(
  client: pg.ClientBase,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query(LOCK, [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted(schema)}`);
    // the connection's search_path names the schema already; set it here too, now that it exists
    await client.query(`SET LOCAL search_path TO ${quoted(schema)}`);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(
        `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, ${DB_NOW})`,
        [migration.version, migration.name],
      );
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (thrown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw thrown;
  }
}

/** The versions recorded in `<schema>.schema_migrations`, ascending (empty before the first migration). */
export async function appliedMigrations(client: pg.ClientBase, schema: string): Promise<number[]> {
  const { rows: tables } = await client.query(
    `SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_migrations'`,
    [schema],
  );
  if (tables.length === 0) return [];
  const { rows } = await client.query<{ version: number }>(
    `SELECT version FROM ${quoted(schema)}.schema_migrations ORDER BY version`,
  );
  return rows.map((row) => row.version);
}
