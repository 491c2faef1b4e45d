/**
 * Contract: nothing fires twice. Two handles on one database (two processes, or two nodes) claiming,
 * committing and resolving at the same time never share a trigger or write a fire key twice; and a
 * model-based property test drives random interleavings of acquisition and resolution.
 */

import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { ContractContext } from './store-contract.js';
import { describeLedgerModel } from './contract-ledger-model.js';
import { makeAcquisition, makeJob, makeRun, runResolution, SECOND, T0 } from './support/fixtures.js';

const LEASE = 30 * SECOND;

export function describeConcurrencyContract(ctx: ContractContext): void {
  const needsPeer = ctx.canOpenPeer
    ? ''
    : ' [SKIPPED: this backend cannot open a second handle on one database (in-memory); the file-backed run covers it]';

  describe('concurrency', () => {
    it.skipIf(!ctx.canOpenPeer)(
      `two handles claiming at once never claim the same trigger${needsPeer}`,
      async () => {
        const jobs = 300;
        for (let i = 0; i < jobs; i++) await ctx.store.insertJob(makeJob(`job-${i}`), T0 + i);
        const peer = await ctx.openPeer();
        const claimAll = async (store: Store, node: string): Promise<string[]> => {
          const mine: string[] = [];
          // bounded, so that a store that claims leased triggers again fails instead of looping
          for (let round = 0; round < jobs; round++) {
            const claimed = await store.claimDueTriggers(node, T0, T0 + jobs, 7, T0 + LEASE);
            if (claimed.length === 0) return mine;
            mine.push(...claimed.map((c) => c.jobId));
          }
          throw new Error(`${node} kept claiming: leased triggers were claimed again`);
        };
        const [a, b] = await Promise.all([claimAll(ctx.store, 'node-a'), claimAll(peer, 'node-b')]);
        const all = [...a, ...b];
        expect(new Set(all).size).toBe(all.length);
        expect(all.length).toBe(jobs);
      },
    );

    it.skipIf(!ctx.canOpenPeer)(
      `two handles committing and resolving the same fires write each once${needsPeer}`,
      async () => {
        await ctx.store.insertJob(makeJob('a'), T0);
        const peer = await ctx.openPeer();
        const fires = Array.from({ length: 50 }, (_, i) => T0 + i * SECOND);
        // node-a's lease expires, node-b takes the trigger: both believe they may fire the same instants
        await ctx.store.claimDueTriggers('node-a', T0, T0, 1, T0 + LEASE);
        await peer.claimDueTriggers('node-b', T0 + LEASE + 1, T0 + LEASE + 1, 1, T0 + 2 * LEASE);
        const acquisition = makeAcquisition('a', 1, fires, T0 + 50 * SECOND);
        const [byA, byB] = await Promise.all([
          ctx.store.commitAcquisitions('node-a', [acquisition]),
          peer.commitAcquisitions('node-b', [acquisition]),
        ]);
        expect(byA.length + byB.length).toBe(50);
        expect(byB).toHaveLength(50);

        const [resolvedA, resolvedB] = await Promise.all([
          ctx.store.resolveFires(
            'node-a',
            fires.map((at, i) => runResolution('a', at, `a-${i}`, 'node-a')),
          ),
          peer.resolveFires(
            'node-b',
            fires.map((at, i) => runResolution('a', at, `b-${i}`, 'node-b')),
          ),
        ]);
        expect(resolvedA.length + resolvedB.length).toBe(50);
        const ledger = await ctx.store.listFires('a', { limit: 100, offset: 0 });
        expect(ledger.total).toBe(50);
        expect(ledger.items.every((fire) => fire.outcome === 'run')).toBe(true);
        expect((await ctx.store.listRuns({ limit: 1, offset: 0, jobId: 'a' })).total).toBe(50);
      },
    );

    it.skipIf(!ctx.canOpenPeer)(
      `two handles inserting a run if idle for one job at once: exactly one inserts${needsPeer}`,
      async () => {
        const jobs = 20;
        for (let i = 0; i < jobs; i++) await ctx.store.insertJob(makeJob(`job-${i}`), null);
        const peer = await ctx.openPeer();
        // every job raced by both handles, several calls each, all at once
        const calls = Array.from({ length: jobs }, (_, i) =>
          [ctx.store, peer, ctx.store, peer].map((store, k) => store.insertRunIfIdle(makeRun(`run-${i}-${k}`, `job-${i}`))),
        ).flat();
        const results = await Promise.all(calls);
        expect(results.filter(Boolean)).toHaveLength(jobs);
        const active = await ctx.store.activeRuns();
        expect(active).toHaveLength(jobs);
        expect(new Set(active.map((run) => run.jobId)).size).toBe(jobs);
      },
    );

    describeLedgerModel(ctx);
  });
}
