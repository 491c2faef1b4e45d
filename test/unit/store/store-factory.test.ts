/** openStore chooses the backend by URL scheme. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SkedError } from '../../../src/domain/errors.js';
import { openSqliteDatabase } from '../../../src/store/sqlite/sqlite-connection.js';
import { appliedMigrations } from '../../../src/store/sqlite/sqlite-migrations.js';
import { openStore, storeBackendOf } from '../../../src/store/store-factory.js';

async function rejection(promise: Promise<unknown>): Promise<SkedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SkedError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('openStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sked-factory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['sqlite:x.db', 'sqlite'],
    ['sqlite::memory:', 'sqlite'],
    ['postgres://u@h/db', 'postgres'],
    ['postgresql://h/db', 'postgres'],
    ['mysql://h/db', null],
    ['just-a-path.db', null],
  ])('storeBackendOf(%s) is %s', (url, backend) => {
    expect(storeBackendOf(url)).toBe(backend);
  });

  it('opens a migrated SQLite store from sqlite: and sqlite:// URLs', async () => {
    for (const url of [`sqlite:${join(dir, 'a.db')}`, `sqlite://${join(dir, 'b.db')}`, 'sqlite::memory:']) {
      const store = await openStore(url);
      expect(store.backend).toBe('sqlite');
      expect((await store.listCollections()).map((c) => c.name)).toEqual(['default']);
      await store.close();
    }
  });

  it('leaves migrating to the caller when asked', async () => {
    const path = join(dir, 'unmigrated.db');
    const store = await openStore(`sqlite:${path}`, { migrate: false });
    await store.close();
    const db = openSqliteDatabase(path);
    expect(appliedMigrations(db)).toEqual([]);
    db.close();
  });

  it('refuses an unknown scheme without echoing a password', async () => {
    const error = await rejection(openStore('mysql://sked:secret@db.example.com/sked'));
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).not.toContain('secret');
  });
});
