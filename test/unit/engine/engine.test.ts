import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, T0, type Harness } from '../../support/engine-harness.js';
import { SYSTEM_ACTOR } from '../../../src/service/actor.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const iso = (t: number): string => new Date(t).toISOString();
const S = 1000;

describe('firing on time', () => {
  it('fires every instant exactly once and starts each run at its instant', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '*/5 * * * * ?' }, overlap: 'allow' });
    await h.clock.advance(60 * S + 500);
    const fires = await h.fires(job.id);
    expect(fires.map((f) => iso(f.scheduledFor))).toEqual(Array.from({ length: 12 }, (_, i) => iso(T0 + (i + 1) * 5 * S)));
    expect(fires.every((f) => f.outcome === 'run')).toBe(true);
    expect(h.executor.started.map((s) => s.at)).toEqual(fires.map((f) => f.scheduledFor));
    const runs = await h.runs(job.id);
    expect(runs.map((r) => r.status)).toEqual(Array(12).fill('succeeded'));
  });

  it('a schedule that ends makes the job completed', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'interval', every: 'PT10S', startAt: iso(T0 + 10 * S), repeatCount: 2 } });
    await h.clock.advance(120 * S);
    expect((await h.fires(job.id)).map((f) => f.scheduledFor)).toEqual([T0 + 10 * S, T0 + 20 * S, T0 + 30 * S]);
    expect((await h.services.jobs.get(SYSTEM_ACTOR, job.id)).state).toBe('completed');
  });

  it('respects startAt and endAt', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '0 * * * * ?', startAt: iso(T0 + 150 * S), endAt: iso(T0 + 300 * S) } });
    await h.clock.advance(600 * S);
    expect((await h.fires(job.id)).map((f) => iso(f.scheduledFor))).toEqual([iso(T0 + 180 * S), iso(T0 + 240 * S), iso(T0 + 300 * S)]);
    expect((await h.services.jobs.get(SYSTEM_ACTOR, job.id)).state).toBe('completed');
  });

  it('a changed schedule never fires its old acquired instants', async () => {
    h = await engineHarness({ lookaheadMs: 10_000 });
    const job = await h.createJob({ schedule: { type: 'cron', expression: '*/2 * * * * ?' } });
    await h.clock.advance(1 * S); // fires up to T0+11s are acquired now
    await h.services.jobs.put(SYSTEM_ACTOR, job.id, { name: 'job', schedule: { type: 'cron', expression: '*/3 * * * * ?' }, steps: [{ stepIndex: 0, type: 'noop' }] });
    await h.clock.advance(11 * S);
    const instants = (await h.fires(job.id)).map((f) => (f.scheduledFor - T0) / S);
    expect(instants).toEqual([3, 6, 9, 12]);
  });
});

describe('overlap policies', () => {
  it('skip: a fire while the previous run is going is recorded as skipped', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '* * * * * ?' }, overlap: 'skip' });
    h.executor.script(job.id, { durationMs: 2500, status: 'succeeded' });
    await h.clock.advance(6 * S + 100);
    const outcomes = (await h.fires(job.id)).map((f) => `${(f.scheduledFor - T0) / S}:${f.outcome}`);
    expect(outcomes).toEqual(['1:run', '2:skipped', '3:skipped', '4:run', '5:skipped', '6:skipped']);
  });

  it('allow: runs overlap', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '* * * * * ?' }, overlap: 'allow' });
    h.executor.script(job.id, { durationMs: 3500, status: 'succeeded' });
    await h.clock.advance(5 * S + 100);
    expect((await h.fires(job.id)).every((f) => f.outcome === 'run')).toBe(true);
    expect(h.executor.maxRunning).toBe(4);
  });

  it('bufferOne: one fire waits behind the running run, further ones are skipped', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '* * * * * ?' }, overlap: 'bufferOne' });
    h.executor.script(job.id, { durationMs: 2500, status: 'succeeded' });
    await h.clock.advance(4 * S + 100);
    const outcomes = (await h.fires(job.id)).map((f) => `${(f.scheduledFor - T0) / S}:${f.outcome}`);
    // at 3 s one run waits already; at 4 s the buffered one is running, so the 4 s fire may wait again
    expect(outcomes).toEqual(['1:run', '2:run', '3:skipped', '4:run']);
    // the buffered run starts when the first finishes (at 3.5 s), not at its own instant
    expect(h.executor.started.map((s) => s.at - T0)).toEqual([1000, 3500]);
    expect((await h.runs(job.id)).map((r) => r.status)).toEqual(['succeeded', 'running', 'queued']);
    expect(h.executor.maxRunning).toBe(1);
  });

  it('cancelOther: the running run is cancelled and the new one runs', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '*/2 * * * * ?' }, overlap: 'cancelOther' });
    h.executor.script(job.id, { durationMs: 3000, status: 'succeeded' });
    await h.clock.advance(4 * S + 100);
    const runs = await h.runs(job.id);
    expect(runs.map((r) => r.status)).toEqual(['cancelled', 'running']);
  });
});

