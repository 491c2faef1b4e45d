/**
 * Live events: what changes and what runs, for the dashboard and `sked runs logs -f`. Each node keeps
 * the latest events in a ring buffer with increasing ids, so a client that reconnects with
 * `Last-Event-ID` gets what it missed (as long as it is still in the buffer), and the output of the runs
 * executing here, so a follower first gets what was printed so far.
 */

export interface SkedEvent {
  /** Increasing per node (resets when the node restarts: a larger Last-Event-ID means "everything"). */
  id: number;
  type: string;
  at: number;
  /** Instants may be epoch milliseconds under keys ending in `At` or `For`: eventJson writes them in RFC 3339. */
  data: Record<string, unknown>;
}

/**
 * An event's data as JSON, with its instants in RFC 3339 UTC. Publishers hand over epoch milliseconds
 * (no formatting on the hot path for events nobody may read); formatting happens here, once per send.
 */
export function eventJson(e: SkedEvent): string {
  return JSON.stringify({ ...e.data, at: e.at }, (key, value: unknown) =>
    typeof value === 'number' && (key.endsWith('At') || key.endsWith('For') || key === 'at') ? new Date(value).toISOString() : value,
  );
}

type Listener = (event: SkedEvent) => void;
type OutputListener = (chunk: { position: number; phase: string; text: string } | null) => void;

const BUFFER = 10_000;
const OUTPUT_KEPT = 256 * 1024;

export class EventBus {
  /** A circular buffer of the last BUFFER events: slot (id - 1) % BUFFER. */
  private readonly ring: (SkedEvent | undefined)[] = new Array<SkedEvent | undefined>(BUFFER);
  private seq = 0;
  private readonly listeners = new Set<Listener>();
  private readonly outputs = new Map<string, { text: string; listeners: Set<OutputListener> }>();

  constructor(private readonly now: () => number = Date.now) {}

  publish(type: string, data: Record<string, unknown>): SkedEvent {
    const event: SkedEvent = { id: ++this.seq, type, at: this.now(), data };
    this.ring[(event.id - 1) % BUFFER] = event;
    for (const l of this.listeners) l(event);
    return event;
  }

  /** Events after `lastId` still in the buffer (all of them when lastId is unknown or from a previous life). */
  since(lastId: number | null): SkedEvent[] {
    if (lastId === null) return [];
    const from = lastId > this.seq ? 0 : lastId;
    const out: SkedEvent[] = [];
    for (let id = Math.max(from + 1, this.seq - BUFFER + 1); id <= this.seq; id++) {
      const e = this.ring[(id - 1) % BUFFER];
      if (e && e.id === id) out.push(e);
    }
    return out;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- live output of runs executing on this node ---------------------------------------------------

  /** A run started here: keep its output as it comes. */
  runStarted(runId: string): void {
    if (!this.outputs.has(runId)) this.outputs.set(runId, { text: '', listeners: new Set() });
  }

  output(runId: string, position: number, phase: string, text: string): void {
    const entry = this.outputs.get(runId);
    if (!entry) return;
    entry.text = (entry.text + text).slice(-OUTPUT_KEPT);
    for (const l of entry.listeners) l({ position, phase, text });
  }

  /** The run ended: followers get `null` and the kept output is dropped. */
  runFinished(runId: string): void {
    const entry = this.outputs.get(runId);
    if (!entry) return;
    this.outputs.delete(runId);
    for (const l of entry.listeners) l(null);
  }

  /** Follows a run executing on this node: what it printed so far, then each chunk; null when it is not here. */
  follow(runId: string, listener: OutputListener): { sofar: string; stop: () => void } | null {
    const entry = this.outputs.get(runId);
    if (!entry) return null;
    entry.listeners.add(listener);
    return { sofar: entry.text, stop: () => entry.listeners.delete(listener) };
  }
}
