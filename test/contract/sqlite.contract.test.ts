/**
 * The store contract against SQLite: on a fresh file per test (in a folder that does not exist yet, and
 * removed after the test), on `:memory:`, and with the connection on a worker thread (as the server
 * runs it: every call a message, calls queued together committed as one group).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openStore } from '../../src/store/store-factory.js';
import type { Store } from '../../src/store/store.js';
import { describeStoreContract } from './store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'sked-contract-'));
let tests = 0;
/** Handles and folders of the running test; closing is idempotent, so the suite may close them first. */
const opened: Store[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function track(store: Promise<Store>): Promise<Store> {
  const opening = await store;
  opened.push(opening);
  return opening;
}

describeStoreContract(
  'sqlite file',
  async () => {
    const folder = join(root, `test-${tests++}`);
    folders.push(folder);
    return track(openStore(`sqlite:${join(folder, 'data', 'sked.db')}`));
  },
  {
    openPeer: async (store: Store) => {
      if (!(store instanceof SqliteStore)) throw new Error('expected a SqliteStore');
      return track(openStore(`sqlite:${store.path}`));
    },
  },
);

describeStoreContract('sqlite :memory:', () => track(openStore('sqlite::memory:')));

describeStoreContract(
  'sqlite worker thread',
  async () => {
    const folder = join(root, `test-${tests++}`);
    folders.push(folder);
    return track(openStore(`sqlite:${join(folder, 'data', 'sked.db')}`, { sqliteWorker: true }));
  },
  {
    openPeer: async (store: Store) => {
      const path = (store as Store & { path?: string }).path;
      if (path === undefined) throw new Error('expected a store with a path');
      return track(openStore(`sqlite:${path}`, { sqliteWorker: true }));
    },
  },
);
