/** Contract: inserting and reading runs, active runs, finishing, cancelling, interrupting. */

import { beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.js';
import type { ContractContext } from './store-contract.js';
import { expectSkedError } from './support/expect-error.js';
import { makeFinish, makeJob, makeRun, makeStep, SECOND, T0 } from './support/fixtures.js';

const ids = (runs: Run[]) => runs.map((run) => run.id);

export function describeRunContract(ctx: ContractContext): void {
  describe('runs', () => {
    beforeEach(async () => {
      await ctx.store.insertJob(makeJob('a'), null);
      await ctx.store.insertJob(makeJob('b'), null);
    });

    describe('insertRuns and getRun', () => {
      it('round-trips a run, payload included', async () => {
        const payload = { order: 42, tags: ['x', 'ÿ'], nested: { ok: true, none: null } };
        await ctx.store.insertRuns([
          makeRun('r1', 'a', {
            trigger: 'manual',
            scheduledFor: null,
            payload,
            attempt: 2,
            retryOf: 'r0',
            notBefore: T0 + 9,
          }),
          makeRun('r2', 'a', { status: 'running', nodeId: 'node-a', startedAt: T0 + 1 }),
        ]);
        expect(await ctx.store.getRun('r1')).toEqual({
          id: 'r1',
          jobId: 'a',
          trigger: 'manual',
          scheduledFor: null,
          queuedAt: T0,
          startedAt: null,
          finishedAt: null,
          status: 'queued',
          attempt: 2,
          retryOf: 'r0',
          notBefore: T0 + 9,
          nodeId: null,
          payload,
          error: null,
          steps: [],
        });
        expect(await ctx.store.getRun('r2')).toMatchObject({
          status: 'running',
          nodeId: 'node-a',
          startedAt: T0 + 1,
          payload: null,
        });
        expect(await ctx.store.getRun('missing')).toBeNull();
      });

      it('refuses a duplicate run id with CONFLICT and inserts nothing of that batch', async () => {
        await ctx.store.insertRuns([makeRun('r1', 'a')]);
        await expectSkedError(ctx.store.insertRuns([makeRun('r2', 'a'), makeRun('r1', 'a')]), 'CONFLICT');
        expect(await ctx.store.getRun('r2')).toBeNull();
      });

      it('refuses a run of a job that does not exist with NOT_FOUND', async () => {
        await expectSkedError(ctx.store.insertRuns([makeRun('r1', 'ghost')]), 'NOT_FOUND');
      });
    });

    describe('insertRunIfIdle', () => {
      it('inserts when the job has no queued or running run, and refuses (false, nothing written) when it has one', async () => {
        expect(await ctx.store.insertRunIfIdle(makeRun('first', 'a', { trigger: 'manual', payload: { n: 1 } }))).toBe(true);
        expect(await ctx.store.getRun('first')).toMatchObject({ jobId: 'a', status: 'queued', trigger: 'manual', payload: { n: 1 } });
        // queued
        expect(await ctx.store.insertRunIfIdle(makeRun('second', 'a'))).toBe(false);
        expect(await ctx.store.getRun('second')).toBeNull();
        // another job is not concerned
        expect(await ctx.store.insertRunIfIdle(makeRun('other', 'b'))).toBe(true);
        // running
        expect(await ctx.store.claimQueuedRuns('node-a', T0 + 1, 10)).toHaveLength(2);
        expect(await ctx.store.insertRunIfIdle(makeRun('third', 'a'))).toBe(false);
        // finished: idle again
        await ctx.store.finishRuns([makeFinish('first', 'a')]);
        expect(await ctx.store.insertRunIfIdle(makeRun('fourth', 'a', { status: 'running', nodeId: 'node-a', startedAt: T0 + 2 }))).toBe(true);
        expect((await ctx.store.activeRuns(['a'])).map((run) => run.id)).toEqual(['fourth']);
      });

      it('NOT_FOUND for a job that does not exist, CONFLICT for a duplicate run id', async () => {
        await expectSkedError(ctx.store.insertRunIfIdle(makeRun('r1', 'ghost')), 'NOT_FOUND');
        await ctx.store.insertRuns([makeRun('r1', 'a', { status: 'running', nodeId: 'n', startedAt: T0 })]);
        await ctx.store.finishRuns([makeFinish('r1', 'a')]);
        await expectSkedError(ctx.store.insertRunIfIdle(makeRun('r1', 'a')), 'CONFLICT');
        expect((await ctx.store.activeRuns(['a']))).toEqual([]);
      });

      it('of calls made at once for one job, exactly one inserts', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => ctx.store.insertRunIfIdle(makeRun(`r${i}`, 'a'))),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await ctx.store.activeRuns(['a'])).toHaveLength(1);
      });
    });

    it('activeRuns lists queued and running runs, of some jobs or all', async () => {
      await ctx.store.insertRuns([
        makeRun('q', 'a'),
        makeRun('r', 'b', { status: 'running', nodeId: 'node-a', startedAt: T0 }),
        makeRun('done', 'a', { status: 'running', nodeId: 'node-a', startedAt: T0 }),
      ]);
      await ctx.store.finishRuns([makeFinish('done', 'a')]);
      const all = await ctx.store.activeRuns();
      expect(all.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
        { id: 'q', jobId: 'a', status: 'queued', nodeId: null },
        { id: 'r', jobId: 'b', status: 'running', nodeId: 'node-a' },
      ]);
      expect(await ctx.store.activeRuns(['b'])).toEqual([
        { id: 'r', jobId: 'b', status: 'running', nodeId: 'node-a' },
      ]);
      expect(await ctx.store.activeRuns([])).toEqual([]);
    });

    describe('finishRuns', () => {
      beforeEach(async () => {
        await ctx.store.insertRuns([
          makeRun('ok', 'a', { status: 'running', nodeId: 'n', startedAt: T0 }),
          makeRun('bad', 'a', { status: 'running', nodeId: 'n', startedAt: T0, queuedAt: T0 + 1 }),
          makeRun('queued', 'b'),
        ]);
      });

      it('records status, times, error and step results in the order given', async () => {
        const steps = [
          makeStep(0),
          makeStep(1, {
            stepIndex: 1,
            status: 'failed',
            exitCode: 2,
            error: 'exit 2',
            output: 'x'.repeat(70_000),
          }),
          makeStep(2, {
            stepIndex: 1,
            type: 'http',
            httpStatus: 503,
            exitCode: null,
            status: 'failed',
            attempt: 3,
          }),
          makeStep(0, {
            phase: 'onFailure',
            stepIndex: 0,
            name: null,
            startedAt: null,
            finishedAt: null,
            status: 'skipped',
          }),
        ];
        await ctx.store.finishRuns([
          makeFinish('bad', 'a', {
            status: 'failed',
            error: 'step 1 failed',
            steps,
            failed: true,
            startedAt: T0,
            finishedAt: T0 + 7,
          }),
        ]);
        expect(await ctx.store.getRun('bad')).toMatchObject({
          status: 'failed',
          startedAt: T0,
          finishedAt: T0 + 7,
          error: 'step 1 failed',
          steps,
        });
      });

      it('updates the job’s runCount, failureCount and lastRun in the same call', async () => {
        await ctx.store.finishRuns([makeFinish('ok', 'a')]);
        await ctx.store.finishRuns([makeFinish('bad', 'a', { status: 'timedOut', failed: true })]);
        expect((await ctx.store.getJob('a'))?.status).toMatchObject({
          runCount: 2,
          failureCount: 1,
          lastRun: { id: 'bad', status: 'timedOut' },
        });
        expect((await ctx.store.getJob('b'))?.status).toMatchObject({
          runCount: 0,
          failureCount: 0,
          lastRun: null,
        });
      });

      it('is idempotent: finishing a finished run changes nothing', async () => {
        await ctx.store.finishRuns([makeFinish('ok', 'a', { steps: [makeStep(0)] })]);
        const once = await ctx.store.getRun('ok');
        await ctx.store.finishRuns([
          makeFinish('ok', 'a', {
            status: 'failed',
            failed: true,
            error: 'late',
            steps: [makeStep(0), makeStep(1)],
          }),
        ]);
        await ctx.store.finishRuns([makeFinish('ok', 'a'), makeFinish('ok', 'a')]);
        expect(await ctx.store.getRun('ok')).toEqual(once);
        expect((await ctx.store.getJob('a'))?.status).toMatchObject({
          runCount: 1,
          failureCount: 0,
          lastRun: { id: 'ok', status: 'succeeded' },
        });
      });

      it('finishes a queued run (cancelled before it started), keeping startedAt null', async () => {
        await ctx.store.finishRuns([makeFinish('queued', 'b', { status: 'cancelled', startedAt: null })]);
        expect(await ctx.store.getRun('queued')).toMatchObject({
          status: 'cancelled',
          startedAt: null,
          finishedAt: T0 + 5 * SECOND,
        });
      });

      it('ignores runs that do not exist', async () => {
        await ctx.store.finishRuns([makeFinish('missing', 'a')]);
        expect((await ctx.store.getJob('a'))?.status.runCount).toBe(0);
      });
    });

    it('cancelQueuedRun cancels a queued run only', async () => {
      await ctx.store.insertRuns([
        makeRun('q', 'a'),
        makeRun('r', 'a', { status: 'running', nodeId: 'n', startedAt: T0 }),
      ]);
      expect(await ctx.store.cancelQueuedRun('q', T0 + 9)).toBe(true);
      expect(await ctx.store.getRun('q')).toMatchObject({ status: 'cancelled', finishedAt: T0 + 9 });
      expect(await ctx.store.cancelQueuedRun('q', T0 + 10)).toBe(false);
      expect(await ctx.store.cancelQueuedRun('r', T0 + 10)).toBe(false);
      expect(await ctx.store.cancelQueuedRun('missing', T0 + 10)).toBe(false);
      expect((await ctx.store.getRun('r'))?.status).toBe('running');
      expect(await ctx.store.claimQueuedRuns('n', T0 + SECOND, 10)).toEqual([]);
    });

    it('interruptRuns marks the running runs of the given nodes interrupted, counted as failed', async () => {
      await ctx.store.insertRuns([
        makeRun('dead-1', 'a', { status: 'running', nodeId: 'dead', startedAt: T0, queuedAt: T0 + 2 }),
        makeRun('dead-2', 'b', { status: 'running', nodeId: 'dead', startedAt: T0, queuedAt: T0 + 1 }),
        makeRun('alive', 'a', { status: 'running', nodeId: 'alive', startedAt: T0 }),
        makeRun('queued', 'a'),
      ]);
      const interrupted = await ctx.store.interruptRuns(
        ['dead', 'gone'],
        T0 + SECOND,
        'node dead stopped heartbeating',
      );
      expect(ids(interrupted).sort()).toEqual(['dead-1', 'dead-2']);
      expect(interrupted.find((run) => run.id === 'dead-2')).toMatchObject({
        status: 'interrupted',
        finishedAt: T0 + SECOND,
        error: 'node dead stopped heartbeating',
        nodeId: 'dead',
      });
      expect((await ctx.store.getRun('alive'))?.status).toBe('running');
      expect((await ctx.store.getRun('queued'))?.status).toBe('queued');
      expect((await ctx.store.getJob('a'))?.status).toMatchObject({
        runCount: 1,
        failureCount: 1,
        lastRun: { id: 'dead-1', status: 'interrupted' },
      });
      // already finished: interrupting again does nothing
      expect(await ctx.store.interruptRuns(['dead'], T0 + 2 * SECOND, 'again')).toEqual([]);
      await ctx.store.finishRuns([makeFinish('dead-1', 'a')]);
      expect((await ctx.store.getRun('dead-1'))?.status).toBe('interrupted');
    });
  });
}
