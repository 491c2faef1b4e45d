/**
 * The store's clock as the time authority: a local clock shifted by the measured offset to the
 * database's clock, so every node of a cluster fires by the same time even when their own clocks differ.
 */

import type { Clock, TimerHandle } from './clock.js';

export class CorrectedClock implements Clock {
  /** Store clock minus local clock, ms. */
  offsetMs = 0;

  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  at(at: number, callback: () => void): TimerHandle {
    // The base timer re-arms toward its target, so an offset that changes later is picked up only by
    // timers armed after the change; offsets move by milliseconds, not seconds.
    return this.base.at(at - this.offsetMs, callback);
  }

  /** The base clock (for measuring the offset). */
  local(): number {
    return this.base.now();
  }
}
