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

    it('heartbeat says whether the node row was there (a node whose row vanished was declared dead)', async () => {
      const node = { id: 'n1', host: 'h', pid: 1, startedAt: T0, heartbeatAt: T0, clockSkewMs: 0, state: 'active' as const, version: 't' };
      expect(await ctx.store.heartbeat(node)).toBe(false);
      expect(await ctx.store.heartbeat({ ...node, heartbeatAt: T0 + 1000 })).toBe(true);
      await ctx.store.removeNode('n1');
      expect(await ctx.store.heartbeat({ ...node, heartbeatAt: T0 + 2000 })).toBe(false);
      expect((await ctx.store.listNodes()).map((n) => n.heartbeatAt)).toEqual([T0 + 2000]);
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

export function describeRewindContract(ctx: ContractContext): void {
  describe('rewindPendingFires', () => {
    it('gives back old pending fires of the given nodes: rows deleted, trigger moved back to the earliest', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.insertJob(makeJob('b'), T0);
      await ctx.store.claimDueTriggers('dead', T0, T0 + 5000, 10, T0 + 30_000);
      await ctx.store.commitAcquisitions('dead', [
        { jobId: 'a', version: 1, fires: [T0, T0 + 1000, T0 + 4000], nextFireAt: T0 + 5000, completed: false },
        { jobId: 'b', version: 1, fires: [T0 + 2000], nextFireAt: T0 + 3000, completed: false },
      ]);
      // only fires before T0 + 3000 are given back
      expect(await ctx.store.rewindPendingFires(['dead'], T0 + 3000)).toBe(3);
      expect(await ctx.store.nextFireAt('a')).toBe(T0);
      expect(await ctx.store.nextFireAt('b')).toBe(T0 + 2000);
      expect((await ctx.store.listPendingFires(10)).map((f) => [f.jobId, f.scheduledFor])).toEqual([['a', T0 + 4000]]);
      // the triggers are free to claim again
      expect((await ctx.store.claimDueTriggers('node-b', T0 + 9000, T0 + 9000, 10, T0 + 40_000)).map((c) => c.jobId).sort()).toEqual(['a', 'b']);
    });

    it('with no bound gives back every pending fire of the node, and leaves other nodes alone', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.insertJob(makeJob('b'), T0);
      // oldest first, ties by id: n1 claims a, n2 claims b
      expect((await ctx.store.claimDueTriggers('n1', T0, T0, 1, T0 + 30_000)).map((c) => c.jobId)).toEqual(['a']);
      expect((await ctx.store.claimDueTriggers('n2', T0, T0, 1, T0 + 30_000)).map((c) => c.jobId)).toEqual(['b']);
      await ctx.store.commitAcquisitions('n1', [{ jobId: 'a', version: 1, fires: [T0, T0 + 500], nextFireAt: T0 + 1000, completed: false }]);
      await ctx.store.commitAcquisitions('n2', [{ jobId: 'b', version: 1, fires: [T0], nextFireAt: T0 + 1000, completed: false }]);
      expect(await ctx.store.rewindPendingFires(['n1'], null)).toBe(2);
      expect((await ctx.store.listPendingFires(10)).map((f) => [f.jobId, f.nodeId])).toEqual([['b', 'n2']]);
      expect(await ctx.store.nextFireAt('a')).toBe(T0);
      expect(await ctx.store.nextFireAt('b')).toBe(T0 + 1000);
    });
  });
}
