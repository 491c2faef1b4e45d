/**
 * Time for the engine: an injected clock, so tests run on a fake one and never sleep.
 *
 * The system clock's timers cannot fire early and cannot drift: a timer is armed toward its target
 * instant, and when Node wakes it (timers may wake a little early or late, and cannot wait more than
 * 2^31-1 ms), it re-arms toward the same captured target until the clock has reached it.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `callback` once, at or after the instant `at` (never before, and never synchronously). */
  at(at: number, callback: () => void): TimerHandle;
}

/** Node's setTimeout cannot wait longer than this; longer waits are split. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

export class SystemClock implements Clock {
  /** Timer wake-ups that arrived before their instant and were re-armed (premature) — for metrics. */
  prematureWakeups = 0;

  now(): number {
    return Date.now();
  }

  at(at: number, callback: () => void): TimerHandle {
    let timer: NodeJS.Timeout | null = null;
    let cancelled = false;
    const fire = (): void => {
      const delay = at - Date.now();
      if (delay <= 0) {
        timer = null;
        if (!cancelled) callback();
        return;
      }
      this.prematureWakeups++;
      timer = setTimeout(fire, Math.min(delay, MAX_TIMER_DELAY));
    };
    // Always through the timer queue, even for an instant already past: a caller that stores the handle
    // after at() returns must never see its callback run before that.
    timer = setTimeout(fire, Math.min(Math.max(0, at - Date.now()), MAX_TIMER_DELAY));
    return {
      cancel: () => {
        cancelled = true;
        if (timer) clearTimeout(timer);
      },
    };
  }
}
