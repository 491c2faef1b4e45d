/** Contract: resolving pending fires, writing direct fires, pending fires per node, the ledger listing. */

import { beforeEach, describe, expect, it } from 'vitest';
import type { ContractContext } from './store-contract.js';
import { makeAcquisition, makeJob, makeRun, runResolution, SECOND, T0 } from './support/fixtures.js';

const LEASE = 30 * SECOND;

export function describeFireContract(ctx: ContractContext): void {
  /** Job `a` with pending fires T0, T0+1s, T0+2s held by node-a. */
  async function acquireThree(): Promise<void> {
    await ctx.store.insertJob(makeJob('a'), T0);
    await ctx.store.claimDueTriggers('node-a', T0, T0 + 2 * SECOND, 10, T0 + LEASE);
    await ctx.store.commitAcquisitions('node-a', [
      makeAcquisition('a', 1, [T0, T0 + SECOND, T0 + 2 * SECOND], T0 + 3 * SECOND),
    ]);
  }

  describe('resolveFires', () => {
    beforeEach(acquireThree);

    it('sets the outcome, fired-at, run id and node of a pending fire and inserts its run', async () => {
      const resolution = runResolution('a', T0, 'run-1', 'node-b');
      expect(await ctx.store.resolveFires('node-b', [resolution])).toEqual([resolution]);
      const [fire] = (await ctx.store.listFires('a', { limit: 1, offset: 0, outcome: 'run' })).items;
      expect(fire).toEqual({
        jobId: 'a',
        scheduledFor: T0,
        firedAt: T0 + 3,
        outcome: 'run',
        runId: 'run-1',
        nodeId: 'node-b',
      });
      const run = await ctx.store.getRun('run-1');
      expect(run).toMatchObject({
        id: 'run-1',
        jobId: 'a',
        status: 'running',
        scheduledFor: T0,
        nodeId: 'node-b',
        steps: [],
      });
      expect((await ctx.store.getJob('a'))?.status.lastFireTime).toBe(T0);
    });

    it('applies to still-pending rows only: a fire is resolved once', async () => {
      expect(await ctx.store.resolveFires('node-a', [runResolution('a', T0, 'first')])).toHaveLength(1);
      const again = await ctx.store.resolveFires('node-b', [
        runResolution('a', T0, 'second', 'node-b'),
        runResolution('a', T0 + SECOND, 'third', 'node-b'),
      ]);
      expect(again.map((r) => r.run?.id)).toEqual(['third']);
      expect(await ctx.store.getRun('second')).toBeNull();
      const [fire] = (await ctx.store.listFires('a', { limit: 1, offset: 0, from: T0, to: T0 + 1 })).items;
      expect(fire?.runId).toBe('first');
    });

    it('skips a resolution whose fire is not in the ledger, or was deleted by a job change', async () => {
      await ctx.store.updateJob(makeJob('a', { version: 2 }), 1, { nextFireAt: T0 + 10 * SECOND });
      const applied = await ctx.store.resolveFires('node-a', [
        runResolution('a', T0, 'after-reset'),
        runResolution('a', T0 + 500, 'never-acquired'),
        runResolution('ghost', T0, 'ghost-run'),
      ]);
      expect(applied).toEqual([]);
      expect(await ctx.store.getRun('after-reset')).toBeNull();
      expect((await ctx.store.listRuns({ limit: 10, offset: 0 })).total).toBe(0);
    });

    it('records a skipped fire without a run, and leaves lastFireTime to fires that ran', async () => {
      const skipped = {
        jobId: 'a',
        scheduledFor: T0 + SECOND,
        outcome: 'skipped' as const,
        firedAt: T0 + SECOND,
        run: null,
      };
      expect(await ctx.store.resolveFires('node-a', [skipped])).toEqual([skipped]);
      const [fire] = (await ctx.store.listFires('a', { limit: 10, offset: 0, outcome: 'skipped' })).items;
      expect(fire).toEqual({
        jobId: 'a',
        scheduledFor: T0 + SECOND,
        firedAt: T0 + SECOND,
        outcome: 'skipped',
        runId: null,
        nodeId: 'node-a',
      });
      expect((await ctx.store.getJob('a'))?.status.lastFireTime).toBeNull();
      await ctx.store.resolveFires('node-a', [
        runResolution('a', T0 + 2 * SECOND, 'r2'),
        runResolution('a', T0, 'r0'),
      ]);
      expect((await ctx.store.getJob('a'))?.status.lastFireTime).toBe(T0 + 2 * SECOND);
    });

    it('takes the run it inserts off the pending list', async () => {
      await ctx.store.resolveFires('node-a', [runResolution('a', T0, 'r0')]);
      expect((await ctx.store.pendingFires(['node-a'])).map((f) => f.scheduledFor)).toEqual([
        T0 + SECOND,
        T0 + 2 * SECOND,
      ]);
    });
  });

  describe('insertFires', () => {
    it('writes fires with their outcome and runs, skipping keys that exist', async () => {
      await acquireThree();
      const missed = {
        jobId: 'a',
        scheduledFor: T0 - 2 * SECOND,
        outcome: 'missed' as const,
        firedAt: T0,
        run: null,
      };
      const caughtUp = {
        jobId: 'a',
        scheduledFor: T0 - SECOND,
        outcome: 'run' as const,
        firedAt: T0,
        run: makeRun('catch-up', 'a', { trigger: 'catchUp', scheduledFor: T0 - SECOND, queuedAt: T0 }),
      };
      const clash = {
        jobId: 'a',
        scheduledFor: T0,
        outcome: 'run' as const,
        firedAt: T0,
        run: makeRun('clash', 'a'),
      };
      expect(await ctx.store.insertFires([missed, caughtUp, clash])).toEqual([missed, caughtUp]);
      expect(await ctx.store.insertFires([missed])).toEqual([]);
      expect(await ctx.store.getRun('clash')).toBeNull();
      expect((await ctx.store.getRun('catch-up'))?.trigger).toBe('catchUp');
      const ledger = await ctx.store.listFires('a', { limit: 10, offset: 0 });
      expect(ledger.items.map((f) => [f.scheduledFor - T0, f.outcome, f.runId])).toEqual([
        [2 * SECOND, 'pending', null],
        [SECOND, 'pending', null],
        [0, 'pending', null],
        [-SECOND, 'run', 'catch-up'],
        [-2 * SECOND, 'missed', null],
      ]);
      expect((await ctx.store.getJob('a'))?.status.lastFireTime).toBe(T0 - SECOND);
    });

    it('skips fires of a job that does not exist', async () => {
      const orphan = { jobId: 'ghost', scheduledFor: T0, outcome: 'missed' as const, firedAt: T0, run: null };
      expect(await ctx.store.insertFires([orphan])).toEqual([]);
    });
  });

  describe('pruneFires', () => {
    it('keeps the newest resolved fires of the job, and every pending one, and no other job’s', async () => {
      await acquireThree();
      await ctx.store.insertJob(makeJob('b'), T0);
      const missed = (jobId: string, i: number) => ({ jobId, scheduledFor: T0 - (i + 1) * SECOND, outcome: 'missed' as const, firedAt: T0, run: null });
      await ctx.store.insertFires(Array.from({ length: 6 }, (_, i) => missed('a', i)));
      await ctx.store.insertFires(Array.from({ length: 3 }, (_, i) => missed('b', i)));
      expect(await ctx.store.pruneFires('a', 4)).toBe(2);
      const ledger = await ctx.store.listFires('a', { limit: 20, offset: 0 });
      expect(ledger.items.map((f) => [(f.scheduledFor - T0) / SECOND, f.outcome])).toEqual([
        [2, 'pending'], [1, 'pending'], [0, 'pending'],
        [-1, 'missed'], [-2, 'missed'], [-3, 'missed'], [-4, 'missed'],
      ]);
      expect((await ctx.store.listFires('b', { limit: 20, offset: 0 })).total).toBe(3);
      expect(await ctx.store.pruneFires('a', 4)).toBe(0);
      expect(await ctx.store.pruneFires('a', 1)).toBe(3);
      expect((await ctx.store.listFires('a', { limit: 20, offset: 0, outcome: 'missed' })).items.map((f) => f.scheduledFor)).toEqual([T0 - SECOND]);
    });
  });

  describe('pending fires per node', () => {
    beforeEach(async () => {
      await ctx.store.insertJob(makeJob('a'), T0 + SECOND);
      await ctx.store.insertJob(makeJob('b'), T0);
      await ctx.store.claimDueTriggers('node-a', T0, T0 + SECOND, 1, T0 + LEASE);
      await ctx.store.claimDueTriggers('node-b', T0, T0 + SECOND, 1, T0 + LEASE);
      await ctx.store.commitAcquisitions('node-a', [
        makeAcquisition('b', 1, [T0, T0 + 2 * SECOND], T0 + 3 * SECOND),
      ]);
      await ctx.store.commitAcquisitions('node-b', [makeAcquisition('a', 1, [T0 + SECOND], T0 + 4 * SECOND)]);
    });

    it('pendingFires lists the pending fires of the nodes given, oldest first', async () => {
      expect(await ctx.store.pendingFires(['node-a'])).toEqual([
        { jobId: 'b', scheduledFor: T0, nodeId: 'node-a' },
        { jobId: 'b', scheduledFor: T0 + 2 * SECOND, nodeId: 'node-a' },
      ]);
      expect((await ctx.store.pendingFires(['node-b', 'node-a'])).map((f) => f.scheduledFor - T0)).toEqual([
        0,
        SECOND,
        2 * SECOND,
      ]);
      expect(await ctx.store.pendingFires([])).toEqual([]);
      await ctx.store.resolveFires('node-a', [runResolution('b', T0, 'r')]);
      expect(await ctx.store.pendingFires(['node-a'])).toEqual([
        { jobId: 'b', scheduledFor: T0 + 2 * SECOND, nodeId: 'node-a' },
      ]);
    });

    it('takeOverPendingFires moves the pending fires of dead nodes to another node', async () => {
      await ctx.store.resolveFires('node-a', [runResolution('b', T0, 'r')]);
      const moved = await ctx.store.takeOverPendingFires(['node-a', 'node-b'], 'node-c');
      expect(moved).toEqual([
        { jobId: 'a', scheduledFor: T0 + SECOND, nodeId: 'node-c' },
        { jobId: 'b', scheduledFor: T0 + 2 * SECOND, nodeId: 'node-c' },
      ]);
      expect(await ctx.store.pendingFires(['node-a', 'node-b'])).toEqual([]);
      expect(await ctx.store.pendingFires(['node-c'])).toEqual(moved);
      // the resolved fire keeps the node that fired it
      const [fire] = (await ctx.store.listFires('b', { limit: 1, offset: 0, outcome: 'run' })).items;
      expect(fire?.nodeId).toBe('node-a');
      expect(await ctx.store.takeOverPendingFires(['node-a'], 'node-c')).toEqual([]);
    });

    it('listPendingFires lists every node’s pending fires, oldest first, limited', async () => {
      expect(await ctx.store.listPendingFires(2)).toEqual([
        { jobId: 'b', scheduledFor: T0, nodeId: 'node-a' },
        { jobId: 'a', scheduledFor: T0 + SECOND, nodeId: 'node-b' },
      ]);
      expect(await ctx.store.listPendingFires(10)).toHaveLength(3);
    });
  });

  describe('listFires', () => {
    beforeEach(async () => {
      await ctx.store.insertJob(makeJob('a'), null);
      await ctx.store.insertJob(makeJob('b'), null);
      const fires = [0, 1, 2, 3, 4].map((i) => ({
        jobId: 'a',
        scheduledFor: T0 + i * SECOND,
        outcome: i % 2 === 0 ? ('missed' as const) : ('run' as const),
        firedAt: T0 + i * SECOND + 1,
        run: i % 2 === 0 ? null : makeRun(`r${i}`, 'a', { scheduledFor: T0 + i * SECOND }),
      }));
      await ctx.store.insertFires([
        ...fires,
        { jobId: 'b', scheduledFor: T0, outcome: 'missed', firedAt: T0, run: null },
      ]);
    });

    it('lists one job’s fires newest first with the total', async () => {
      const page = await ctx.store.listFires('a', { limit: 2, offset: 0 });
      expect(page.total).toBe(5);
      expect(page.items).toEqual([
        {
          jobId: 'a',
          scheduledFor: T0 + 4 * SECOND,
          firedAt: T0 + 4 * SECOND + 1,
          outcome: 'missed',
          runId: null,
          nodeId: null,
        },
        {
          jobId: 'a',
          scheduledFor: T0 + 3 * SECOND,
          firedAt: T0 + 3 * SECOND + 1,
          outcome: 'run',
          runId: 'r3',
          nodeId: null,
        },
      ]);
      const rest = await ctx.store.listFires('a', { limit: 10, offset: 2 });
      expect(rest.items.map((f) => f.scheduledFor - T0)).toEqual([2 * SECOND, SECOND, 0]);
    });

    it('filters by a half-open range [from, to) of scheduled instants and by outcome', async () => {
      const range = await ctx.store.listFires('a', {
        limit: 10,
        offset: 0,
        from: T0 + SECOND,
        to: T0 + 3 * SECOND,
      });
      expect(range.items.map((f) => f.scheduledFor - T0)).toEqual([2 * SECOND, SECOND]);
      expect(range.total).toBe(2);
      const ran = await ctx.store.listFires('a', { limit: 10, offset: 0, outcome: 'run' });
      expect(ran.items.map((f) => f.runId)).toEqual(['r3', 'r1']);
      expect((await ctx.store.listFires('a', { limit: 10, offset: 0, outcome: 'pending' })).total).toBe(0);
      expect((await ctx.store.listFires('missing', { limit: 10, offset: 0 })).total).toBe(0);
    });
  });
}
