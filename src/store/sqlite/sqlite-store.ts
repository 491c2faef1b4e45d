/**
 * The Store port on SQLite (better-sqlite3): one node, one file, WAL. Each method is one atomic
 * operation, delegated to a group (jobs, fires, runs, nodes, collections, settings) that owns its SQL;
 * driver errors become SkedErrors here, through sqlite-errors.ts.
 *
 * better-sqlite3 is synchronous: a call holds the event loop for its duration, which for the batched
 * hot paths is far shorter than an asynchronous round-trip would be.
 */

import type { ApiKey, AuditEntry, Collection, Fire, Instant, Job, JobState, NodeInfo, Run } from '../../domain/types.js';
import type {
  Acquisition,
  ActiveRun,
  AuditQuery,
  ClaimedTrigger,
  DirectFire,
  FireQuery,
  FireResolution,
  JobQuery,
  NewRun,
  Page,
  PendingFire,
  RunFinish,
  RunQuery,
  Store,
  StoreCapabilities,
  WakeTopic,
} from '../store.js';
import { SqliteAccess } from './sqlite-access.js';
import { SqliteCollections } from './sqlite-collections.js';
import { openSqliteDatabase } from './sqlite-connection.js';
import { toStoreError } from './sqlite-errors.js';
import { SqliteFires } from './sqlite-fires.js';
import { SqliteJobs } from './sqlite-jobs.js';
import { applyMigrations } from './sqlite-migrations.js';
import { SqliteNodes } from './sqlite-nodes.js';
import { SqliteRuns } from './sqlite-runs.js';
import { SqliteSession } from './sqlite-session.js';
import { SqliteSettings } from './sqlite-settings.js';
import { PING } from './sqlite-sql.js';

export const SQLITE_CAPABILITIES: StoreCapabilities = Object.freeze({
  multiNode: false,
  notifications: false,
});

