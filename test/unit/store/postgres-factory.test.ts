/** openStore on postgres:// and postgresql:// URLs opens the PostgreSQL store. */

import { afterEach, describe, expect, it } from 'vitest';
import { SkedError } from '../../../src/domain/errors.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { openStore } from '../../../src/store/store-factory.js';
import { dropSchema, storeUrl, testSchemaName } from '../../contract/support/postgres.js';

async function rejection(promise: Promise<unknown>): Promise<SkedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SkedError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('openStore with a PostgreSQL URL', () => {
  const schemas: string[] = [];
  afterEach(async () => {
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  it('opens a migrated store on the URL’s schema, for postgres:// and postgresql://', async () => {
    for (const scheme of ['postgres:', 'postgresql:']) {
      const schema = testSchemaName();
      schemas.push(schema);
      const url = new URL(storeUrl(schema));
      url.protocol = scheme;
      const store = await openStore(url.toString());
      try {
        expect(store).toBeInstanceOf(PostgresStore);
        expect(store.backend).toBe('postgres');
        expect(store.capabilities).toEqual({ multiNode: true, notifications: true });
        expect((store as unknown as PostgresStore).schema).toBe(schema);
        expect((await store.listCollections()).map((c) => c.name)).toEqual(['default']);
      } finally {
        await store.close();
      }
    }
  });

  it('leaves migrating to the caller when asked', async () => {
    const schema = testSchemaName();
    schemas.push(schema);
    const store = await openStore(storeUrl(schema), { migrate: false });
    try {
      await expect(store.listCollections()).rejects.toThrow(SkedError);
    } finally {
      await store.close();
    }
  });

  it('fails with UNAVAILABLE, without echoing the password, when the server cannot be reached', async () => {
    const error = await rejection(openStore('postgres://sked:secret@127.0.0.1:1/sked'));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(
      /cannot open the PostgreSQL store at postgres:\/\/sked:\*\*\*@127.0.0.1:1\/sked \(schema sked\): .*ECONNREFUSED/,
    );
    expect(error.message).not.toContain('secret');
  });

  it('refuses a schema name it cannot use, before connecting', async () => {
    const error = await rejection(openStore('postgres://sked:secret@db.invalid/sked?schema=Bad-Name'));
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toMatch(/schema 'Bad-Name'/);
  });
});
