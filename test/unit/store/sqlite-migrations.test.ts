/** Migrations: numbered, recorded, idempotent, atomic, and safe when processes start at once. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../../src/store/sqlite/sqlite-connection.js';
import {
  appliedMigrations,
  applyMigrations,
  MIGRATIONS,
  type Migration,
} from '../../../src/store/sqlite/sqlite-migrations.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { buildStoreForChildren, type ChildStoreBuild } from '../../contract/support/child-store.js';

const MIGRATE_SCRIPT = `
import { SqliteStore } from './src/store/sqlite/sqlite-store.js';
const [path, index, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {}
// opening (switching a new file to WAL) and migrating, both at the same instant in every process
const store = new SqliteStore(path);
await store.migrate();
const collections = await store.listCollections();
await store.close();
process.stdout.write(JSON.stringify(collections.map((c) => c.name)));
`;

/**
 * The same, with a slow extra migration (about 0.2 s of work) so that the processes certainly overlap
 * while the schema is being written: without the write lock taken first, the others would read an
 * empty schema_migrations and fail on tables that already exist.
 */
const SLOW_MIGRATE_SCRIPT = `
import { openSqliteDatabase } from './src/store/sqlite/sqlite-connection.js';
import { applyMigrations, MIGRATIONS } from './src/store/sqlite/sqlite-migrations.js';
const [path, index, startAt] = process.argv.slice(2);
const slow = {
  version: MIGRATIONS.length + 1,
  name: 'slow',
  sql: 'CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) AS n FROM c',
};
while (Date.now() < Number(startAt)) {}
const db = openSqliteDatabase(path);
const applied = applyMigrations(db, [...MIGRATIONS, slow]);
db.close();
process.stdout.write(JSON.stringify(applied));
`;

