import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY, SystemClock } from '../../../src/engine/clock.js';
import { FakeClock } from '../../../src/engine/fake-clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('SystemClock timers', () => {
  it('waits past 2^31 ms without firing early (Node would fire such a delay at once)', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = new SystemClock();
    const fired: number[] = [];
    const target = MAX_TIMER_DELAY + 5000;
    clock.at(target, () => fired.push(Date.now()));
    vi.advanceTimersByTime(MAX_TIMER_DELAY);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(4999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([target]);
  });

  it('re-arms toward the captured instant when woken early, and never fires before it', () => {
    vi.useFakeTimers({ now: 1_000 });
    const clock = new SystemClock();
    const fired: number[] = [];
    clock.at(2_000, () => fired.push(Date.now()));
    // The wall clock steps back 300 ms (NTP slew or a VM pause): setTimeout still wakes after 1000 ms.
    vi.setSystemTime(700);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
    expect(clock.prematureWakeups).toBe(1);
    vi.advanceTimersByTime(300);
    expect(fired).toEqual([2_000]);
  });

  it('fires a past instant on the next turn (never synchronously) and can be cancelled', () => {
    vi.useFakeTimers({ now: 10_000 });
    const clock = new SystemClock();
    let n = 0;
    clock.at(5_000, () => n++);
    expect(n).toBe(0);
    vi.advanceTimersByTime(0);
    expect(n).toBe(1);
    const t = clock.at(20_000, () => n++);
    t.cancel();
    vi.advanceTimersByTime(20_000);
    expect(n).toBe(1);
  });
});

describe('FakeClock', () => {
  it('runs timers in instant order, each at its instant', async () => {
    const clock = new FakeClock(0);
    const seen: [string, number][] = [];
    clock.at(300, () => seen.push(['c', clock.now()]));
    clock.at(100, () => seen.push(['a', clock.now()]));
    clock.at(200, () => {
      seen.push(['b', clock.now()]);
      clock.at(250, () => seen.push(['b2', clock.now()]));
    });
    await clock.advance(1000);
    expect(seen).toEqual([['a', 100], ['b', 200], ['b2', 250], ['c', 300]]);
    expect(clock.now()).toBe(1000);
  });
});
