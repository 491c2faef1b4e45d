/**
 * The PostgreSQL server the store tests run against, and a schema of their own per test file.
 *
 * The server is `SKED_TEST_PG_URL` (default: the local one, postgres://postgres@127.0.0.1:5432/test).
 * When it cannot be reached the tests FAIL with a message saying so; they never skip: a backend that
 * is not tested is not known to work.
 *
 * Emptying a migrated schema between tests (DELETE of every table, then the rows the migrations seed
 * put back) takes about 2 ms here, against about 180 ms to create and migrate a schema and 80 ms to
 * drop one (or 180 ms to TRUNCATE the tables), so each test file migrates one schema and every test
 * starts from it emptied.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import type { PostgresStoreOptions } from '../../../src/store/postgres/postgres-connection.js';

export const PG_URL = process.env['SKED_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const redacted = (url: string) => url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');

/** A connection to the test server, or an error that says what to do. */
export async function connectAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL is not reachable at ${redacted(PG_URL)} (${error instanceof Error ? error.message : String(error)}). ` +
        'The PostgreSQL store tests need a server: start the local one (pg_ctlcluster 15 main start, as .ci/run does) ' +
        'or point SKED_TEST_PG_URL at one. These tests fail rather than skip without it.',
    );
  }
}

/** A fresh schema name: `sked_t_` and random hex. */
export function testSchemaName(): string {
  return `sked_t_${randomBytes(6).toString('hex')}`;
}

/** PG_URL with the store's `schema` parameter (and any others) set. */
export function storeUrl(schema: string, params: Record<string, string> = {}): string {
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

export async function dropSchema(schema: string): Promise<void> {
  const admin = await connectAdmin();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}

/** One migrated schema for a test file, emptied between tests and dropped at the end. */
export class TestSchema {
  private constructor(
    readonly name: string,
    private readonly admin: pg.Client,
    private readonly tables: string[],
    /** Rows the migrations put in, as JSON per table, to put back after emptying. */
    private readonly seed: Map<string, unknown[]>,
  ) {}

  static async create(): Promise<TestSchema> {
    const admin = await connectAdmin();
    const name = testSchemaName();
    try {
      const store = new PostgresStore(PG_URL, { schema: name, poolSize: 1 });
      await store.migrate().finally(() => store.close());
      await admin.query(`SET search_path TO "${name}"`);
      const { rows } = await admin.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'`,
        [name],
      );
      const tables = rows.map((row) => row.tablename);
      const seed = new Map<string, unknown[]>();
      for (const table of tables) {
        const { rows: data } = await admin.query<{ rows: unknown[] | null }>(
          `SELECT json_agg(t) AS rows FROM "${table}" t`,
        );
        if (data[0]?.rows) seed.set(table, data[0].rows);
      }
      return new TestSchema(name, admin, tables, seed);
    } catch (error) {
      await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined);
      await admin.end();
      throw error;
    }
  }

  /** Empties every table and puts back what the migrations seeded: as freshly migrated. */
  async reset(): Promise<void> {
    const deletes = this.tables.map((table) => `DELETE FROM "${table}";`).join(' ');
    await this.admin.query(`BEGIN; ${deletes}`);
    try {
      for (const [table, rows] of this.seed) {
        await this.admin.query(
          `INSERT INTO "${table}" SELECT * FROM json_populate_recordset(NULL::"${table}", $1)`,
          [JSON.stringify(rows)],
        );
      }
      await this.admin.query('COMMIT');
    } catch (error) {
      await this.admin.query('ROLLBACK');
      throw error;
    }
  }

  /** A store on this schema (not migrated: call migrate(), a no-op, or use openStore with url()). */
  open(options: PostgresStoreOptions = {}): PostgresStore {
    return new PostgresStore(PG_URL, { schema: this.name, ...options });
  }

  url(params: Record<string, string> = {}): string {
    return storeUrl(this.name, params);
  }

  async drop(): Promise<void> {
    try {
      await this.admin.query(`DROP SCHEMA IF EXISTS "${this.name}" CASCADE`);
    } finally {
      await this.admin.end();
    }
  }
}