describe('catch-up after downtime', () => {
  async function downtime(policy: 'none' | 'latest' | 'all', window = 'PT1H'): Promise<string[]> {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '0 */10 * * * ?' }, catchUp: { policy, window } });
    await h.clock.advance(11 * 60 * S); // fires at :10 normally
    await h.engine.stop(0);
    h.clock.dropAll();
    await h.clock.advance(50 * 60 * S); // down from 00:11 to 01:01: :20 :30 :40 :50 01:00 missed
    await h.restart();
    await h.clock.advance(5 * S);
    return (await h.fires(job.id)).map((f) => `${iso(f.scheduledFor).slice(11, 16)}:${f.outcome}`);
  }

  it('none: every missed fire is recorded as missed', async () => {
    expect(await downtime('none')).toEqual(['00:10:run', '00:20:missed', '00:30:missed', '00:40:missed', '00:50:missed', '01:00:missed']);
  });

  it('latest: only the latest missed fire runs', async () => {
    expect(await downtime('latest')).toEqual(['00:10:run', '00:20:missed', '00:30:missed', '00:40:missed', '00:50:missed', '01:00:run']);
    const runs = await h.runs((await h.services.jobs.list(SYSTEM_ACTOR, { limit: 1, offset: 0 })).items[0]!.id);
    expect(runs.at(-1)?.trigger).toBe('catchUp');
  });

  it('all: every missed fire within the window runs, oldest first', async () => {
    expect(await downtime('all', 'PT25M')).toEqual(['00:10:run', '00:20:missed', '00:30:missed', '00:40:run', '00:50:run', '01:00:run']);
  });
});

describe('pause and resume', () => {
  it('pause with until resumes by itself; fires during the pause do not happen', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '0 * * * * ?' } });
    await h.clock.advance(61 * S);
    await h.services.jobs.pause(SYSTEM_ACTOR, job.id, { reason: 'maintenance', until: T0 + 200 * S });
    expect((await h.services.jobs.get(SYSTEM_ACTOR, job.id)).pause?.reason).toBe('maintenance');
    await h.clock.advance(300 * S);
    expect((await h.fires(job.id)).map((f) => (f.scheduledFor - T0) / S)).toEqual([60, 240, 300, 360]);
    expect((await h.services.jobs.get(SYSTEM_ACTOR, job.id)).state).toBe('enabled');
  });

  it('standby holds fires; on start they follow the catch-up policy', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '*/10 * * * * ?' }, catchUp: { policy: 'latest', window: 'PT1H' } });
    await h.services.scheduler.standby(SYSTEM_ACTOR);
    await h.clock.advance(60 * S);
    expect(h.executor.started).toHaveLength(0);
    await h.services.scheduler.start(SYSTEM_ACTOR);
    await h.clock.advance(1 * S);
    const outcomes = (await h.fires(job.id)).map((f) => f.outcome);
    expect(outcomes.filter((o) => o === 'run')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'missed').length).toBeGreaterThanOrEqual(4);
  });
});

