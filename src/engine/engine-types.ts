/** The engine's configuration, its collaborators, and the context its parts share. */

import type { Logger } from '../domain/logger.js';
import type { SecretBox } from '../domain/secrets.js';
import type { RunStatus, StepResult } from '../domain/types.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import type { ExecutorPort } from './executor-port.js';
import type { JobCache } from './job-cache.js';

export interface EngineConfig {
  nodeId: string;
  /** Runs executing at once on this node. */
  concurrency: number;
  /** A trigger is claimed when its next fire is this close, and its fires are then acquired up to twice this far ahead. */
  lookaheadMs: number;
  /** How often the store is polled for due triggers and queued runs (wake-ups come sooner). */
  pollIntervalMs: number;
  /** Triggers claimed per store call. */
  acquireBatch: number;
  /** How long a claimed trigger stays leased. */
  leaseMs: number;
  /** A fire later than this is treated as missed (the job's catch-up policy decides). */
  misfireThresholdMs: number;
  heartbeatMs: number;
  /** A node whose heartbeat is older than this is dead (cluster). */
  nodeTtlMs: number;
  /** Fires resolved per store transaction at one instant. */
  resolveChunk: number;
  /** Finished runs kept per job; older ones are pruned in the background. */
  runRetention: number;
  /** Resolved fires kept per job in the ledger. */
  fireRetention: number;
  /** Clock skew against the store beyond this is a warning. */
  maxClockSkewMs: number;
  version: string;
  host: string;
}

export const DEFAULT_ENGINE_CONFIG: Omit<EngineConfig, 'nodeId' | 'version' | 'host'> = {
  concurrency: 64,
  lookaheadMs: 2000,
  pollIntervalMs: 500,
  acquireBatch: 250,
  leaseMs: 30_000,
  misfireThresholdMs: 5000,
  heartbeatMs: 2000,
  nodeTtlMs: 15_000,
  resolveChunk: 500,
  runRetention: 1000,
  fireRetention: 10_000,
  maxClockSkewMs: 1000,
};

/** What the engine reports as it works (metrics, live events). */
export interface EngineObserver {
  fire?(e: { jobId: string; scheduledFor: number; outcome: string; runId: string | null; firedAt: number }): void;
  runStarted?(e: { runId: string; jobId: string; trigger: string; scheduledFor: number | null; startedAt: number }): void;
  runFinished?(e: { runId: string; jobId: string; status: RunStatus; startedAt: number | null; finishedAt: number; error: string | null }): void;
  stepFinished?(runId: string, jobId: string, step: StepResult): void;
  output?(runId: string, position: number, phase: 'main' | 'onFailure', chunk: string): void;
  /**
   * A node joined the cluster: this one as it started (`self`), or another one seen appearing in the
   * nodes table (`seen`; not reported for the nodes already there when this node started).
   */
  nodeJoined?(e: NodeLifeEvent & { source: 'self' | 'seen' }): void;
  /**
   * A node left: this one as it stopped or found itself declared dead (`self`), one this node declared
   * dead (`takeover`), or one whose row went from the nodes table (`seen`).
   */
  nodeLeft?(e: NodeLifeEvent & { reason: 'stopped' | 'dead'; source: 'self' | 'seen' | 'takeover' }): void;
}

/** A node life (id and start instant) with what else identifies it. */
export interface NodeLifeEvent {
  nodeId: string;
  host: string;
  startedAt: number;
  version: string;
}

export interface EngineDeps {
  store: Store;
  executor: ExecutorPort;
  clock: Clock;
  config: EngineConfig;
  logger?: Logger;
  observer?: EngineObserver;
  /** Runs on every poll (the service resumes jobs whose pause expired). */
  maintenance?: () => Promise<void>;
  /** Opens the sealed secrets of a job for its run (and scrubs them from what the run reports). */
  secrets?: SecretBox;
}

export type EngineState = 'stopped' | 'running' | 'standby' | 'stopping';

/** What the engine's parts (the fire loop, the runner) share. */
export interface EngineContext {
  readonly store: Store;
  /** The engine's clock, corrected to the store's in a cluster. */
  readonly clock: Clock;
  readonly config: EngineConfig;
  readonly log: Logger;
  readonly observer: EngineObserver;
  readonly cache: JobCache;
  state(): EngineState;
  /** A store call failed since the last reconcile: runs may have been written but not started. */
  storeTrouble: boolean;
}

/** Lets the event loop run timers and I/O before going on (store calls are synchronous on SQLite). */
export function yieldToTimers(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
