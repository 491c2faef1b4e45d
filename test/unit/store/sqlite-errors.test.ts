/** Driver errors from real SQLite failures map onto the registry codes callers rely on. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../../src/store/sqlite/sqlite-driver.js';
import { afterAll, describe, expect, it } from 'vitest';
import { SkedError } from '../../../src/domain/errors.js';
import { toStoreError } from '../../../src/store/sqlite/sqlite-errors.js';

function thrownBy(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('toStoreError', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec(`
    CREATE TABLE parent (id TEXT PRIMARY KEY, email TEXT UNIQUE);
    CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent (id));
    INSERT INTO parent VALUES ('p', 'a@example.com');
  `);
  const dir = mkdtempSync(join(tmpdir(), 'sked-errors-'));
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps a duplicate primary key to CONFLICT naming the row', () => {
    const error = toStoreError(
      thrownBy(() => db.exec("INSERT INTO parent VALUES ('p', 'b@example.com')")),
      "job 'p'",
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe("job 'p' already exists");
    expect(error.cause).toBeInstanceOf(Database.SqliteError);
  });

  it('maps a duplicate unique value to CONFLICT', () => {
    expect(
      toStoreError(thrownBy(() => db.exec("INSERT INTO parent VALUES ('q', 'a@example.com')"))).code,
    ).toBe('CONFLICT');
  });

  it('maps a foreign key to a missing row to NOT_FOUND', () => {
    expect(toStoreError(thrownBy(() => db.exec("INSERT INTO child VALUES ('c', 'missing')"))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('maps a database busy past its timeout to UNAVAILABLE', () => {
    const path = join(dir, 'busy.db');
    const holder = new Database(path);
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (a INTEGER)');
    const waiter = new Database(path, { timeout: 0 });
    holder.exec('BEGIN IMMEDIATE');
    try {
      const error = toStoreError(thrownBy(() => waiter.exec('BEGIN IMMEDIATE')));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.status).toBe(503);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      waiter.close();
    }
  });

  it('maps other driver errors and anything else to INTERNAL, and keeps SkedErrors', () => {
    expect(toStoreError(thrownBy(() => db.exec('SELEC 1'))).code).toBe('INTERNAL');
    expect(toStoreError(new TypeError('boom')).code).toBe('INTERNAL');
    expect(toStoreError('text').code).toBe('INTERNAL');
    const original = new SkedError('PRECONDITION_FAILED', 'stale');
    expect(toStoreError(original)).toBe(original);
  });
});
