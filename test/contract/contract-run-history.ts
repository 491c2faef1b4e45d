/** Contract: the run history: listing with filters and totals, pruning. */

import { beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.js';
import type { ContractContext } from './store-contract.js';
import { makeFinish, makeJob, makeRun, makeStep, SECOND, T0 } from './support/fixtures.js';

const ids = (runs: Run[]) => runs.map((run) => run.id);

export function describeRunHistoryContract(ctx: ContractContext): void {
  describe('runs', () => {
    beforeEach(async () => {
      await ctx.store.insertJob(makeJob('a'), null);
      await ctx.store.insertJob(makeJob('b'), null);
    });

    describe('listRuns', () => {
      beforeEach(async () => {
        await ctx.store.insertRuns([
          makeRun('s1', 'a', { scheduledFor: T0 + 1 * SECOND, queuedAt: T0 + 1 * SECOND }),
          makeRun('s2', 'a', {
            scheduledFor: T0 + 2 * SECOND,
            queuedAt: T0 + 2 * SECOND,
            status: 'running',
            nodeId: 'n',
            startedAt: T0,
          }),
          makeRun('m3', 'a', { trigger: 'manual', scheduledFor: null, queuedAt: T0 + 3 * SECOND }),
          makeRun('s4', 'b', { scheduledFor: T0 + 4 * SECOND, queuedAt: T0 + 4 * SECOND + 500 }),
          makeRun('m5', 'b', {
            trigger: 'manual',
            scheduledFor: null,
            queuedAt: T0 + 5 * SECOND,
            status: 'running',
            nodeId: 'n',
            startedAt: T0,
          }),
        ]);
        await ctx.store.finishRuns([
          makeFinish('s2', 'a', { status: 'failed', failed: true, steps: [makeStep(0)] }),
        ]);
      });

      it('lists runs newest first (by scheduledFor, or queuedAt without one) with the total', async () => {
        const page = await ctx.store.listRuns({ limit: 2, offset: 0 });
        expect(page.total).toBe(5);
        expect(ids(page.items)).toEqual(['m5', 's4']);
        expect(ids((await ctx.store.listRuns({ limit: 10, offset: 2 })).items)).toEqual(['m3', 's2', 's1']);
        const withSteps = (await ctx.store.listRuns({ limit: 10, offset: 0, jobId: 'a' })).items.find(
          (r) => r.id === 's2',
        );
        expect(withSteps?.steps).toEqual([makeStep(0)]);
      });

      it('filters by job, by statuses, and by a half-open range [from, to)', async () => {
        expect(ids((await ctx.store.listRuns({ limit: 10, offset: 0, jobId: 'a' })).items)).toEqual([
          'm3',
          's2',
          's1',
        ]);
        expect(
          ids((await ctx.store.listRuns({ limit: 10, offset: 0, status: ['running', 'queued'] })).items),
        ).toEqual(['m5', 's4', 'm3', 's1']);
        expect(ids((await ctx.store.listRuns({ limit: 10, offset: 0, status: ['failed'] })).items)).toEqual([
          's2',
        ]);
        const range = await ctx.store.listRuns({
          limit: 10,
          offset: 0,
          from: T0 + 2 * SECOND,
          to: T0 + 4 * SECOND,
        });
        expect(ids(range.items)).toEqual(['m3', 's2']);
        expect(range.total).toBe(2);
        const combined = await ctx.store.listRuns({
          limit: 1,
          offset: 0,
          jobId: 'b',
          status: ['queued'],
          from: T0,
        });
        expect(combined).toMatchObject({ total: 1 });
        expect(ids(combined.items)).toEqual(['s4']);
      });
    });

    it('pruneRuns deletes the oldest finished runs of a job beyond keep, never active ones', async () => {
      const runs = [0, 1, 2, 3, 4].map((i) =>
        makeRun(`r${i}`, 'a', {
          scheduledFor: T0 + i * SECOND,
          queuedAt: T0 + i * SECOND,
          status: 'running',
          nodeId: 'n',
          startedAt: T0,
        }),
      );
      await ctx.store.insertRuns([
        ...runs,
        makeRun('queued-old', 'a', { scheduledFor: T0 - SECOND }),
        makeRun('b-old', 'b', { scheduledFor: T0 - SECOND }),
      ]);
      await ctx.store.finishRuns(runs.map((run) => makeFinish(run.id, 'a', { steps: [makeStep(0)] })));
      await ctx.store.finishRuns([makeFinish('b-old', 'b')]);
      expect(await ctx.store.pruneRuns('a', 2)).toBe(3);
      expect(ids((await ctx.store.listRuns({ limit: 10, offset: 0, jobId: 'a' })).items)).toEqual([
        'r4',
        'r3',
        'queued-old',
      ]);
      expect(await ctx.store.getRun('b-old')).not.toBeNull();
      expect(await ctx.store.pruneRuns('a', 2)).toBe(0);
      // the counters describe the job's whole history, not what is kept
      expect((await ctx.store.getJob('a'))?.status.runCount).toBe(5);
    });
  });
}
