/** Contract: inserting, reading, replacing and deleting jobs; counts; expired pauses. */

import { describe, expect, it } from 'vitest';
import type { ContractContext } from './store-contract.js';
import { expectSkedError } from './support/expect-error.js';
import {
  makeAcquisition,
  makeFinish,
  makeJob,
  makeRichJob,
  makeRun,
  runResolution,
  SECOND,
  T0,
  withStatus,
} from './support/fixtures.js';

export function describeJobContract(ctx: ContractContext): void {
  describe('jobs', () => {
    it('round-trips every field of a job, with status.nextFireTime from its trigger', async () => {
      const job = makeRichJob('nightly-report');
      await ctx.store.insertJob(job, T0 + 60 * SECOND);
      expect(await ctx.store.getJob('nightly-report')).toEqual(
        withStatus(job, { nextFireTime: T0 + 60 * SECOND }),
      );
    });

    it('keeps a trigger with nothing scheduled as nextFireTime null', async () => {
      await ctx.store.insertJob(makeJob('manual'), null);
      expect((await ctx.store.getJob('manual'))?.status.nextFireTime).toBeNull();
      expect(await ctx.store.nextFireAt('manual')).toBeNull();
    });

    it('answers null for a job that does not exist', async () => {
      expect(await ctx.store.getJob('nope')).toBeNull();
    });

    it('refuses a second job with the same id (CONFLICT) and keeps the first', async () => {
      await ctx.store.insertJob(makeJob('a', { name: 'first' }), T0);
      await expectSkedError(ctx.store.insertJob(makeJob('a', { name: 'second' }), T0), 'CONFLICT');
      expect((await ctx.store.getJob('a'))?.name).toBe('first');
    });

    it('getJobs returns the jobs that exist and leaves out missing ids', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.insertJob(makeJob('b'), T0);
      const jobs = await ctx.store.getJobs(['b', 'missing', 'a']);
      expect(jobs.map((job) => job.id).sort()).toEqual(['a', 'b']);
      expect(await ctx.store.getJobs([])).toEqual([]);
    });

    it('updateJob replaces the definition at the expected version and keeps createdAt and the counters', async () => {
      const job = makeJob('a', { labels: { team: 'x' } });
      await ctx.store.insertJob(job, T0);
      await ctx.store.insertRuns([makeRun('r1', 'a', { status: 'running', nodeId: 'n', startedAt: T0 })]);
      await ctx.store.finishRuns([makeFinish('r1', 'a')]);
      const replaced = makeJob('a', {
        name: 'renamed',
        labels: { team: 'y' },
        steps: [{ stepIndex: 0, type: 'shell', script: 'true' }],
        version: 2,
        createdAt: T0 + 999,
        updatedAt: T0 + 5 * SECOND,
      });
      await ctx.store.updateJob(replaced, 1);
      const stored = await ctx.store.getJob('a');
      expect(stored).toEqual({
        ...replaced,
        createdAt: T0,
        status: {
          nextFireTime: T0,
          lastFireTime: null,
          lastRun: { id: 'r1', status: 'succeeded' },
          runCount: 1,
          failureCount: 0,
        },
      });
      const byNewLabel = await ctx.store.listJobs({ limit: 10, offset: 0, labels: { team: 'y' } });
      expect(byNewLabel.items.map((j) => j.id)).toEqual(['a']);
      expect((await ctx.store.listJobs({ limit: 10, offset: 0, labels: { team: 'x' } })).total).toBe(0);
    });

    it('updateJob at a stale version fails with PRECONDITION_FAILED and changes nothing', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.updateJob(makeJob('a', { name: 'v2', version: 2 }), 1);
      await expectSkedError(
        ctx.store.updateJob(makeJob('a', { name: 'v3', version: 3 }), 1),
        'PRECONDITION_FAILED',
      );
      const stored = await ctx.store.getJob('a');
      expect(stored?.name).toBe('v2');
      expect(stored?.version).toBe(2);
    });

    it('updateJob of a missing job fails with NOT_FOUND', async () => {
      await expectSkedError(ctx.store.updateJob(makeJob('ghost', { version: 2 }), 1), 'NOT_FOUND');
    });

    it('updateJob without resetTrigger keeps the trigger and the pending fires', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + 30 * SECOND);
      await ctx.store.commitAcquisitions('node-a', [makeAcquisition('a', 1, [T0], T0 + SECOND)]);
      await ctx.store.updateJob(makeJob('a', { name: 'renamed', version: 2 }), 1);
      expect(await ctx.store.nextFireAt('a')).toBe(T0 + SECOND);
      expect(await ctx.store.pendingFires(['node-a'])).toEqual([
        { jobId: 'a', scheduledFor: T0, nodeId: 'node-a' },
      ]);
    });

    it('updateJob with resetTrigger sets the next fire, clears the lease and deletes only pending fires', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.claimDueTriggers('node-a', T0, T0 + 2 * SECOND, 10, T0 + 30 * SECOND);
      await ctx.store.commitAcquisitions('node-a', [
        makeAcquisition('a', 1, [T0, T0 + SECOND, T0 + 2 * SECOND], T0 + 3 * SECOND),
      ]);
      await ctx.store.resolveFires('node-a', [runResolution('a', T0, 'r0')]);
      // lease it again, then change the schedule: the lease must not survive the change
      await ctx.store.claimDueTriggers('node-a', T0, T0 + 10 * SECOND, 10, T0 + 60 * SECOND);

      await ctx.store.updateJob(makeJob('a', { version: 2 }), 1, { nextFireAt: T0 + 100 * SECOND });

      expect(await ctx.store.nextFireAt('a')).toBe(T0 + 100 * SECOND);
      expect(await ctx.store.pendingFires(['node-a'])).toEqual([]);
      const ledger = await ctx.store.listFires('a', { limit: 10, offset: 0 });
      expect(ledger.items.map((f) => [f.scheduledFor, f.outcome])).toEqual([[T0, 'run']]);
      // not leased any more: another node claims it at once
      const claimed = await ctx.store.claimDueTriggers('node-b', T0, T0 + 100 * SECOND, 10, T0 + 30 * SECOND);
      expect(claimed).toEqual([{ jobId: 'a', nextFireAt: T0 + 100 * SECOND, version: 2 }]);
    });

    it('updateJob with resetTrigger null leaves nothing scheduled', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.updateJob(makeJob('a', { version: 2 }), 1, { nextFireAt: null });
      expect(await ctx.store.nextFireAt('a')).toBeNull();
      expect(await ctx.store.listWaitingTriggers(10)).toEqual([]);
    });

    it('deleteJob removes the job with its trigger, ledger, pending fires, runs and steps', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.insertJob(makeJob('b'), T0);
      await ctx.store.claimDueTriggers('node-a', T0, T0 + SECOND, 10, T0 + 30 * SECOND);
      await ctx.store.commitAcquisitions('node-a', [
        makeAcquisition('a', 1, [T0, T0 + SECOND], T0 + 2 * SECOND),
        makeAcquisition('b', 1, [T0], T0 + SECOND),
      ]);
      await ctx.store.resolveFires('node-a', [runResolution('a', T0, 'ra'), runResolution('b', T0, 'rb')]);
      await ctx.store.finishRuns([makeFinish('ra', 'a', { steps: [] }), makeFinish('rb', 'b')]);

      expect(await ctx.store.deleteJob('a')).toBe(true);

      expect(await ctx.store.getJob('a')).toBeNull();
      expect(await ctx.store.getRun('ra')).toBeNull();
      expect(await ctx.store.nextFireAt('a')).toBeNull();
      expect((await ctx.store.listFires('a', { limit: 10, offset: 0 })).total).toBe(0);
      expect(await ctx.store.pendingFires(['node-a'])).toEqual([]);
      expect((await ctx.store.listRuns({ limit: 10, offset: 0, jobId: 'a' })).total).toBe(0);
      // the other job is untouched
      expect((await ctx.store.getRun('rb'))?.status).toBe('succeeded');
      expect((await ctx.store.listFires('b', { limit: 10, offset: 0 })).total).toBe(1);
    });

    it('deleteJob answers false for a missing job', async () => {
      expect(await ctx.store.deleteJob('nope')).toBe(false);
    });

    it('deleteJob with a stale expected version fails with PRECONDITION_FAILED and keeps the job', async () => {
      await ctx.store.insertJob(makeJob('a', { version: 4 }), T0);
      await expectSkedError(ctx.store.deleteJob('a', 3), 'PRECONDITION_FAILED');
      expect(await ctx.store.getJob('a')).not.toBeNull();
      expect(await ctx.store.deleteJob('a', 4)).toBe(true);
    });

    it('a deleted id can be created again from scratch', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.insertRuns([makeRun('r1', 'a', { status: 'running', nodeId: 'n', startedAt: T0 })]);
      await ctx.store.finishRuns([makeFinish('r1', 'a')]);
      await ctx.store.deleteJob('a');
      await ctx.store.insertJob(makeJob('a'), T0 + SECOND);
      expect((await ctx.store.getJob('a'))?.status).toEqual({
        nextFireTime: T0 + SECOND,
        lastFireTime: null,
        lastRun: null,
        runCount: 0,
        failureCount: 0,
      });
    });

    it('countJobs counts by state, in all and per collection', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.insertJob(makeJob('b', { state: 'paused' }), T0);
      await ctx.store.insertJob(makeJob('c', { state: 'paused', collection: 'other' }), T0);
      await ctx.store.insertJob(makeJob('d', { state: 'completed', collection: 'other' }), null);
      expect(await ctx.store.countJobs()).toEqual({
        total: 4,
        byState: { enabled: 1, paused: 2, completed: 1, faulted: 0 },
      });
      expect(await ctx.store.countJobs('other')).toEqual({
        total: 2,
        byState: { enabled: 0, paused: 1, completed: 1, faulted: 0 },
      });
      expect(await ctx.store.countJobs('empty')).toEqual({
        total: 0,
        byState: { enabled: 0, paused: 0, completed: 0, faulted: 0 },
      });
    });

    it('expiredPauses lists paused jobs whose until is at or before now', async () => {
      const pause = (until: number | null) => ({ reason: null, until, pausedAt: T0, by: null });
      await ctx.store.insertJob(makeJob('due', { state: 'paused', pause: pause(T0 + SECOND) }), T0);
      await ctx.store.insertJob(makeJob('exact', { state: 'paused', pause: pause(T0 + 2 * SECOND) }), T0);
      await ctx.store.insertJob(makeJob('later', { state: 'paused', pause: pause(T0 + 3 * SECOND) }), T0);
      await ctx.store.insertJob(makeJob('forever', { state: 'paused', pause: pause(null) }), T0);
      await ctx.store.insertJob(makeJob('enabled'), T0);
      expect((await ctx.store.expiredPauses(T0 + 2 * SECOND)).sort()).toEqual(['due', 'exact']);
      // resuming clears the pause: the job is no longer listed
      await ctx.store.updateJob(makeJob('due', { version: 2 }), 1);
      expect(await ctx.store.expiredPauses(T0 + 2 * SECOND)).toEqual(['exact']);
    });
  });
}
