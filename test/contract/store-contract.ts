/**
 * The store contract: one suite every backend of the Store port must pass. A backend's test file only
 * calls `describeStoreContract('<backend>', open)`; `open` returns a fresh, migrated, empty store for
 * each test. With `openPeer` (a second handle on the same database, as another process would have),
 * the suite also proves that concurrent handles never claim the same trigger or write a fire twice.
 */

import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { describeAccessContract } from './contract-access.js';
import { describeAdminContract } from './contract-admin.js';
import { describeConcurrencyContract } from './contract-concurrency.js';
import { describeCoordinationContract, describeRewindContract } from './contract-coordination.js';
import { describeFireContract } from './contract-fires.js';
import { describeJobContract } from './contract-jobs.js';
import { describeJobListContract } from './contract-job-list.js';
import { describeRunHistoryContract } from './contract-run-history.js';
import { describeRunQueueContract } from './contract-run-queue.js';
import { describeRunContract } from './contract-runs.js';
import { describeTriggerContract } from './contract-triggers.js';

export interface StoreContractOptions {
  /**
   * Opens a second handle on the database of `store` (its own connection or pool). Leave it out when
   * the backend cannot share one (an in-memory SQLite database): the tests that need it say so.
   */
  openPeer?: (store: Store) => Promise<Store>;
}

/** What each part of the suite sees: the current test's store, and peers on its database. */
export interface ContractContext {
  /** The fresh store of the running test. */
  readonly store: Store;
  /** Whether openPeer works for this backend. */
  readonly canOpenPeer: boolean;
  /** A second handle on the running test's database, closed after the test. */
  openPeer(): Promise<Store>;
}

export function describeStoreContract(
  name: string,
  open: () => Promise<Store>,
  options: StoreContractOptions = {},
): void {
  describe(`store contract: ${name}`, () => {
    let current: Store | null = null;
    const peers: Store[] = [];

    const ctx: ContractContext = {
      get store(): Store {
        if (current === null) throw new Error('the store is opened by beforeEach');
        return current;
      },
      canOpenPeer: options.openPeer !== undefined,
      async openPeer(): Promise<Store> {
        if (options.openPeer === undefined) throw new Error(`backend '${name}' cannot open a second handle`);
        const peer = await options.openPeer(ctx.store);
        peers.push(peer);
        return peer;
      },
    };

    beforeEach(async () => {
      current = await open();
    });
    afterEach(async () => {
      for (const peer of peers.splice(0)) await peer.close();
      await current?.close();
      current = null;
    });

    describeJobContract(ctx);
    describeJobListContract(ctx);
    describeTriggerContract(ctx);
    describeFireContract(ctx);
    describeRunContract(ctx);
    describeRunQueueContract(ctx);
    describeRunHistoryContract(ctx);
    describeAdminContract(ctx);
    describeConcurrencyContract(ctx);
    describeCoordinationContract(ctx);
    describeRewindContract(ctx);
    describeAccessContract(ctx);
  });
}