describe('sqlite migrations', () => {
  let dir: string;
  let files = 0;
  const freshPath = () => join(dir, `db-${files++}.sqlite`);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sked-migrations-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are numbered 1, 2, 3 … without gaps or repeats', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('apply every migration once and record each in schema_migrations', () => {
    const db = openSqliteDatabase(freshPath());
    expect(appliedMigrations(db)).toEqual([]);
    expect(applyMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(appliedMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'jobs',
        'triggers',
        'job_stats',
        'job_labels',
        'fire_ledger',
        'runs',
        'pending_fires',
        'nodes',
        'collections',
        'settings',
        'schema_migrations',
      ]),
    );
    db.close();
  });

  it('0003 carries fires and runs over: pending fires to their table, step results into their run', async () => {
    const path = freshPath();
    const db = openSqliteDatabase(path);
    applyMigrations(db, MIGRATIONS.filter((m) => m.version < 3));
    const t = 1_800_000_000_000;
    db.exec(`
      INSERT INTO jobs (id, name, name_folded, collection, state, version, created_at, updated_at, labels, definition)
      VALUES ('j', 'J', 'j', 'default', 'enabled', 1, ${t}, ${t}, '{}', '{"schedule":{"type":"manual"},"steps":[],"onFailure":[],"retry":null,"overlap":"allow","catchUp":{"policy":"none","window":"PT1H"},"timeout":null,"extensions":{},"description":""}');
      INSERT INTO triggers (job_id, next_fire_at) VALUES ('j', NULL);
      INSERT INTO job_stats (job_id) VALUES ('j');
      INSERT INTO fire_ledger (job_id, scheduled_for, outcome, fired_at, run_id, node_id) VALUES ('j', ${t}, 'run', ${t}, 'r1', 'n');
      INSERT INTO fire_ledger (job_id, scheduled_for, outcome, node_id) VALUES ('j', ${t + 1000}, 'pending', 'n');
      INSERT INTO runs (id, job_id, trigger_kind, scheduled_for, queued_at, started_at, finished_at, status, attempt, node_id, exclusive, payload)
      VALUES ('r1', 'j', 'schedule', ${t}, ${t}, ${t}, ${t + 5}, 'succeeded', 1, 'n', 0, 'null');
      INSERT INTO step_results (run_id, ordinal, phase, position, step_index, name, type, status, attempt, started_at, finished_at, exit_code, http_status, output, error)
      VALUES ('r1', 1, 'main', 1, 1, 'second', 'exec', 'succeeded', 1, ${t + 2}, ${t + 5}, 0, NULL, 'bye', NULL),
             ('r1', 0, 'main', 0, 0, NULL, 'http', 'succeeded', 2, ${t}, ${t + 2}, NULL, 204, 'quote " and \\ and ünïcode', NULL);
    `);
    expect(applyMigrations(db)).toEqual(MIGRATIONS.filter((m) => m.version >= 3).map((m) => m.version));
    db.close();

    const store = new SqliteStore(path);
    await store.migrate();
    expect(await store.pendingFires(['n'])).toEqual([{ jobId: 'j', scheduledFor: t + 1000, nodeId: 'n' }]);
    const fires = await store.listFires('j', { limit: 10, offset: 0 });
    expect(fires.items.map((f) => [f.scheduledFor, f.outcome])).toEqual([[t + 1000, 'pending'], [t, 'run']]);
    const run = await store.getRun('r1');
    expect(run?.steps).toEqual([
      { stepIndex: 0, position: 0, phase: 'main', name: null, type: 'http', status: 'succeeded', attempt: 2, startedAt: t, finishedAt: t + 2, exitCode: null, httpStatus: 204, output: 'quote " and \\ and ünïcode', error: null },
      { stepIndex: 1, position: 1, phase: 'main', name: 'second', type: 'exec', status: 'succeeded', attempt: 1, startedAt: t + 2, finishedAt: t + 5, exitCode: 0, httpStatus: null, output: 'bye', error: null },
    ]);
    // the rebuilt runs table still cascades from its job
    expect(await store.deleteJob('j')).toBe(true);
    expect(await store.getRun('r1')).toBeNull();
    await store.close();
  });

  it('re-running is a no-op', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.putCollection({
      name: 'ops',
      description: '',
      maxJobs: 1,
      minInterval: null,
      createdAt: 1,
      updatedAt: 1,
    });
    await store.migrate();
    await store.close();
    const db = openSqliteDatabase(path);
    expect(applyMigrations(db)).toEqual([]);
    const recorded = db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number };
    expect(recorded.n).toBe(MIGRATIONS.length);
    const collections = db.prepare('SELECT name FROM collections ORDER BY name').all();
    expect(collections).toEqual([{ name: 'default' }, { name: 'ops' }]);
    db.close();
  });

  it('apply only the migrations a database lacks, in order', () => {
    const db = openSqliteDatabase(freshPath());
    const extra: Migration[] = [
      { version: MIGRATIONS.length + 2, name: 'third', sql: 'ALTER TABLE t ADD COLUMN c INTEGER' },
      { version: MIGRATIONS.length + 1, name: 'second', sql: 'CREATE TABLE t (a INTEGER)' },
    ];
    applyMigrations(db);
    expect(applyMigrations(db, [...MIGRATIONS, ...extra])).toEqual([MIGRATIONS.length + 1, MIGRATIONS.length + 2]);
    expect(applyMigrations(db, [...MIGRATIONS, ...extra])).toEqual([]);
    db.close();
  });

  it('roll back entirely when one migration fails, recording nothing', () => {
    const db = openSqliteDatabase(freshPath());
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'good', sql: 'CREATE TABLE good (a INTEGER)' },
      { version: MIGRATIONS.length + 2, name: 'bad', sql: 'CREATE TABLE bad (' },
    ];
    expect(() => applyMigrations(db, broken)).toThrow();
    expect(appliedMigrations(db)).toEqual([]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('jobs', 'good')").all()).toEqual([]);
    db.close();
  });

  describe('several processes migrating one new file at once', () => {
    let build: ChildStoreBuild;
    beforeAll(() => {
      build = buildStoreForChildren();
    });
    afterAll(() => build.remove());

    it('all succeed, and the schema is applied once', async () => {
      const path = freshPath();
      const results = await build.runConcurrently(MIGRATE_SCRIPT, 4, [path]);
      expect(results).toEqual([['default'], ['default'], ['default'], ['default']]);
      const db = openSqliteDatabase(path);
      expect(appliedMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(db.prepare("SELECT COUNT(*) AS n FROM collections WHERE name = 'default'").get()).toEqual({
        n: 1,
      });
      db.close();
    });

    it('a slow migration makes the others wait, then find nothing to do', async () => {
      const path = freshPath();
      const results = (await build.runConcurrently(SLOW_MIGRATE_SCRIPT, 3, [path])) as number[][];
      const all = MIGRATIONS.map((m) => m.version).concat(MIGRATIONS.length + 1);
      // exactly one process applied everything; the others applied nothing
      expect(results.filter((r) => r.length > 0)).toEqual([all]);
      expect(results.filter((r) => r.length === 0)).toHaveLength(2);
    });

    it('two stores in one process migrating the same new file both succeed', async () => {
      const path = freshPath();
      const a = new SqliteStore(path);
      const b = new SqliteStore(path);
      await Promise.all([a.migrate(), b.migrate()]);
      expect(await b.listCollections()).toHaveLength(1);
      await a.close();
      await b.close();
    });
  });
});
