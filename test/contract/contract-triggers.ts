/** Contract: claiming due triggers under a lease, committing acquisitions, releasing, waiting triggers. */

import { describe, expect, it } from 'vitest';
import type { ContractContext } from './store-contract.js';
import { makeAcquisition, makeJob, SECOND, T0 } from './support/fixtures.js';

const LEASE = 30 * SECOND;

export function describeTriggerContract(ctx: ContractContext): void {
  describe('claimDueTriggers', () => {
    it('claims triggers due by the horizon, oldest first, up to the limit, with the job version', async () => {
      await ctx.store.insertJob(makeJob('late', { version: 7 }), T0 + 3 * SECOND);
      await ctx.store.insertJob(makeJob('early'), T0 + SECOND);
      await ctx.store.insertJob(makeJob('middle'), T0 + 2 * SECOND);
      await ctx.store.insertJob(makeJob('beyond'), T0 + 60 * SECOND);
      await ctx.store.insertJob(makeJob('never'), null);
      const first = await ctx.store.claimDueTriggers('node-a', T0, T0 + 5 * SECOND, 2, T0 + LEASE);
      expect(first).toEqual([
        { jobId: 'early', nextFireAt: T0 + SECOND, version: 1 },
        { jobId: 'middle', nextFireAt: T0 + 2 * SECOND, version: 1 },
      ]);
      const second = await ctx.store.claimDueTriggers('node-a', T0, T0 + 5 * SECOND, 10, T0 + LEASE);
      expect(second).toEqual([{ jobId: 'late', nextFireAt: T0 + 3 * SECOND, version: 7 }]);
    });

    it('includes a trigger exactly at the horizon, and past-due triggers', async () => {
      await ctx.store.insertJob(makeJob('at'), T0 + 5 * SECOND);
      await ctx.store.insertJob(makeJob('past'), T0 - 60 * SECOND);
      const claimed = await ctx.store.claimDueTriggers('node-a', T0, T0 + 5 * SECOND, 10, T0 + LEASE);
      expect(claimed.map((c) => c.jobId)).toEqual(['past', 'at']);
    });

    it('does not claim a leased trigger again until its lease has expired', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      expect(await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE)).toHaveLength(1);
      expect(await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE)).toEqual([]);
      expect(await ctx.store.claimDueTriggers('node-b', T0 + LEASE, T0 + LEASE, 10, T0 + 2 * LEASE)).toEqual(
        [],
      );
      const taken = await ctx.store.claimDueTriggers(
        'node-b',
        T0 + LEASE + 1,
        T0 + LEASE + 1,
        10,
        T0 + 2 * LEASE,
      );
      expect(taken).toEqual([{ jobId: 'a', nextFireAt: T0, version: 1 }]);
    });

    it('claims only the triggers of enabled jobs', async () => {
      await ctx.store.insertJob(makeJob('enabled'), T0);
      await ctx.store.insertJob(makeJob('paused', { state: 'paused' }), T0);
      await ctx.store.insertJob(makeJob('faulted', { state: 'faulted' }), T0);
      await ctx.store.insertJob(makeJob('completed', { state: 'completed' }), T0);
      const claimed = await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE);
      expect(claimed.map((c) => c.jobId)).toEqual(['enabled']);
    });
  });

  describe('commitAcquisitions', () => {
    it('writes the fires as pending rows held by the node, advances the trigger and releases the lease', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.claimDueTriggers('node-a', T0, T0 + 2 * SECOND, 10, T0 + LEASE);
      const inserted = await ctx.store.commitAcquisitions('node-a', [
        makeAcquisition('a', 1, [T0, T0 + SECOND, T0 + 2 * SECOND], T0 + 3 * SECOND),
      ]);
      expect(inserted).toEqual([
        { jobId: 'a', scheduledFor: T0, nodeId: 'node-a' },
        { jobId: 'a', scheduledFor: T0 + SECOND, nodeId: 'node-a' },
        { jobId: 'a', scheduledFor: T0 + 2 * SECOND, nodeId: 'node-a' },
      ]);
      expect(await ctx.store.nextFireAt('a')).toBe(T0 + 3 * SECOND);
      // the job's next fire time is its earliest acquired fire, not the trigger's
      expect((await ctx.store.getJob('a'))?.status.nextFireTime).toBe(T0);
      const fires = await ctx.store.listFires('a', { limit: 10, offset: 0 });
      expect(fires.items.map((f) => [f.scheduledFor, f.outcome, f.nodeId, f.firedAt, f.runId])).toEqual([
        [T0 + 2 * SECOND, 'pending', 'node-a', null, null],
        [T0 + SECOND, 'pending', 'node-a', null, null],
        [T0, 'pending', 'node-a', null, null],
      ]);
      // released: any node may claim the advanced trigger at once
      const next = await ctx.store.claimDueTriggers('node-b', T0, T0 + 3 * SECOND, 10, T0 + LEASE);
      expect(next).toEqual([{ jobId: 'a', nextFireAt: T0 + 3 * SECOND, version: 1 }]);
    });

    it('drops an acquisition whose lease was lost to another node', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE);
      await ctx.store.claimDueTriggers('node-b', T0 + LEASE + 1, T0 + LEASE + 1, 10, T0 + 2 * LEASE);
      expect(
        await ctx.store.commitAcquisitions('node-a', [makeAcquisition('a', 1, [T0], T0 + SECOND)]),
      ).toEqual([]);
      expect(await ctx.store.nextFireAt('a')).toBe(T0);
      expect((await ctx.store.listFires('a', { limit: 10, offset: 0 })).total).toBe(0);
      expect(
        await ctx.store.commitAcquisitions('node-b', [makeAcquisition('a', 1, [T0], T0 + SECOND)]),
      ).toEqual([{ jobId: 'a', scheduledFor: T0, nodeId: 'node-b' }]);
    });

    it('drops an acquisition for a trigger the node never claimed, or already committed', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      expect(
        await ctx.store.commitAcquisitions('node-a', [makeAcquisition('a', 1, [T0], T0 + SECOND)]),
      ).toEqual([]);
      await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE);
      expect(
        await ctx.store.commitAcquisitions('node-a', [makeAcquisition('a', 1, [T0], T0 + SECOND)]),
      ).toHaveLength(1);
      expect(
        await ctx.store.commitAcquisitions('node-a', [makeAcquisition('a', 1, [T0], T0 + SECOND)]),
      ).toEqual([]);
      expect(await ctx.store.nextFireAt('a')).toBe(T0 + SECOND);
    });

    it('drops an acquisition whose job changed version or was deleted, and keeps the others', async () => {
      await ctx.store.insertJob(makeJob('changed'), T0);
      await ctx.store.insertJob(makeJob('deleted'), T0);
      await ctx.store.insertJob(makeJob('kept'), T0);
      await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE);
      await ctx.store.updateJob(makeJob('changed', { name: 'new', version: 2 }), 1);
      await ctx.store.deleteJob('deleted');
      const inserted = await ctx.store.commitAcquisitions('node-a', [
        makeAcquisition('changed', 1, [T0], T0 + SECOND),
        makeAcquisition('deleted', 1, [T0], T0 + SECOND),
        makeAcquisition('kept', 1, [T0], T0 + SECOND),
      ]);
      expect(inserted).toEqual([{ jobId: 'kept', scheduledFor: T0, nodeId: 'node-a' }]);
      expect(await ctx.store.nextFireAt('changed')).toBe(T0);
      expect((await ctx.store.listFires('changed', { limit: 10, offset: 0 })).total).toBe(0);
    });

    it('writes a fire key once: an instant already in the ledger is skipped', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.insertFires([
        { jobId: 'a', scheduledFor: T0, outcome: 'missed', firedAt: T0 + 9, run: null },
      ]);
      await ctx.store.claimDueTriggers('node-a', T0, T0 + SECOND, 10, T0 + LEASE);
      const inserted = await ctx.store.commitAcquisitions('node-a', [
        makeAcquisition('a', 1, [T0, T0 + SECOND], T0 + 2 * SECOND),
      ]);
      expect(inserted).toEqual([{ jobId: 'a', scheduledFor: T0 + SECOND, nodeId: 'node-a' }]);
      const fires = await ctx.store.listFires('a', { limit: 10, offset: 0 });
      expect(fires.items.map((f) => [f.scheduledFor, f.outcome])).toEqual([
        [T0 + SECOND, 'pending'],
        [T0, 'missed'],
      ]);
      expect(await ctx.store.nextFireAt('a')).toBe(T0 + 2 * SECOND);
    });

    it('marks a job whose schedule is exhausted completed once its last fire resolves', async () => {
      await ctx.store.insertJob(
        makeJob('once', { schedule: { type: 'once', at: new Date(T0).toISOString() } }),
        T0,
      );
      await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE);
      const inserted = await ctx.store.commitAcquisitions('node-a', [
        { jobId: 'once', version: 1, fires: [T0], nextFireAt: null, completed: true },
      ]);
      expect(inserted).toHaveLength(1);
      // acquired, not yet fired: still enabled, its pending fire is its next fire time
      const pending = await ctx.store.getJob('once');
      expect(pending?.state).toBe('enabled');
      expect(pending?.status.nextFireTime).toBe(T0);
      await ctx.store.resolveFires('node-a', [{ jobId: 'once', scheduledFor: T0, outcome: 'skipped', firedAt: T0, run: null }]);
      const job = await ctx.store.getJob('once');
      expect(job?.state).toBe('completed');
      // a state change moves the version, so a stale If-Match cannot revive the job
      expect(job?.version).toBeGreaterThan(1);
      expect(job?.status.nextFireTime).toBeNull();
      expect(await ctx.store.claimDueTriggers('node-a', T0, T0 + 3_600_000, 10, T0 + LEASE)).toEqual([]);
    });

    it('completes a job at once when its exhausted schedule acquired no fire', async () => {
      await ctx.store.insertJob(makeJob('gone', { schedule: { type: 'once', at: new Date(T0).toISOString() } }), T0);
      await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE);
      await ctx.store.commitAcquisitions('node-a', [{ jobId: 'gone', version: 1, fires: [], nextFireAt: null, completed: true }]);
      expect((await ctx.store.getJob('gone'))?.state).toBe('completed');
    });

    it('accepts an empty batch', async () => {
      expect(await ctx.store.commitAcquisitions('node-a', [])).toEqual([]);
    });
  });

  describe('releaseTriggers', () => {
    it('releases the leases of one node and leaves the others', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.insertJob(makeJob('b'), T0 + SECOND);
      await ctx.store.claimDueTriggers('node-a', T0, T0, 10, T0 + LEASE);
      await ctx.store.claimDueTriggers('node-b', T0, T0 + SECOND, 10, T0 + LEASE);
      await ctx.store.releaseTriggers('node-a');
      const claimed = await ctx.store.claimDueTriggers('node-c', T0, T0 + SECOND, 10, T0 + LEASE);
      expect(claimed).toEqual([{ jobId: 'a', nextFireAt: T0, version: 1 }]);
      // the trigger itself is unchanged by a release
      expect(await ctx.store.nextFireAt('a')).toBe(T0);
    });
  });

  describe('listWaitingTriggers and nextFireAt', () => {
    it('lists unleased triggers of enabled jobs with a next fire, soonest first, limited', async () => {
      await ctx.store.insertJob(makeJob('c'), T0 + 3 * SECOND);
      await ctx.store.insertJob(makeJob('a'), T0 + SECOND);
      await ctx.store.insertJob(makeJob('b'), T0 + 2 * SECOND);
      await ctx.store.insertJob(makeJob('none'), null);
      await ctx.store.insertJob(makeJob('paused', { state: 'paused' }), T0);
      expect(await ctx.store.listWaitingTriggers(2)).toEqual([
        { jobId: 'a', nextFireAt: T0 + SECOND },
        { jobId: 'b', nextFireAt: T0 + 2 * SECOND },
      ]);
      await ctx.store.claimDueTriggers('node-a', T0, T0 + SECOND, 10, T0 + LEASE);
      expect((await ctx.store.listWaitingTriggers(10)).map((t) => t.jobId)).toEqual(['b', 'c']);
    });

    it('nextFireAt answers null for a missing job', async () => {
      expect(await ctx.store.nextFireAt('missing')).toBeNull();
    });
  });
}
