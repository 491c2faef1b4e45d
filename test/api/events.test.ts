/** Live events over SSE and live run output, on a listening server (inject cannot stream). */

import { afterEach, describe, expect, it } from 'vitest';
import { TEST_KEY, testSked, type TestSked } from '../support/app-harness.js';

let sked: TestSked;
let base = '';
afterEach(async () => sked?.close());

async function start(): Promise<void> {
  sked = await testSked();
  base = await sked.app.listen({ host: '127.0.0.1', port: 0 });
}

const auth = { authorization: `Bearer ${TEST_KEY}` };

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

interface Received {
  id: string;
  event: string;
  data: any;
}

/** Reads an SSE stream into `into` until aborted. */
async function readEvents(path: string, into: Received[], signal: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(base + path, { headers: { ...auth, accept: 'text/event-stream', ...headers }, signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
        if (fields['event']) into.push({ id: fields['id'] ?? '', event: fields['event'], data: JSON.parse(fields['data'] ?? '{}') });
      }
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  }
}

async function until<T>(probe: () => T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('GET /api/v1/events', () => {
  it('streams job changes and a run from start to finish, and resumes after Last-Event-ID', async () => {
    await start();
    const events: Received[] = [];
    const stop = new AbortController();
    const reading = readEvents('/api/v1/events', events, stop.signal);
    await new Promise((r) => setTimeout(r, 100));
    await call('PUT', '/api/v1/jobs/live', { name: 'live', schedule: { type: 'manual' }, steps: [{ stepIndex: 0, type: 'shell', script: 'echo hello' }] });
    const { runId } = await call('POST', '/api/v1/jobs/live/trigger', { payload: { a: 1 } });
    await until(() => events.find((e) => e.event === 'run.finished' && e.data.runId === runId));
    const mine = events.filter((e) => e.data.jobId === 'live').map((e) => e.event);
    expect(mine).toEqual(['job.created', 'job.triggered', 'run.started', 'run.step', 'run.finished']);
    expect(events.find((e) => e.event === 'run.finished')?.data.status).toBe('succeeded');
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    stop.abort();
    await reading;

    // reconnect after the first event: everything after it comes again, nothing before
    const again: Received[] = [];
    const stop2 = new AbortController();
    const reading2 = readEvents('/api/v1/events?types=run.*', again, stop2.signal, { 'last-event-id': events[0]!.id });
    await until(() => again.length >= 3);
    stop2.abort();
    await reading2;
    expect(again.map((e) => e.event)).toEqual(['run.started', 'run.step', 'run.finished']);
  });

  it('refuses a caller without a key', async () => {
    await start();
    const res = await fetch(`${base}/api/v1/events`);
    expect(res.status).toBe(401);
  });
});

describe('GET /api/v1/runs/{id}/log?follow=true', () => {
  it('streams what the run prints while it runs, then its final log, then ends', async () => {
    await start();
    await call('PUT', '/api/v1/jobs/slow', { name: 'slow', schedule: { type: 'manual' }, steps: [{ stepIndex: 0, type: 'shell', script: 'echo first; sleep 1; echo second' }] });
    const { runId } = await call('POST', '/api/v1/jobs/slow/trigger');
    await until(async () => (await call('GET', `/api/v1/runs/${runId}`)).status === 'running' || undefined);
    const res = await fetch(`${base}/api/v1/runs/${runId}/log?follow=true`, { headers: auth });
    const decoder = new TextDecoder();
    const seen: { at: number; text: string }[] = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) seen.push({ at: Date.now(), text: decoder.decode(chunk, { stream: true }) });
    const all = seen.map((s) => s.text).join('');
    expect(all).toContain('first');
    expect(all).toContain('second');
    expect(all).toMatch(/succeeded/);
    // 'first' arrived before the run finished: well before 'second'
    const firstAt = seen.find((s) => s.text.includes('first'))!.at;
    const secondAt = seen.find((s) => s.text.includes('second'))!.at;
    expect(secondAt - firstAt).toBeGreaterThan(500);
    expect((await call('GET', `/api/v1/runs/${runId}`)).status).toBe('succeeded');
  });
});