describe('retries and failures', () => {
  it('a failed run is retried after its backoff until it succeeds', async () => {
    h = await engineHarness();
    const job = await h.createJob({
      schedule: { type: 'manual' },
      retry: { maxAttempts: 4, backoff: 'exponential', interval: 'PT10S' },
    });
    h.executor.script(job.id, (attempt) => ({ durationMs: 100, status: attempt < 3 ? 'failed' : 'succeeded' }));
    await h.services.jobs.trigger(SYSTEM_ACTOR, job.id, { n: 1 });
    await h.clock.advance(60 * S);
    const runs = await h.runs(job.id);
    expect(runs.map((r) => `${r.attempt}:${r.trigger}:${r.status}`)).toEqual(['1:manual:failed', '2:retry:failed', '3:retry:succeeded']);
    // 10 s after the first failure, then 20 s after the second (exponential)
    expect(h.executor.started.map((s) => s.at - T0)).toEqual([0, 10_100, 30_200]);
    expect(h.executor.started.every((s) => JSON.stringify(s.payload) === '{"n":1}')).toBe(true);
  });

  it('a timed-out run counts as a failure and is retried', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'manual' }, retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT1S' } });
    h.executor.script(job.id, { durationMs: 50, status: 'timedOut', error: 'run timed out' });
    await h.services.jobs.trigger(SYSTEM_ACTOR, job.id);
    await h.clock.advance(5 * S);
    expect((await h.runs(job.id)).map((r) => r.status)).toEqual(['timedOut', 'timedOut']);
    const stats = (await h.services.jobs.get(SYSTEM_ACTOR, job.id)).status;
    expect(stats.failureCount).toBe(2);
  });

  it('retries exhausted with onExhausted=fault faults the job', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'cron', expression: '0 * * * * ?' }, retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT1S', onExhausted: 'fault' } });
    h.executor.script(job.id, { durationMs: 10, status: 'failed' });
    await h.clock.advance(200 * S);
    expect((await h.services.jobs.get(SYSTEM_ACTOR, job.id)).state).toBe('faulted');
    expect((await h.fires(job.id))).toHaveLength(1);
  });
});