/** Runs a synchronous store call, mapping what it throws. */
function call<T>(body: () => T, what?: string): T {
  try {
    return body();
  } catch (thrown) {
    throw toStoreError(thrown, what);
  }
}

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  readonly capabilities = SQLITE_CAPABILITIES;
  /** The database file, or `:memory:`. */
  readonly path: string;

  private readonly session: SqliteSession;
  private readonly jobs: SqliteJobs;
  private readonly fires: SqliteFires;
  private readonly runs: SqliteRuns;
  private readonly nodes: SqliteNodes;
  private readonly collections: SqliteCollections;
  private readonly settings: SqliteSettings;
  private readonly access: SqliteAccess;

  /** Opens the database at `path` (see openSqliteDatabase); call migrate() before use. */
  constructor(path: string) {
    this.path = path;
    this.session = new SqliteSession(call(() => openSqliteDatabase(path)));
    this.jobs = new SqliteJobs(this.session);
    this.fires = new SqliteFires(this.session);
    this.runs = new SqliteRuns(this.session);
    this.nodes = new SqliteNodes(this.session);
    this.collections = new SqliteCollections(this.session);
    this.settings = new SqliteSettings(this.session);
    this.access = new SqliteAccess(this.session);
  }

  async migrate(): Promise<void> {
    call(() => applyMigrations(this.session.db));
  }

  /**
   * Runs `body` in one write transaction: the store calls it makes share one commit, each still atomic
   * on its own (their transactions become savepoints). Throws when the commit fails, in which case none
   * of them took effect. Used by the worker thread to commit the calls queued behind a transaction
   * together (group commit).
   */
  group(body: () => void): void {
    call(() => this.session.write(body));
  }

  /** Idempotent. */
  async close(): Promise<void> {
    const { db } = this.session;
    if (!db.open) return;
    // keeps the planner's statistics fresh at little cost (SQLite's advice for long-lived connections)
    call(() => db.pragma('optimize'));
    db.close();
  }

  /** One node: the process clock is the store's clock. */
  async now(): Promise<Instant> {
    return Date.now();
  }

  async ping(): Promise<void> {
    call(() => this.session.statement(PING).get());
  }

  // --- jobs -------------------------------------------------------------------------------------

  async insertJob(job: Job, nextFireAt: Instant | null): Promise<void> {
    call(() => this.jobs.insert(job, nextFireAt), `job '${job.id}'`);
  }

  async updateJob(
    job: Job,
    expectedVersion: number,
    resetTrigger?: { nextFireAt: Instant | null },
  ): Promise<void> {
    call(() => this.jobs.update(job, expectedVersion, resetTrigger), `job '${job.id}'`);
  }

  async getJob(id: string): Promise<Job | null> {
    return call(() => this.jobs.get(id));
  }

  async getJobs(ids: string[]): Promise<Job[]> {
    return call(() => this.jobs.getMany(ids));
  }

  async listJobs(query: JobQuery): Promise<Page<Job>> {
    return call(() => this.jobs.list(query));
  }

  async deleteJob(id: string, expectedVersion?: number): Promise<boolean> {
    return call(() => this.jobs.delete(id, expectedVersion));
  }

  async countJobs(collection?: string): Promise<{ total: number; byState: Record<JobState, number> }> {
    return call(() => this.jobs.count(collection));
  }

  async expiredPauses(now: Instant): Promise<string[]> {
    return call(() => this.jobs.expiredPauses(now));
  }

  // --- triggers and the fire ledger -------------------------------------------------------------

  async claimDueTriggers(
    nodeId: string,
    now: Instant,
    horizon: Instant,
    limit: number,
    leaseUntil: Instant,
  ): Promise<ClaimedTrigger[]> {
    return call(() => this.fires.claimDue(nodeId, now, horizon, limit, leaseUntil));
  }

  async commitAcquisitions(nodeId: string, acquisitions: Acquisition[]): Promise<PendingFire[]> {
    return call(() => this.fires.commitAcquisitions(nodeId, acquisitions));
  }

  async releaseTriggers(nodeId: string): Promise<void> {
    call(() => this.fires.releaseTriggers(nodeId));
  }

  async resolveFires(nodeId: string, resolutions: FireResolution[]): Promise<FireResolution[]> {
    return call(() => this.fires.resolve(nodeId, resolutions));
  }

  async insertFires(fires: DirectFire[]): Promise<DirectFire[]> {
    return call(() => this.fires.insertDirect(fires));
  }

  async pendingFires(nodeIds: string[]): Promise<PendingFire[]> {
    return call(() => this.fires.pendingOf(nodeIds));
  }

  async takeOverPendingFires(fromNodes: string[], toNode: string): Promise<PendingFire[]> {
    return call(() => this.fires.takeOver(fromNodes, toNode));
  }

  async rewindPendingFires(nodeIds: string[], before: Instant | null): Promise<number> {
    return call(() => this.fires.rewind(nodeIds, before ?? Number.MAX_SAFE_INTEGER));
  }

  async listPendingFires(limit: number): Promise<PendingFire[]> {
    return call(() => this.fires.listPending(limit));
  }

  async listWaitingTriggers(limit: number): Promise<{ jobId: string; nextFireAt: Instant }[]> {
    return call(() => this.fires.listWaiting(limit));
  }

  async listFires(jobId: string, query: FireQuery): Promise<Page<Fire>> {
    return call(() => this.fires.list(jobId, query));
  }

  async nextFireAt(jobId: string): Promise<Instant | null> {
    return call(() => this.fires.nextFireAt(jobId));
  }

  // --- runs -------------------------------------------------------------------------------------

  async insertRuns(runs: NewRun[]): Promise<void> {
    call(() => this.runs.insert(runs), 'run');
  }

  async activeRuns(jobIds?: string[]): Promise<ActiveRun[]> {
    return call(() => this.runs.active(jobIds));
  }

  async claimQueuedRuns(nodeId: string, now: Instant, limit: number): Promise<Run[]> {
    return call(() => this.runs.claimQueued(nodeId, now, limit));
  }

  async finishRuns(finishes: RunFinish[]): Promise<void> {
    call(() => this.runs.finish(finishes), 'step result');
  }

  // One node per SQLite file: there is nobody to wake.
  async notify(_topic: WakeTopic): Promise<void> {}

  async listen(_handler: (topic: WakeTopic) => void): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  async requestCancel(runId: string, at: Instant): Promise<boolean> {
    return call(() => this.runs.requestCancel(runId, at));
  }

  async cancelRequests(nodeId: string): Promise<string[]> {
    return call(() => this.runs.cancelRequests(nodeId));
  }

  async cancelQueuedRun(id: string, at: Instant): Promise<boolean> {
    return call(() => this.runs.cancelQueued(id, at));
  }

  async interruptRuns(nodeIds: string[], at: Instant, error: string): Promise<Run[]> {
    return call(() => this.runs.interrupt(nodeIds, at, error));
  }

  async getRun(id: string): Promise<Run | null> {
    return call(() => this.runs.get(id));
  }

  async listRuns(query: RunQuery): Promise<Page<Run>> {
    return call(() => this.runs.list(query));
  }

  async pruneRuns(jobId: string, keep: number): Promise<number> {
    return call(() => this.runs.prune(jobId, keep));
  }

  async pruneFires(jobId: string, keep: number): Promise<number> {
    return call(() => this.fires.prune(jobId, keep));
  }

  // --- nodes, collections, settings -------------------------------------------------------------

  async heartbeat(node: NodeInfo): Promise<boolean> {
    return call(() => this.nodes.heartbeat(node));
  }

  async listNodes(): Promise<NodeInfo[]> {
    return call(() => this.nodes.list());
  }

  async removeNode(id: string): Promise<void> {
    call(() => this.nodes.remove(id));
  }

  async getCollection(name: string): Promise<Collection | null> {
    return call(() => this.collections.get(name));
  }

  async listCollections(): Promise<Collection[]> {
    return call(() => this.collections.list());
  }

  async putCollection(collection: Collection): Promise<void> {
    call(() => this.collections.put(collection), `collection '${collection.name}'`);
  }

  async deleteCollection(name: string): Promise<boolean> {
    return call(() => this.collections.delete(name));
  }

  async getSetting(key: string): Promise<unknown> {
    return call(() => this.settings.get(key));
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    call(() => this.settings.set(key, value));
  }

  // --- API keys and the audit log ----------------------------------------------------------------

  async insertApiKey(key: ApiKey): Promise<void> {
    call(() => this.access.insertKey(key), `api key '${key.id}'`);
  }

  async upsertApiKey(key: ApiKey): Promise<void> {
    call(() => this.access.upsertKey(key));
  }

  async getApiKey(id: string): Promise<ApiKey | null> {
    return call(() => this.access.getKey(id));
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return call(() => this.access.listKeys());
  }

  async revokeApiKey(id: string, at: Instant): Promise<boolean> {
    return call(() => this.access.revokeKey(id, at));
  }

  async touchApiKey(id: string, at: Instant): Promise<void> {
    call(() => this.access.touchKey(id, at));
  }

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    call(() => this.access.appendAudit(entries));
  }

  async listAudit(query: AuditQuery): Promise<Page<AuditEntry>> {
    return call(() => this.access.listAudit(query));
  }

  // --- runs (continued) ---------------------------------------------------------------------------

  /** One write transaction (one writer per file): the check and the insert cannot interleave. */
  async insertRunIfIdle(run: NewRun): Promise<boolean> {
    return call(() => this.runs.insertIfIdle(run), 'run');
  }
}
