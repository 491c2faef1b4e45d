/**
 * A bounded byte buffer for a step's output: it keeps the first half of the limit (head) and the last
 * half (tail, in a fixed ring), counts what fell in between, and renders `head + marker + tail` as
 * text. Memory stays within the limit whatever the step prints, and each byte is copied at most once.
 */

export class OutputBuffer {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  /** Allocated on first overflow of the head. */
  private ring: Buffer | null = null;
  /** Bytes ever written into the ring; the next write goes to ringWritten % tailLimit. */
  private ringWritten = 0;
  private total = 0;

  constructor(maxBytes: number) {
    const limit = Math.max(0, Math.floor(maxBytes));
    this.headLimit = Math.floor(limit / 2);
    this.tailLimit = limit - this.headLimit;
  }

  /** Bytes appended so far, kept or not. */
  get totalBytes(): number {
    return this.total;
  }

  append(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headLimit) {
      const take = Math.min(rest.length, this.headLimit - this.headBytes);
      // Copy: a slice would pin the whole (possibly large) chunk in memory.
      this.head.push(Buffer.from(rest.subarray(0, take)));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length > 0 && this.tailLimit > 0) this.writeRing(rest);
  }

  /** The kept output as UTF-8 text (invalid sequences become U+FFFD), with a marker where bytes were dropped. */
  toString(): string {
    const head = Buffer.concat(this.head);
    const tail = this.ringContents();
    const omitted = this.total - head.length - tail.length;
    if (omitted === 0) return Buffer.concat([head, tail]).toString('utf8');
    // Cut at character boundaries so the kept text does not start or end with a broken character.
    const headEnd = utf8BoundaryBefore(head, head.length);
    const tailStart = utf8BoundaryAfter(tail, 0);
    const dropped = omitted + (head.length - headEnd) + tailStart;
    return (
      head.subarray(0, headEnd).toString('utf8') +
      `\n…[${dropped} bytes omitted]…\n` +
      tail.subarray(tailStart).toString('utf8')
    );
  }

  private writeRing(bytes: Buffer): void {
    const size = this.tailLimit;
    this.ring ??= Buffer.allocUnsafe(size);
    // Only the last `size` bytes of a big chunk can survive.
    const src = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    this.ringWritten += bytes.length - src.length;
    let offset = 0;
    while (offset < src.length) {
      const at = this.ringWritten % size;
      const n = Math.min(size - at, src.length - offset);
      src.copy(this.ring, at, offset, offset + n);
      offset += n;
      this.ringWritten += n;
    }
  }

  private ringContents(): Buffer {
    if (this.ring === null) return Buffer.alloc(0);
    const size = this.tailLimit;
    if (this.ringWritten <= size) return this.ring.subarray(0, this.ringWritten);
    const at = this.ringWritten % size;
    return Buffer.concat([this.ring.subarray(at), this.ring.subarray(0, at)]);
  }
}

/** The largest index <= end that does not split a UTF-8 sequence ending before `end`. */
function utf8BoundaryBefore(bytes: Buffer, end: number): number {
  // Walk back over at most 3 continuation bytes to the lead byte, and keep the sequence only if complete.
  let i = end;
  let continuation = 0;
  while (i > 0 && continuation < 3 && isContinuation(bytes[i - 1])) {
    i--;
    continuation++;
  }
  if (i === 0) return end;
  const lead = bytes[i - 1];
  const length = sequenceLength(lead);
  if (length === 1) return end;
  return continuation + 1 >= length ? end : i - 1;
}

/** The first index >= start that is not a UTF-8 continuation byte (at most 3 skipped). */
function utf8BoundaryAfter(bytes: Buffer, start: number): number {
  let i = start;
  while (i < bytes.length && i - start < 3 && isContinuation(bytes[i])) i++;
  return i;
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

function sequenceLength(lead: number | undefined): number {
  if (lead === undefined || lead < 0xc0) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}
