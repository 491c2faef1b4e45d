/**
 * The store contract against PostgreSQL (SKED_TEST_PG_URL, default the local server): the same suite
 * SQLite passes, on a schema of this file's own, emptied before each test; peers are second stores
 * (their own pools) on the same schema, as other nodes would be.
 */

import { afterAll, afterEach, beforeAll } from 'vitest';
import { openStore } from '../../src/store/store-factory.js';
import type { Store } from '../../src/store/store.js';
import { describeStoreContract } from './store-contract.js';
import { TestSchema } from './support/postgres.js';

let schema: TestSchema | null = null;
/** Why the schema could not be made: rethrown by every test, so that each one fails (none skips). */
let unavailable: unknown = null;
/** Handles of the running test; closing is idempotent, so the suite may close them first. */
const opened: Store[] = [];

beforeAll(async () => {
  try {
    schema = await TestSchema.create();
  } catch (error) {
    unavailable = error;
  }
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
afterAll(async () => {
  await schema?.drop();
});

function current(): TestSchema {
  if (schema === null) throw unavailable ?? new Error('the test schema was not created');
  return schema;
}

async function track(store: Promise<Store>): Promise<Store> {
  const opening = await store;
  opened.push(opening);
  return opening;
}

describeStoreContract(
  'postgres',
  async () => {
    await current().reset();
    // through the factory, as `sked server --store postgres://…?schema=…` opens it (migrate included)
    return track(openStore(current().url({ pool_size: '4' })));
  },
  { openPeer: async () => track(openStore(current().url({ pool_size: '4' }))) },
);
