/**
 * The store port: everything sked keeps, behind one interface with two implementations (SQLite for one
 * node, PostgreSQL for a cluster) that pass the same contract suite (test/contract/). It exposes no
 * connection or transaction type: each method is one atomic operation.
 *
 * Scheduling model (see engine/): every job has a trigger row holding its next fire instant. A node
 * claims due triggers with a short lease, computes their fires up to a horizon, and commits them in one
 * transaction as `pending` rows of the fire ledger while advancing the trigger. At each fire's instant
 * the node resolves the pending row to its outcome (`run`, `skipped`) and inserts the run. The ledger's
 * primary key (job_id, scheduled_for) is the final guard against double firing.
 *
 * Errors: implementations throw SkedError from domain/errors.ts (NOT_FOUND, CONFLICT,
 * PRECONDITION_FAILED), mapped from driver errors in one file per backend.
 */

import type {
  ApiKey,
  AuditEntry,
  Collection,
  Fire,
  FireOutcome,
  Instant,
  Job,
  JobState,
  NodeInfo,
  Run,
  RunStatus,
  RunTrigger,
  StepResult,
} from '../domain/types.js';

/** Named differences between backends, in one place (pg-boss's "single source of truth"). */
export interface StoreCapabilities {
  /** Several processes may share the store (PostgreSQL): leases and SKIP LOCKED matter. */
  readonly multiNode: boolean;
  /** The store can push wake-ups between nodes (LISTEN/NOTIFY). */
  readonly notifications: boolean;
}

export type JobSortKey = 'id' | 'name' | 'createdAt' | 'updatedAt' | 'nextFireTime' | 'state';

export interface JobQuery {
  limit: number;
  offset: number;
  state?: JobState | undefined;
  collection?: string | undefined;
  /** Every label must match exactly. */
  labels?: Record<string, string> | undefined;
  /** Case-insensitive substring of the name. */
  nameContains?: string | undefined;
  ids?: string[] | undefined;
  /** Sort keys, each optionally prefixed by `-` for descending; `id` is always appended as a tie-break. */
  sort?: { key: JobSortKey; descending: boolean }[] | undefined;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** A trigger claimed by a node for acquisition. */
export interface ClaimedTrigger {
  jobId: string;
  /** The fire instant stored on the trigger (the first one to compute from). */
  nextFireAt: Instant;
  /** The job's version when claimed: acquisition is committed only if it is unchanged. */
  version: number;
}

/** The result of acquiring one claimed trigger. */
export interface Acquisition {
  jobId: string;
  version: number;
  /** Fire instants acquired (ascending), written as pending ledger rows. */
  fires: Instant[];
  /** The trigger's new next fire instant; null when the schedule has no further fire. */
  nextFireAt: Instant | null;
  /**
   * The schedule is exhausted. The job becomes `completed` once none of its fires is pending any more
   * (here if no fire was acquired, else when resolveFires/insertFires resolves the last one); until then
   * it stays enabled and its status shows the pending fire as its next fire time.
   */
  completed: boolean;
}

export interface NewRun {
  id: string;
  jobId: string;
  trigger: RunTrigger;
  scheduledFor: Instant | null;
  queuedAt: Instant;
  /** `running` when the node starts it at once, else `queued` for any node to claim. */
  status: 'queued' | 'running';
  nodeId: string | null;
  startedAt: Instant | null;
  attempt: number;
  retryOf: string | null;
  notBefore: Instant | null;
  payload: unknown;
  /**
   * Runs of this job must not run concurrently (the job's overlap policy is not `allow`): a queued
   * exclusive run is only claimed while no run of the same job is running, oldest first.
   */
  exclusive: boolean;
}

/** The outcome of one pending fire, decided at its instant. */
export interface FireResolution {
  jobId: string;
  scheduledFor: Instant;
  outcome: Exclude<FireOutcome, 'pending'>;
  firedAt: Instant;
  /** The run to insert when outcome is `run`. */
  run: NewRun | null;
  /**
   * False when the caller knows the job's schedule fires again after this fire, so resolving it cannot
   * complete the job and the store need not check; absent or true: the store checks.
   */
  mayComplete?: boolean;
}

/** A fire written straight to its outcome (catch-up after downtime, or a fire missed). */
export interface DirectFire {
  jobId: string;
  scheduledFor: Instant;
  outcome: 'run' | 'missed';
  firedAt: Instant;
  run: NewRun | null;
  /** As FireResolution.mayComplete. */
  mayComplete?: boolean;
}

export interface RunFinish {
  id: string;
  jobId: string;
  status: Exclude<RunStatus, 'queued' | 'running'>;
  startedAt: Instant | null;
  finishedAt: Instant;
  error: string | null;
  steps: StepResult[];
  /** Counted in the job's failureCount. */
  failed: boolean;
}

export interface ActiveRun {
  id: string;
  jobId: string;
  status: 'queued' | 'running';
  nodeId: string | null;
}

export interface AuditQuery {
  limit: number;
  offset: number;
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  /** Actor id (key prefix) or name. */
  actor?: string | undefined;
  from?: Instant | undefined;
  to?: Instant | undefined;
}

export interface RunQuery {
  limit: number;
  offset: number;
  jobId?: string | undefined;
  status?: RunStatus[] | undefined;
  /** On scheduledFor, or queuedAt for runs without one. */
  from?: Instant | undefined;
  to?: Instant | undefined;
}

export interface FireQuery {
  limit: number;
  offset: number;
  from?: Instant | undefined;
  to?: Instant | undefined;
  outcome?: FireOutcome | undefined;
}

export type WakeTopic = 'triggers' | 'runs' | 'cancel' | 'scheduler';

/** One live event relayed to the other nodes of a cluster (what it means is the service's business). */
export interface RelayedEvent {
  /** Increasing per publishing node life: receivers drop what they saw already. */
  seq: number;
  type: string;
  /** When it happened, epoch ms. */
  at: Instant;
  /** JSON-safe (instants as epoch ms, as the publishing node had them). */
  data: Record<string, unknown>;
}

/** Live events one node relays to the others at once. */
export interface EventBatch {
  /** The node the events happened on. */
  nodeId: string;
  /** Tells apart the lives of a node id (its `seq` starts again with each). */
  instance: string;
  events: RelayedEvent[];
}

/** A pending fire held by a node (the IDM seed's acquired triggers). */
export interface PendingFire {
  jobId: string;
  scheduledFor: Instant;
  nodeId: string;
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;

