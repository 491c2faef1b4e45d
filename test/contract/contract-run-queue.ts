/** Contract: the durable run queue (claimQueuedRuns): order, notBefore, exclusive runs. */

import { beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.js';
import type { ContractContext } from './store-contract.js';
import { makeFinish, makeJob, makeRun, SECOND, T0 } from './support/fixtures.js';

const ids = (runs: Run[]) => runs.map((run) => run.id);

export function describeRunQueueContract(ctx: ContractContext): void {
  describe('runs', () => {
    beforeEach(async () => {
      await ctx.store.insertJob(makeJob('a'), null);
      await ctx.store.insertJob(makeJob('b'), null);
    });

    describe('claimQueuedRuns', () => {
      it('claims queued runs oldest first, up to the limit, marking them running on the node', async () => {
        await ctx.store.insertRuns([
          makeRun('third', 'a', { queuedAt: T0 + 3 }),
          makeRun('first', 'a', { queuedAt: T0 + 1 }),
          makeRun('second', 'b', { queuedAt: T0 + 2 }),
        ]);
        const claimed = await ctx.store.claimQueuedRuns('node-x', T0 + SECOND, 2);
        expect(ids(claimed)).toEqual(['first', 'second']);
        expect(claimed[0]).toMatchObject({
          status: 'running',
          nodeId: 'node-x',
          startedAt: T0 + SECOND,
          queuedAt: T0 + 1,
        });
        expect(await ctx.store.getRun('first')).toMatchObject({
          status: 'running',
          nodeId: 'node-x',
          startedAt: T0 + SECOND,
        });
        expect(ids(await ctx.store.claimQueuedRuns('node-y', T0 + SECOND, 10))).toEqual(['third']);
        expect(await ctx.store.claimQueuedRuns('node-y', T0 + SECOND, 10)).toEqual([]);
      });

      it('leaves a run queued until its notBefore', async () => {
        await ctx.store.insertRuns([
          makeRun('later', 'a', { notBefore: T0 + 10 * SECOND }),
          makeRun('now', 'b', { queuedAt: T0 + 1 }),
        ]);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + 10 * SECOND - 1, 10))).toEqual(['now']);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + 10 * SECOND, 10))).toEqual(['later']);
      });

      it('claims an exclusive run only while no other run of its job is running', async () => {
        await ctx.store.insertRuns([
          makeRun('running', 'a', { status: 'running', nodeId: 'n', startedAt: T0, exclusive: true }),
          makeRun('waiting', 'a', { queuedAt: T0 + 1, exclusive: true }),
          makeRun('other-job', 'b', { queuedAt: T0 + 2, exclusive: true }),
        ]);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + SECOND, 10))).toEqual(['other-job']);
        expect(await ctx.store.claimQueuedRuns('n', T0 + SECOND, 10)).toEqual([]);
        await ctx.store.finishRuns([makeFinish('running', 'a')]);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + 2 * SECOND, 10))).toEqual(['waiting']);
      });

      it('claims at most one exclusive run per job per call, oldest first', async () => {
        await ctx.store.insertRuns([
          makeRun('a2', 'a', { queuedAt: T0 + 2, exclusive: true }),
          makeRun('a1', 'a', { queuedAt: T0 + 1, exclusive: true }),
          makeRun('b1', 'b', { queuedAt: T0 + 3, exclusive: true }),
        ]);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + SECOND, 10))).toEqual(['a1', 'b1']);
        // a1 is running now: a2 waits for it
        expect(await ctx.store.claimQueuedRuns('n', T0 + SECOND, 10)).toEqual([]);
        await ctx.store.finishRuns([makeFinish('a1', 'a')]);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + SECOND, 10))).toEqual(['a2']);
      });

      it('does not let an exclusive run start beside a run of its job started in the same call', async () => {
        await ctx.store.insertRuns([
          makeRun('free', 'a', { queuedAt: T0 + 1, exclusive: false }),
          makeRun('exclusive', 'a', { queuedAt: T0 + 2, exclusive: true }),
        ]);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + SECOND, 10))).toEqual(['free']);
      });

      it('claims non-exclusive runs regardless of running runs of their job', async () => {
        await ctx.store.insertRuns([
          makeRun('running', 'a', { status: 'running', nodeId: 'n', startedAt: T0 }),
          makeRun('q1', 'a', { queuedAt: T0 + 1 }),
          makeRun('q2', 'a', { queuedAt: T0 + 2 }),
        ]);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + SECOND, 10))).toEqual(['q1', 'q2']);
      });

      it('walks past blocked exclusive runs to fill the limit', async () => {
        const runs = [
          makeRun('running', 'a', { status: 'running', nodeId: 'n', startedAt: T0, exclusive: true }),
        ];
        for (let i = 0; i < 600; i++)
          runs.push(
            makeRun(`blocked-${String(i).padStart(3, '0')}`, 'a', { queuedAt: T0 + i, exclusive: true }),
          );
        runs.push(makeRun('free', 'b', { queuedAt: T0 + 1000, exclusive: true }));
        await ctx.store.insertRuns(runs);
        expect(ids(await ctx.store.claimQueuedRuns('n', T0 + 10 * SECOND, 5))).toEqual(['free']);
      });
    });
  });
}
