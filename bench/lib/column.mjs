/** A growable column of numbers (timestamps, latencies) in a Float64Array: no per-sample object. */
export class Column {
  constructor() {
    this.data = new Float64Array(1 << 16);
    this.length = 0;
  }
  push(v) {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  reset() {
    this.length = 0;
  }
}