  /** Applies pending migrations (safe when several nodes start at once). */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** The store's clock, epoch ms: the time authority in a cluster. */
  now(): Promise<Instant>;
  /** Resolves when the store answers. */
  ping(): Promise<void>;

  // --- jobs -----------------------------------------------------------------------------------

  /**
   * Inserts a job and its trigger (next fire `nextFireAt`, null = nothing scheduled).
   * CONFLICT when the id exists.
   */
  insertJob(job: Job, nextFireAt: Instant | null): Promise<void>;
  /**
   * Replaces a job whose stored version is `expectedVersion` (PRECONDITION_FAILED otherwise, NOT_FOUND if
   * absent); `job.version` is the new version. When `resetTrigger` is given, the trigger's next fire is set
   * to it, its lease is cleared, and the job's pending (not yet resolved) fires are deleted, so a changed
   * schedule never fires its old instants.
   */
  updateJob(job: Job, expectedVersion: number, resetTrigger?: { nextFireAt: Instant | null }): Promise<void>;
  getJob(id: string): Promise<Job | null>;
  /** Jobs by id, in no particular order; missing ids are left out. */
  getJobs(ids: string[]): Promise<Job[]>;
  listJobs(query: JobQuery): Promise<Page<Job>>;
  /**
   * Deletes a job with its trigger, pending fires, fire ledger, runs and step results. False when absent;
   * PRECONDITION_FAILED when `expectedVersion` is given and differs.
   */
  deleteJob(id: string, expectedVersion?: number): Promise<boolean>;
  /** Job counts by state, and in all. */
  countJobs(collection?: string): Promise<{ total: number; byState: Record<JobState, number> }>;
  /** Ids of paused jobs whose pause has an `until` at or before `now`. */
  expiredPauses(now: Instant): Promise<string[]>;

  // --- triggers and the fire ledger -------------------------------------------------------------

