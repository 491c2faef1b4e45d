/** Contract: what nodes ask of each other through the store (cross-node cancellation, wake-ups). */

import { beforeEach, describe, expect, it } from 'vitest';
import type { ContractContext } from './store-contract.js';
import { makeJob, makeRun, T0 } from './support/fixtures.js';

export function describeCoordinationContract(ctx: ContractContext): void {
  describe('coordination', () => {
    beforeEach(async () => {
      await ctx.store.insertJob(makeJob('a'), null);
    });

    it('a cancel request reaches the node running the run, and only a running run can be asked', async () => {
      await ctx.store.insertRuns([
        makeRun('r1', 'a', { status: 'running', nodeId: 'node-a', startedAt: T0 }),
        makeRun('r2', 'a', { status: 'running', nodeId: 'node-b', startedAt: T0 }),
        makeRun('r3', 'a'),
      ]);
      expect(await ctx.store.requestCancel('r1', T0 + 5)).toBe(true);
      expect(await ctx.store.requestCancel('r3', T0 + 5)).toBe(false);
      expect(await ctx.store.requestCancel('missing', T0 + 5)).toBe(false);
      expect(await ctx.store.cancelRequests('node-a')).toEqual(['r1']);
      expect(await ctx.store.cancelRequests('node-b')).toEqual([]);
      // asking twice is harmless
      expect(await ctx.store.requestCancel('r1', T0 + 9)).toBe(true);
      expect(await ctx.store.cancelRequests('node-a')).toEqual(['r1']);
    });

    it('a finished run is no longer a cancel request', async () => {
      await ctx.store.insertRuns([makeRun('r1', 'a', { status: 'running', nodeId: 'node-a', startedAt: T0 })]);
      await ctx.store.requestCancel('r1', T0 + 1);
      await ctx.store.finishRuns([{ id: 'r1', jobId: 'a', status: 'cancelled', startedAt: T0, finishedAt: T0 + 2, error: 'cancelled', steps: [], failed: false }]);
      expect(await ctx.store.cancelRequests('node-a')).toEqual([]);
    });

    it('listen returns an unsubscribe function and notify never fails', async () => {
      const seen: string[] = [];
      const stop = await ctx.store.listen((topic) => seen.push(topic));
      await ctx.store.notify('triggers');
      await stop();
      if (!ctx.store.capabilities.notifications) expect(seen).toEqual([]);
    });
  });
}
