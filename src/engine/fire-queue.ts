/** Acquired fires waiting for their instant, grouped by instant, earliest first. */

import type { PendingFire } from '../store/store.js';

export class FireQueue {
  private readonly batches = new Map<number, PendingFire[]>();
  /** Binary min-heap of the instants that have a batch. */
  private readonly heap: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(fire: PendingFire): void {
    const batch = this.batches.get(fire.scheduledFor);
    if (batch) {
      batch.push(fire);
    } else {
      this.batches.set(fire.scheduledFor, [fire]);
      this.push(fire.scheduledFor);
    }
    this.count++;
  }

  /** The earliest instant with a waiting fire. */
  earliest(): number | undefined {
    return this.heap[0];
  }

  /** Removes and returns every fire due at or before `now`, oldest instant first. */
  takeDue(now: number): PendingFire[] {
    const out: PendingFire[] = [];
    while (this.heap.length && (this.heap[0] as number) <= now) {
      const instant = this.pop();
      const batch = this.batches.get(instant);
      this.batches.delete(instant);
      if (batch) for (const f of batch) out.push(f);
    }
    this.count -= out.length;
    return out;
  }

  /** Drops a job's waiting fires (its schedule changed); returns how many. */
  removeJob(jobId: string): number {
    let removed = 0;
    for (const [instant, batch] of this.batches) {
      const kept = batch.filter((f) => f.jobId !== jobId);
      removed += batch.length - kept.length;
      if (kept.length) this.batches.set(instant, kept);
      else this.batches.set(instant, []);
    }
    this.count -= removed;
    return removed;
  }

  /** Everything still waiting (shutdown, standby). */
  drain(): PendingFire[] {
    return this.takeDue(Infinity);
  }

  private push(v: number): void {
    const h = this.heap;
    h.push(v);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as number) <= v) break;
      h[i] = h[p] as number;
      i = p;
    }
    h[i] = v;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0] as number;
    const last = h.pop() as number;
    if (h.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < h.length && (h[l] as number) < mv) {
          m = l;
          mv = h[l] as number;
        }
        if (r < h.length && (h[r] as number) < mv) {
          m = r;
          mv = h[r] as number;
        }
        if (m === i) break;
        h[i] = mv;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