  /**
   * Claims up to `limit` triggers whose next fire is at or before `horizon` and that are not leased
   * (or whose lease expired before `now`), oldest first, leasing them to `nodeId` until `leaseUntil`.
   * Concurrent callers never claim the same trigger.
   */
  claimDueTriggers(
    nodeId: string,
    now: Instant,
    horizon: Instant,
    limit: number,
    leaseUntil: Instant,
  ): Promise<ClaimedTrigger[]>;
  /**
   * In one transaction, for each acquisition whose trigger is still leased to `nodeId` and whose job is
   * still at `version`: inserts its fires as pending ledger rows held by `nodeId` (a fire whose key
   * exists is skipped), advances the trigger to `nextFireAt` and releases the lease; a completed job gets
   * state `completed`. Acquisitions that no longer hold (job changed or deleted, lease lost) are dropped.
   * Returns the fires actually inserted.
   */
  commitAcquisitions(nodeId: string, acquisitions: Acquisition[]): Promise<PendingFire[]>;
  /** Releases leases held by a node on triggers (shutdown). */
  releaseTriggers(nodeId: string): Promise<void>;
  /**
   * In one transaction, for each resolution whose ledger row is still pending: sets its outcome, fired-at
   * instant and run id, and inserts its run. Returns the resolutions applied (others were deleted by a
   * job change, or resolved already).
   */
  resolveFires(nodeId: string, resolutions: FireResolution[]): Promise<FireResolution[]>;
  /** Writes fires directly with their outcome (catch-up, missed fires); existing keys are skipped. */
  insertFires(fires: DirectFire[]): Promise<DirectFire[]>;
  /** Pending fires held by these nodes, oldest first. */
  pendingFires(nodeIds: string[]): Promise<PendingFire[]>;
  /** Moves pending fires from dead nodes to `toNode`; returns them. */
  takeOverPendingFires(fromNodes: string[], toNode: string): Promise<PendingFire[]>;
  /**
   * Gives back pending fires held by these nodes (all, or those scheduled before `before`): in one
   * transaction their ledger rows are deleted and each job's trigger is moved back to its earliest
   * such fire (lease cleared), so the next acquisition computes them again — and applies the job's
   * catch-up policy once to everything that was missed. Used for fires left by a dead node and on
   * standby. Returns how many fires were given back.
   */
  rewindPendingFires(nodeIds: string[], before: Instant | null): Promise<number>;
  /** Pending (acquired) fires of every node, oldest first. */
  listPendingFires(limit: number): Promise<PendingFire[]>;
  /** Triggers waiting to be acquired (next fire set, not leased), soonest first. */
  listWaitingTriggers(limit: number): Promise<{ jobId: string; nextFireAt: Instant }[]>;
  /** A job's fire ledger, newest first. */
  listFires(jobId: string, query: FireQuery): Promise<Page<Fire>>;
  /** The trigger's next fire instant (null when none or no such job). */
  nextFireAt(jobId: string): Promise<Instant | null>;

  // --- runs ---------------------------------------------------------------------------------------

  insertRuns(runs: NewRun[]): Promise<void>;
  /**
   * Inserts `run` only when its job has no queued or running run, the check and the insert made
   * together: of concurrent calls for one job (on any node), at most one inserts. False when the job
   * has such a run (nothing is written); NOT_FOUND when the job does not exist, CONFLICT on a duplicate
   * run id. A run written meanwhile by another call (a fire resolved, a retry) is seen once committed.
   */
  insertRunIfIdle(run: NewRun): Promise<boolean>;
  /** Queued and running runs (of the given jobs, or all). */
  activeRuns(jobIds?: string[]): Promise<ActiveRun[]>;
  /**
   * Claims up to `limit` queued runs whose notBefore is at or before `now`, oldest first, marking them
   * running on `nodeId` with startedAt = `now`. An exclusive run is only claimed while no other run of its
   * job is running, and at most one per job per call.
   */
  claimQueuedRuns(nodeId: string, now: Instant, limit: number): Promise<Run[]>;
  /**
   * Records finished runs: status, times, error, step results; updates each job's lastRun, runCount and
   * failureCount. Finishing a run that is already finished is a no-op.
   */
  finishRuns(finishes: RunFinish[]): Promise<void>;
  /** Marks a queued run cancelled (returns false when it is not queued). */
  cancelQueuedRun(id: string, at: Instant): Promise<boolean>;
  /** Marks running runs of these nodes `interrupted` and returns them. */
  interruptRuns(nodeIds: string[], at: Instant, error: string): Promise<Run[]>;
  getRun(id: string): Promise<Run | null>;
  listRuns(query: RunQuery): Promise<Page<Run>>;
  /** Deletes the oldest finished runs of a job beyond `keep`; returns how many were deleted. */
  pruneRuns(jobId: string, keep: number): Promise<number>;
  /**
   * Deletes the oldest resolved fires of a job's ledger beyond `keep` (pending fires are kept); returns
   * how many were deleted.
   */
  pruneFires(jobId: string, keep: number): Promise<number>;

