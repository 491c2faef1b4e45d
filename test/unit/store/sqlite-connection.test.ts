/** Store URLs and the pragmas a SQLite store database is opened with. */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SkedError } from '../../../src/domain/errors.js';
import {
  BUSY_TIMEOUT_MS,
  openSqliteDatabase,
  parseSqliteUrl,
} from '../../../src/store/sqlite/sqlite-connection.js';

describe('parseSqliteUrl', () => {
  it.each([
    ['sqlite:./sked-data/sked.db', './sked-data/sked.db'],
    ['sqlite:sked.db', 'sked.db'],
    ['sqlite:/var/lib/sked/sked.db', '/var/lib/sked/sked.db'],
    ['sqlite:///var/lib/sked/sked.db', '/var/lib/sked/sked.db'],
    ['sqlite://relative/sked.db', 'relative/sked.db'],
    ['sqlite::memory:', ':memory:'],
    ['sqlite://:memory:', ':memory:'],
    ['SQLITE:x.db', 'x.db'],
  ])('%s → %s', (url, path) => {
    expect(parseSqliteUrl(url)).toBe(path);
  });

  it.each(['sqlite:', 'sqlite://', 'postgres://localhost/x', 'x.db'])('refuses %s', (url) => {
    expect(() => parseSqliteUrl(url)).toThrow(SkedError);
  });
});

describe('openSqliteDatabase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sked-connection-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates missing folders and opens with WAL, synchronous=NORMAL, foreign keys and a busy timeout', () => {
    const path = join(dir, 'a', 'b', 'sked.db');
    const db = openSqliteDatabase(path);
    expect(existsSync(path)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(db.pragma('cache_size', { simple: true })).toBeLessThan(0);
    db.close();
  });

  it('opens an in-memory database without touching the disk', () => {
    const db = openSqliteDatabase(':memory:');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.memory).toBe(true);
    db.close();
  });
});
