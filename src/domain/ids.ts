/** Identifiers: UUIDv7 (time-ordered, so new rows land at the end of indexes) for runs and jobs. */

import { randomBytes } from 'node:crypto';

let pool = Buffer.alloc(0);
let poolOffset = 0;
let lastMs = -1;
let counter = 0;

function random(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A UUIDv7; ids made in the same millisecond by this process still sort in creation order. */
export function uuidv7(nowMs: number = Date.now()): string {
  const bytes = Buffer.from(random(16));
  let ms = nowMs;
  if (ms <= lastMs) {
    ms = lastMs;
    counter = (counter + 1) & 0xfff;
    if (counter === 0) ms = ++lastMs;
  } else {
    lastMs = ms;
    counter = bytes.readUInt16BE(6) & 0x3ff;
  }
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[bytes[i] as number];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}
