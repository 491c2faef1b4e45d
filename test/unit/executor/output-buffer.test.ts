import { describe, expect, it } from 'vitest';
import { OutputBuffer } from '../../../src/executor/output-buffer.js';

function fill(buffer: OutputBuffer, text: string, chunkSize: number): void {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) buffer.append(bytes.subarray(i, i + chunkSize));
}

describe('OutputBuffer', () => {
  it('keeps everything under the limit, exactly', () => {
    const buffer = new OutputBuffer(100);
    fill(buffer, 'hello\nworld\n', 3);
    expect(buffer.toString()).toBe('hello\nworld\n');
    expect(buffer.totalBytes).toBe(12);
  });

  it('keeps head and tail halves with a marker counting the omitted bytes', () => {
    const buffer = new OutputBuffer(10);
    fill(buffer, '0123456789abcdefghijKLMNO', 4);
    expect(buffer.toString()).toBe('01234\n…[15 bytes omitted]…\nKLMNO');
  });

  it('gives the same result whatever the chunking (ring wrap-around)', () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join('');
    const expected = (() => {
      const b = new OutputBuffer(64);
      b.append(Buffer.from(text));
      return b.toString();
    })();
    for (const size of [1, 2, 7, 31, 32, 33, 100, 4096]) {
      const b = new OutputBuffer(64);
      fill(b, text, size);
      expect(b.toString(), `chunks of ${size}`).toBe(expected);
    }
    expect(expected.startsWith('line 0\nline 1\nline 2\nline 3\nline')).toBe(true);
    expect(expected.endsWith('line 498\nline 499\n')).toBe(true);
  });

  it('never cuts a multi-byte character in half at either edge', () => {
    const buffer = new OutputBuffer(9);
    // 'é' is 2 bytes, '€' 3 bytes: the 4-byte head ends inside the second 'é'.
    fill(buffer, 'aéé' + 'x'.repeat(50) + '€€', 1);
    const text = buffer.toString();
    expect(text).not.toContain('\uFFFD');
    expect(text.startsWith('aé\n…[')).toBe(true);
    expect(text.endsWith(']…\n€')).toBe(true);
  });

  it('stays bounded with a single huge chunk', () => {
    const buffer = new OutputBuffer(1024);
    buffer.append(Buffer.alloc(5_000_000, 'z'));
    const text = buffer.toString();
    expect(text.length).toBeLessThan(1100);
    expect(text).toContain('[4998976 bytes omitted]');
  });

  it('a zero limit keeps nothing but still counts', () => {
    const buffer = new OutputBuffer(0);
    buffer.append(Buffer.from('abc'));
    expect(buffer.toString()).toBe('\n…[3 bytes omitted]…\n');
  });
});
