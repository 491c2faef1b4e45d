/** PostgreSQL migrations: numbered, recorded, idempotent, atomic, and safe when nodes start at once. */

import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  appliedMigrations,
  applyMigrations,
  MIGRATIONS,
  type Migration,
} from '../../../src/store/postgres/postgres-migrations.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { connectAdmin, dropSchema, PG_URL, testSchemaName } from '../../contract/support/postgres.js';

describe('postgres migrations', () => {
  let admin: pg.Client;
  const schemas: string[] = [];
  const freshSchema = () => {
    const name = testSchemaName();
    schemas.push(name);
    return name;
  };
  beforeAll(async () => {
    admin = await connectAdmin();
  });
  afterEach(async () => {
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });
  afterAll(async () => {
    await admin.end();
  });

  const tablesOf = async (schema: string) =>
    (
      await admin.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [
        schema,
      ])
    ).rows.map((row) => row.tablename);

  it('are numbered 1, 2, 3 … without gaps or repeats', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('create the schema, apply every migration once and record each in schema_migrations', async () => {
    const schema = freshSchema();
    expect(await appliedMigrations(admin, schema)).toEqual([]);
    expect(await applyMigrations(admin, schema)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await appliedMigrations(admin, schema)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await tablesOf(schema)).toEqual(
      expect.arrayContaining([
        'jobs',
        'triggers',
        'job_stats',
        'job_labels',
        'fire_ledger',
        'runs',
        'step_results',
        'nodes',
        'collections',
        'settings',
        'schema_migrations',
      ]),
    );
    // nothing leaked into the connection's own schema
    expect(await tablesOf('public')).not.toContain('jobs');
  });

  it('keep their tables in the schema only: two schemas on one database are two stores', async () => {
    const [a, b] = [freshSchema(), freshSchema()];
    const storeA = new PostgresStore(PG_URL, { schema: a, poolSize: 1 });
    const storeB = new PostgresStore(PG_URL, { schema: b, poolSize: 1 });
    try {
      await storeA.migrate();
      await storeB.migrate();
      await storeA.setSetting('k', 'a');
      expect(await storeB.getSetting('k')).toBeUndefined();
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });

  it('re-running is a no-op', async () => {
    const schema = freshSchema();
    await applyMigrations(admin, schema);
    expect(await applyMigrations(admin, schema)).toEqual([]);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".schema_migrations`);
    expect(rows[0]).toEqual({ n: MIGRATIONS.length });
    const defaults = await admin.query(`SELECT name FROM "${schema}".collections`);
    expect(defaults.rows).toEqual([{ name: 'default' }]);
  });

  it('apply only the migrations a schema lacks, in order', async () => {
    const schema = freshSchema();
    const extra: Migration[] = [
      { version: MIGRATIONS.length + 2, name: 'third', sql: 'ALTER TABLE t ADD COLUMN c INTEGER' },
      { version: MIGRATIONS.length + 1, name: 'second', sql: 'CREATE TABLE t (a INTEGER)' },
    ];
    await applyMigrations(admin, schema);
    expect(await applyMigrations(admin, schema, [...MIGRATIONS, ...extra])).toEqual([MIGRATIONS.length + 1, MIGRATIONS.length + 2]);
    expect(await applyMigrations(admin, schema, [...MIGRATIONS, ...extra])).toEqual([]);
    expect(await tablesOf(schema)).toContain('t');
  });

  it('roll back entirely when one migration fails, recording nothing', async () => {
    const schema = freshSchema();
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'good', sql: 'CREATE TABLE good (a INTEGER)' },
      { version: MIGRATIONS.length + 2, name: 'bad', sql: 'CREATE TABLE bad (' },
    ];
    await expect(applyMigrations(admin, schema, broken)).rejects.toThrow();
    expect(await appliedMigrations(admin, schema)).toEqual([]);
    expect(await tablesOf(schema)).toEqual([]);
  });

  it('4 stores migrating one fresh schema at once all succeed, and it is migrated once', async () => {
    const schema = freshSchema();
    const stores = Array.from({ length: 4 }, () => new PostgresStore(PG_URL, { schema, poolSize: 2 }));
    try {
      await Promise.all(stores.map((store) => store.migrate()));
      for (const store of stores)
        expect((await store.listCollections()).map((c) => c.name)).toEqual(['default']);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
    expect(await appliedMigrations(admin, schema)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('a slow migration makes the other nodes wait on the lock, then find nothing to do', async () => {
    const schema = freshSchema();
    const slow: Migration = { version: MIGRATIONS.length + 1, name: 'slow', sql: 'SELECT pg_sleep(0.3)' };
    const clients = await Promise.all(Array.from({ length: 3 }, () => connectAdmin()));
    try {
      const results = await Promise.all(
        clients.map((c) => applyMigrations(c, schema, [...MIGRATIONS, slow])),
      );
      const all = [...MIGRATIONS, slow].map((m) => m.version);
      expect(results.filter((r) => r.length > 0)).toEqual([all]);
      expect(results.filter((r) => r.length === 0)).toHaveLength(2);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});
