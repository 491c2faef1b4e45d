/**
 * Group commit: items added during one turn of the event loop are written together in one call, and
 * while a write is under way new items gather for the next one. Under load this turns thousands of
 * single-row writes per second into a few transactions.
 */

export class Batcher<T> {
  private items: T[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly onError: (err: unknown, items: T[]) => void,
    private readonly maxBatch = 1000,
    /** A failed write is retried after this delay (the store may be restarting). */
    private readonly retryMs = 1000,
  ) {}

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.push(item);
    if (!this.scheduled && !this.flushing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  /** Writes everything added so far; resolves when it is written. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.items.length) return;
    const batch = this.items.splice(0, this.maxBatch);
    let failed = false;
    this.flushing = this.write(batch)
      .catch((err: unknown) => {
        failed = true;
        this.onError(err, batch);
        this.items.unshift(...batch);
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
    if (failed) {
      setTimeout(() => void this.flush(), this.retryMs).unref();
      return;
    }
    if (this.items.length) {
      // Between batches, let timers and I/O run (a synchronous store must not starve the event loop).
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.flush();
    }
  }
}
