/**
 * Live events from `GET /api/v1/events`. The browser's EventSource cannot send an Authorization
 * header, so the stream is read with fetch() and parsed here (the text/event-stream format of the HTML
 * standard: `id:`, `event:`, `data:`, `retry:`, comments). On a drop it reconnects after the server's
 * `retry` with `Last-Event-ID`, so nothing in between is missed while the server still holds it.
 */

import { useEffect, useRef } from 'preact/hooks';
import { authHeaders, signalUnauthorized } from './api';

export interface LiveEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

type Listener = (e: LiveEvent) => void;

const listeners = new Set<Listener>();
/** The latest events, for pages opened after something they show was announced (a step that ended). */
const recent: LiveEvent[] = [];
const RECENT = 500;
const stateListeners = new Set<(s: LiveState) => void>();
let state: LiveState = 'off';
let controller: AbortController | null = null;

function setState(next: LiveState): void {
  state = next;
  for (const l of stateListeners) l(next);
}

export function liveState(): LiveState {
  return state;
}

export function onLiveState(listener: (s: LiveState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

/** Parses a text/event-stream incrementally: feed it chunks, it calls `emit` for each complete event. */
export class EventStreamParser {
  private buffer = '';
  private data: string[] = [];
  private type = '';
  lastId = '';
  retryMs: number | null = null;

  constructor(private readonly emit: (e: LiveEvent) => void) {}

  push(text: string): void {
    this.buffer += text;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const width = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.buffer = this.buffer.slice(nl + width);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return; // a comment (the server's keep-alive ping)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  private dispatch(): void {
    const type = this.type || 'message';
    const raw = this.data.join('\n');
    const had = this.data.length > 0;
    this.data = [];
    this.type = '';
    if (!had) return;
    let data: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object') data = parsed as Record<string, unknown>;
    } catch {
      data = { text: raw };
    }
    this.emit({ id: this.lastId, type, data });
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

async function run(signal: AbortSignal): Promise<void> {
  let lastId = '';
  let retryMs = 2000;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
      if (lastId) headers['last-event-id'] = lastId;
      const res = await fetch('/api/v1/events', { headers, cache: 'no-store', signal });
      if (res.status === 401) {
        signalUnauthorized();
        setState('off');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      setState('live');
      const parser = new EventStreamParser((e) => {
        recent.push(e);
        if (recent.length > RECENT) recent.splice(0, recent.length - RECENT);
        for (const l of listeners) l(e);
      });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
        lastId = parser.lastId || lastId;
        retryMs = parser.retryMs ?? retryMs;
      }
    } catch {
      // dropped or refused: try again below
    }
    if (signal.aborted) break;
    setState('reconnecting');
    await sleep(retryMs, signal);
  }
  setState('off');
}

/** Opens the one event stream of the page (again after a sign-in); `stopEvents` closes it. */
export function startEvents(): void {
  stopEvents();
  controller = new AbortController();
  setState('connecting');
  void run(controller.signal);
}

export function stopEvents(): void {
  controller?.abort();
  controller = null;
}

/** The latest events received (oldest first) that match `wanted`. */
export function recentEvents(wanted: (e: LiveEvent) => boolean): LiveEvent[] {
  return recent.filter(wanted);
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Calls `refresh` `waitMs` after an event matching `wanted` arrives, for as long as the component is
 * mounted; events in between join that one reload. (A throttle, not a debounce: on a busy scheduler
 * events never pause for `waitMs`, and the page must still refresh.)
 */
export function useLiveRefresh(wanted: (e: LiveEvent) => boolean, refresh: () => void, waitMs = 250): void {
  const latest = useRef({ wanted, refresh });
  latest.current = { wanted, refresh };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = subscribe((e) => {
      if (!latest.current.wanted(e) || timer) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current.refresh();
      }, waitMs);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [waitMs]);
}
