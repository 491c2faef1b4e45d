/**
 * One attempt's output sink: every chunk (stdout and stderr interleaved in arrival order, an HTTP
 * body, SQL rows) goes into one bounded buffer, and is forwarded live as text when someone listens.
 */
import { StringDecoder } from 'node:string_decoder';
import { OutputBuffer } from './output-buffer.js';

export class StepOutput {
  private readonly buffer: OutputBuffer;
  private readonly live: ((text: string) => void) | null;
  /** One decoder per source, so a character split across two chunks of one stream is decoded whole. */
  private readonly decoders = new Map<string, StringDecoder>();

  constructor(maxBytes: number, live: ((text: string) => void) | null) {
    this.buffer = new OutputBuffer(maxBytes);
    this.live = live;
  }

  write(chunk: Buffer | string, source = 'out'): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.length === 0) return;
    this.buffer.append(bytes);
    if (this.live === null) return;
    let decoder = this.decoders.get(source);
    if (decoder === undefined) {
      decoder = new StringDecoder('utf8');
      this.decoders.set(source, decoder);
    }
    this.emit(decoder.write(bytes));
  }

  /** Flushes the live decoders and returns the kept text. */
  finish(): string {
    for (const decoder of this.decoders.values()) this.emit(decoder.end());
    this.decoders.clear();
    return this.buffer.toString();
  }

  private emit(text: string): void {
    if (text === '' || this.live === null) return;
    try {
      this.live(text);
    } catch {
      // An observer's failure must not break the run it observes.
    }
  }
}