  // --- cluster coordination ----------------------------------------------------------------------

  /**
   * Wakes the other nodes: `triggers` (a job was created, changed or resumed: acquire now), `runs` (runs
   * were queued: claim them), `cancel` (a cancellation was requested). A no-op without notifications.
   */
  notify(topic: WakeTopic): Promise<void>;
  /** Calls `handler` on wake-ups from other nodes; resolves to an unsubscribe function. */
  listen(handler: (topic: WakeTopic) => void): Promise<() => Promise<void>>;
  /**
   * Optional (stores that can push between nodes; absent on SQLite, where there is one node): sends live
   * events to the `listenEvents` handlers of the other nodes, never back to this store's own, split into
   * as many notifications as the backend needs (PostgreSQL: payloads under 8000 bytes; an event too
   * large for one alone is dropped and reported to the store's background error hook). Best effort: a
   * node not listening at that moment (starting, reconnecting) misses them.
   */
  publishEvents?(batch: EventBatch): Promise<void>;
  /**
   * Optional, with publishEvents: calls `handler` with the events other nodes publish, in the order each
   * node published them; resolves to an unsubscribe function. Rejects with UNAVAILABLE when the first
   * connection fails.
   */
  listenEvents?(handler: (batch: EventBatch) => void): Promise<() => Promise<void>>;
  /** Asks whichever node runs this run to cancel it; false when it is not running. */
  requestCancel(runId: string, at: Instant): Promise<boolean>;
  /** Runs running on `nodeId` whose cancellation was requested. */
  cancelRequests(nodeId: string): Promise<string[]>;

  // --- nodes, collections, settings -------------------------------------------------------------

  /**
   * Inserts or refreshes a node's row; true when the row was there. A node that finds its row gone was
   * declared dead by the others (its runs and fires were taken over) while it could not reach the store.
   */
  heartbeat(node: NodeInfo): Promise<boolean>;
  listNodes(): Promise<NodeInfo[]>;
  removeNode(id: string): Promise<void>;

  getCollection(name: string): Promise<Collection | null>;
  listCollections(): Promise<Collection[]>;
  putCollection(collection: Collection): Promise<void>;
  /** False when absent; CONFLICT when it still holds jobs. */
  deleteCollection(name: string): Promise<boolean>;

  getSetting(key: string): Promise<unknown>;
  setSetting(key: string, value: unknown): Promise<void>;

  // --- API keys and the audit log ------------------------------------------------------------------

  /** CONFLICT when the id (prefix) exists. */
  insertApiKey(key: ApiKey): Promise<void>;
  /** Replaces a key's row entirely (the bootstrap key installed from SKED_API_KEY). */
  upsertApiKey(key: ApiKey): Promise<void>;
  getApiKey(id: string): Promise<ApiKey | null>;
  /** Every key, revoked ones included, oldest first. */
  listApiKeys(): Promise<ApiKey[]>;
  /** Sets revokedAt; false when absent or already revoked. */
  revokeApiKey(id: string, at: Instant): Promise<boolean>;
  /** Records the key's last use (callers throttle how often). */
  touchApiKey(id: string, at: Instant): Promise<void>;
  appendAudit(entries: AuditEntry[]): Promise<void>;
  /** Newest first. */
  listAudit(query: AuditQuery): Promise<Page<AuditEntry>>;
}