describe('crash recovery', () => {
  it('runs that were running when the process died are interrupted and retried', async () => {
    h = await engineHarness();
    const job = await h.createJob({ schedule: { type: 'manual' }, retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT1S' } });
    h.executor.script(job.id, (attempt) => ({ durationMs: attempt === 1 ? 60_000 : 100, status: 'succeeded' }));
    await h.services.jobs.trigger(SYSTEM_ACTOR, job.id);
    await h.clock.advance(5 * S);
    await h.restart(); // the old process dies mid-run
    await h.clock.advance(5 * S);
    expect((await h.runs(job.id)).map((r) => `${r.attempt}:${r.status}`)).toEqual(['1:interrupted', '2:succeeded']);
  });

  it('fires acquired before a crash are fired once after the restart', async () => {
    h = await engineHarness({ lookaheadMs: 5000 });
    const job = await h.createJob({ schedule: { type: 'cron', expression: '* * * * * ?' }, overlap: 'allow' });
    await h.clock.advance(1500); // fires up to ~6.5 s acquired and pending
    await h.restart();
    await h.clock.advance(10 * S);
    const instants = (await h.fires(job.id)).map((f) => (f.scheduledFor - T0) / S);
    expect(instants).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(new Set(instants).size).toBe(instants.length);
  });
});

describe('graceful stop', () => {
  it('an acquisition under way when stop() is called leaves no pending fire behind', async () => {
    h = await engineHarness({ lookaheadMs: 5000 });
    const job = await h.createJob({ schedule: { type: 'cron', expression: '* * * * * ?' }, overlap: 'allow' });
    await h.clock.advance(1500);
    // The next claim blocks until released: stop() is called while it is in flight.
    const store = h.store as { claimDueTriggers: typeof h.store.claimDueTriggers };
    const claim = store.claimDueTriggers.bind(h.store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inFlight = new Promise<void>((resolve) => (entered = resolve));
    store.claimDueTriggers = async (...args) => {
      entered();
      await gate;
      return claim(...args);
    };
    // The claim is released when the stop hands the acquired fires back (what a slow database did to a
    // stop that did not wait for the acquisition), or after 200 ms, whichever comes first.
    const rewinder = h.store as { rewindPendingFires: typeof h.store.rewindPendingFires };
    const rewind = rewinder.rewindPendingFires.bind(h.store);
    rewinder.rewindPendingFires = (...args) => {
      release();
      return rewind(...args);
    };
    setTimeout(() => release(), 200);
    await h.clock.advance(5 * S); // the lookahead reaches past what was acquired: the next poll claims
    await inFlight;
    await h.engine.stop(0);
    expect(await h.store.pendingFires(['node-a'])).toEqual([]);
    // Everything fired before the stop is in the ledger once; nothing after it was lost: a new engine
    // fires the rest from the trigger.
    await h.restart();
    await h.clock.advance(5 * S);
    const instants = (await h.fires(job.id)).map((f) => (f.scheduledFor - T0) / S);
    expect(instants).toEqual(Array.from({ length: instants.length }, (_, i) => i + 1));
  });
});

describe('bounded pool', () => {
  it('never runs more than the concurrency; the rest queue and run later', async () => {
    h = await engineHarness({ concurrency: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await h.createJob({ schedule: { type: 'once', at: iso(T0 + 5 * S) }, overlap: 'allow' })).id);
    for (const id of ids) h.executor.script(id, { durationMs: 1000, status: 'succeeded' });
    await h.clock.advance(20 * S);
    expect(h.executor.maxRunning).toBe(3);
    expect(h.executor.finished).toHaveLength(10);
  });
});

describe('retention', () => {
  it('keeps at most runRetention finished runs per job', async () => {
    h = await engineHarness({ runRetention: 5 });
    const job = await h.createJob({ schedule: { type: 'cron', expression: '* * * * * ?' }, overlap: 'allow' });
    await h.clock.advance(30 * S);
    const runs = await h.runs(job.id);
    expect(runs.length).toBeLessThanOrEqual(5 + 10); // pruned every 10 s
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect((await h.services.jobs.get(SYSTEM_ACTOR, job.id)).status.runCount).toBeGreaterThanOrEqual(29);
  });

  it('keeps at most fireRetention resolved fires per job in the ledger, never its pending ones', async () => {
    h = await engineHarness({ fireRetention: 8 });
    const job = await h.createJob({ schedule: { type: 'cron', expression: '* * * * * ?' }, overlap: 'allow' });
    await h.clock.advance(30 * S);
    const fires = (await h.store.listFires(job.id, { limit: 100, offset: 0 })).items;
    const resolved = fires.filter((f) => f.outcome !== 'pending');
    expect(resolved.length).toBeLessThanOrEqual(8 + 10); // pruned every 10 s
    expect(resolved.length).toBeGreaterThanOrEqual(8);
    // the newest are the ones kept
    expect(Math.max(...resolved.map((f) => f.scheduledFor))).toBeGreaterThanOrEqual(h.clock.now() - 2 * S);
    expect(fires.some((f) => f.outcome === 'pending')).toBe(true);
  });
});

describe('catch-up with fires acquired before a crash', () => {
  it('latest runs once for everything missed, including the fires the dead process had acquired', async () => {
    h = await engineHarness({ lookaheadMs: 5000 });
    const job = await h.createJob({ schedule: { type: 'cron', expression: '* * * * * ?' }, overlap: 'allow', catchUp: { policy: 'latest', window: 'PT1H' } });
    await h.clock.advance(1500); // fired at 1 s; 2..6 s acquired and pending
    h.clock.dropAll(); // the process dies
    await h.clock.advance(60 * S); // down for a minute
    await h.restart();
    await h.clock.advance(1 * S);
    const runs = await h.runs(job.id);
    expect(runs.filter((r) => r.trigger === 'catchUp')).toHaveLength(1);
    const fires = await h.fires(job.id);
    const instants = fires.map((f) => (f.scheduledFor - T0) / S);
    expect(new Set(instants).size).toBe(instants.length);
    // every second from 1 s to the restart has exactly one outcome
    expect(instants.slice(0, 60)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});
