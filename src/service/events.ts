/**
 * Live events: what changes and what runs, for the dashboard and `sked runs logs -f`. Each node keeps
 * the latest events in a ring buffer with increasing ids, so a client that reconnects with
 * `Last-Event-ID` gets what it missed (as long as it is still in the buffer), and the output of the runs
 * executing here, so a follower first gets what was printed so far.
 *
 * In a cluster the low-volume events (job changes, scheduler standby/start, cancellations, nodes joining
 * and leaving) are relayed between nodes (event-relay.ts), so every node's stream shows them; they get
 * ids in the receiving node's sequence. The per-run events (fire, run.*) stay on the node where the run
 * happened: at thousands of fires a second they would flood the store.
 *
 * Node events are changes of state, so each appears once per node: a node hears that another one joined
 * or left both from that node (relayed) and from its own view of the nodes table, and the second is dropped.
 */

export interface SkedEvent {
  /** Increasing per node (resets when the node restarts: a larger Last-Event-ID means "everything"). */
  id: number;
  type: string;
  at: number;
  /** Instants may be epoch milliseconds under keys ending in `At` or `For`: eventJson writes them in RFC 3339. */
  data: Record<string, unknown>;
  /** Relayed from another node of the cluster: that node's id (not part of what clients see). */
  origin?: string | undefined;
  /** Not to be relayed even if its type is (every node publishes it for itself). */
  local?: boolean | undefined;
}

export interface PublishOptions {
  /** When it happened (default: now). */
  at?: number | undefined;
  /** See SkedEvent.origin. */
  origin?: string | undefined;
  /** See SkedEvent.local. */
  local?: boolean | undefined;
  /**
   * For node.joined/node.left: the news comes from the node itself (it started, stopped, or rejoined
   * after being declared dead), which may bring back a node seen leaving; otherwise only news is kept.
   */
  fromTheNode?: boolean | undefined;
}

/** Event types relayed between the nodes of a cluster: the low-volume ones. */
export const RELAYED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'job.created',
  'job.updated',
  'job.deleted',
  'job.paused',
  'job.resumed',
  'job.triggered',
  'scheduler.standby',
  'scheduler.started',
  'node.joined',
  'node.left',
  'run.cancelled',
]);

/** Nodes remembered for de-duplicating node events (a node life is its id and start instant). */
const NODES_KEPT = 1000;

/**
 * Which node lives this node has announced as joined or left: a node.joined or node.left that repeats
 * the last word on a node life is dropped, and so is a node.joined after its node.left unless it comes
 * from the node itself (a node declared dead that came back).
 */
export class NodePresence {
  private readonly known = new Map<string, 'joined' | 'left'>();

  /** Whether the event is news (and records it). */
  accept(type: 'node.joined' | 'node.left', nodeId: string, startedAt: unknown, fromTheNode: boolean): boolean {
    const key = `${nodeId}@${String(startedAt)}`;
    const last = this.known.get(key);
    if (type === 'node.joined' ? last === 'joined' || (last === 'left' && !fromTheNode) : last === 'left') return false;
    this.known.delete(key);
    this.known.set(key, type === 'node.joined' ? 'joined' : 'left');
    if (this.known.size > NODES_KEPT) this.known.delete(this.known.keys().next().value as string);
    return true;
  }
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
  private readonly presence = new NodePresence();

  constructor(private readonly now: () => number = Date.now) {}

  /** Publishes an event to this node's listeners; null when it was a node event already told. */
  publish(type: string, data: Record<string, unknown>, options: PublishOptions = {}): SkedEvent | null {
    if ((type === 'node.joined' || type === 'node.left') && !this.presence.accept(type, String(data['nodeId']), data['startedAt'], options.fromTheNode === true)) return null;
    const event: SkedEvent = { id: ++this.seq, type, at: options.at ?? this.now(), data };
    if (options.origin !== undefined) event.origin = options.origin;
    if (options.local) event.local = true;
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
