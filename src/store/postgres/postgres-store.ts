/**
 * The Store port on PostgreSQL (pg): many nodes, one schema. Each method is one atomic operation,
 * delegated to a group (jobs, fires, runs, nodes, collections, settings) that owns its SQL; driver
 * errors become SkedErrors here, through postgres-errors.ts. Calls go through a pool; wake-ups between
 * nodes go through LISTEN/NOTIFY on the channel `sked_<schema>`, received on one dedicated connection.
 */

import type pg from 'pg';
import { SkedError } from '../../domain/errors.js';
import type { ApiKey, AuditEntry, Collection, Fire, Instant, Job, JobState, NodeInfo, Run } from '../../domain/types.js';
import type {
  Acquisition,
  ActiveRun,
  AuditQuery,
  ClaimedTrigger,
  DirectFire,
  EventBatch,
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
import { PostgresCollections } from './postgres-collections.js';
import { createPool, parsePostgresUrl, type PostgresStoreOptions } from './postgres-connection.js';
import { toStoreError } from './postgres-errors.js';
import { PostgresFires } from './postgres-fires.js';
import { PostgresJobs } from './postgres-jobs.js';
import { PostgresListener } from './postgres-listener.js';
import { applyMigrations } from './postgres-migrations.js';
import { PostgresNodes } from './postgres-nodes.js';
import { PostgresRuns } from './postgres-runs.js';
import { PostgresSession } from './postgres-session.js';
import { PostgresSettings } from './postgres-settings.js';
import { PostgresAccess } from './postgres-access.js';
import { NOTIFY, NOTIFY_EACH, NOW, PING } from './postgres-sql.js';

export const POSTGRES_CAPABILITIES: StoreCapabilities = Object.freeze({
  multiNode: true,
  notifications: true,
});

/** Runs a store call, mapping what it throws. */
async function call<T>(body: () => Promise<T>, what?: string): Promise<T> {
  try {
    return await body();
  } catch (thrown) {
    throw toStoreError(thrown, what);
  }
}

export class PostgresStore implements Store {
  readonly backend = 'postgres';
  readonly capabilities = POSTGRES_CAPABILITIES;
  /** The schema holding the tables. */
  readonly schema: string;
  /** The store URL with any password replaced, for messages. */
  readonly displayUrl: string;

  private readonly pool: pg.Pool;
  private readonly session: PostgresSession;
  private readonly listener: PostgresListener;
  private closed = false;
  /** Reports a background failure to the owner's hook. */
  private readonly report: (thrown: unknown) => void;
  private readonly jobs: PostgresJobs;
  private readonly fires: PostgresFires;
  private readonly runs: PostgresRuns;
  private readonly nodes: PostgresNodes;
  private readonly collections: PostgresCollections;
  private readonly settings: PostgresSettings;
  private readonly access: PostgresAccess;

  /**
   * Resolves the URL (see parsePostgresUrl) and creates the pool; nothing connects until the first
   * call. Call migrate() before use.
   */
  constructor(url: string, options: PostgresStoreOptions = {}) {
    const config = parsePostgresUrl(url, options);
    this.schema = config.schema;
    this.displayUrl = config.displayUrl;
    const report = (thrown: unknown) => {
      const error: SkedError = toStoreError(thrown);
      try {
        options.onBackgroundError?.(error);
      } catch {
        // the hook's own failure must not take the pool down
      }
    };
    this.report = report;
    this.pool = createPool(config, report);
    this.session = new PostgresSession(this.pool);
    this.listener = new PostgresListener(config, report);
    this.jobs = new PostgresJobs(this.session);
    this.fires = new PostgresFires(this.session, report);
    this.runs = new PostgresRuns(this.session, `sked.run-queue.${this.schema}`);
    this.nodes = new PostgresNodes(this.session);
    this.collections = new PostgresCollections(this.session);
    this.settings = new PostgresSettings(this.session);
    this.access = new PostgresAccess(this.session);
  }

  /** Creates the schema when missing and applies pending migrations, serialised across nodes. */
  async migrate(): Promise<void> {
    try {
      const client = await this.pool.connect();
      let lost: Error | undefined;
      const onLost = (error: Error): void => {
        lost = error;
      };
      client.on('error', onLost);
      try {
        await applyMigrations(client, this.schema);
      } finally {
        client.removeListener('error', onLost);
        client.release(lost);
      }
    } catch (thrown) {
      const error = toStoreError(thrown);
      if (error.code !== 'UNAVAILABLE') throw error;
      // the first thing a node does: say which store could not be reached
      throw new SkedError(
        'UNAVAILABLE',
        `cannot open the PostgreSQL store at ${this.displayUrl} (schema ${this.schema}): ${error.message}`,
        { cause: thrown },
      );
    }
  }

  /** Ends the listener and the pool. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener.stop();
    await this.pool.end();
  }

  /** The database clock: every node of a cluster reads the same one. */
  async now(): Promise<Instant> {
    return call(async () => {
      const [row] = await this.session.rows<{ now: number }>(NOW);
      if (row === undefined) throw new Error('the database clock answered nothing');
      return row.now;
    });
  }

  async ping(): Promise<void> {
    await call(() => this.session.rows(PING));
  }

  // --- jobs -------------------------------------------------------------------------------------

  async insertJob(job: Job, nextFireAt: Instant | null): Promise<void> {
    await call(() => this.jobs.insert(job, nextFireAt), `job '${job.id}'`);
  }

  async updateJob(
    job: Job,
    expectedVersion: number,
    resetTrigger?: { nextFireAt: Instant | null },
  ): Promise<void> {
    await call(() => this.jobs.update(job, expectedVersion, resetTrigger), `job '${job.id}'`);
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
    await call(() => this.fires.releaseTriggers(nodeId));
  }

  async resolveFires(nodeId: string, resolutions: FireResolution[]): Promise<FireResolution[]> {
    return call(() => this.fires.resolve(nodeId, resolutions), 'run');
  }

  async insertFires(fires: DirectFire[]): Promise<DirectFire[]> {
    return call(() => this.fires.insertDirect(fires), 'run');
  }

  async pendingFires(nodeIds: string[]): Promise<PendingFire[]> {
    return call(() => this.fires.pendingOf(nodeIds));
  }

  async takeOverPendingFires(fromNodes: string[], toNode: string): Promise<PendingFire[]> {
    return call(() => this.fires.takeOver(fromNodes, toNode));
  }

  async rewindPendingFires(nodeIds: string[], before: Instant | null): Promise<number> {
    return call(() => this.fires.rewind(nodeIds, before));
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
    await call(() => this.runs.insert(runs), 'run');
  }

  async insertRunIfIdle(run: NewRun): Promise<boolean> {
    return call(() => this.runs.insertIfIdle(run), 'run');
  }

  async activeRuns(jobIds?: string[]): Promise<ActiveRun[]> {
    return call(() => this.runs.active(jobIds));
  }

  async claimQueuedRuns(nodeId: string, now: Instant, limit: number): Promise<Run[]> {
    return call(() => this.runs.claimQueued(nodeId, now, limit));
  }

  async finishRuns(finishes: RunFinish[]): Promise<void> {
    await call(() => this.runs.finish(finishes), 'step result');
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

  // --- cluster coordination ----------------------------------------------------------------------

  /** NOTIFY on the schema's channel (see postgres-listener.ts for the payload). */
  async notify(topic: WakeTopic): Promise<void> {
    await call(() => this.session.rows(NOTIFY, [this.listener.channel, this.listener.payloadOf(topic)]));
  }

  /**
   * Calls `handler` with the topics other stores notify, never this store's own; after the listening
   * connection was lost and came back, with every topic once. Rejects with UNAVAILABLE when the first
   * connection fails.
   */
  async listen(handler: (topic: WakeTopic) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new SkedError('UNAVAILABLE', 'the PostgreSQL store is closed');
    return call(() => this.listener.subscribe(handler));
  }

  /**
   * Live events for the other nodes: NOTIFY on the schema's channel, split into payloads under
   * PostgreSQL's 8000-byte limit (postgres-event-payload.ts), all in one statement so they arrive in order.
   */
  async publishEvents(batch: EventBatch): Promise<void> {
    const { payloads, oversize } = this.listener.eventPayloadsOf(batch);
    if (oversize.length) {
      this.report(new Error(`live events too large to relay to the other nodes were dropped: ${oversize.map((e) => e.type).join(', ')}`));
    }
    if (!payloads.length) return;
    await call(() => this.session.rows(NOTIFY_EACH, [this.listener.channel, payloads]));
  }

  /** Calls `handler` with the live events other stores publish, never this store's own. */
  async listenEvents(handler: (batch: EventBatch) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new SkedError('UNAVAILABLE', 'the PostgreSQL store is closed');
    return call(() => this.listener.subscribeEvents(handler));
  }

  async requestCancel(runId: string, at: Instant): Promise<boolean> {
    return call(() => this.runs.requestCancel(runId, at));
  }

  async cancelRequests(nodeId: string): Promise<string[]> {
    return call(() => this.runs.cancelRequests(nodeId));
  }

  // --- nodes, collections, settings -------------------------------------------------------------

  async heartbeat(node: NodeInfo): Promise<boolean> {
    return call(() => this.nodes.heartbeat(node));
  }

  async listNodes(): Promise<NodeInfo[]> {
    return call(() => this.nodes.list());
  }

  async removeNode(id: string): Promise<void> {
    await call(() => this.nodes.remove(id));
  }

  async getCollection(name: string): Promise<Collection | null> {
    return call(() => this.collections.get(name));
  }

  async listCollections(): Promise<Collection[]> {
    return call(() => this.collections.list());
  }

  async putCollection(collection: Collection): Promise<void> {
    await call(() => this.collections.put(collection), `collection '${collection.name}'`);
  }

  async deleteCollection(name: string): Promise<boolean> {
    return call(() => this.collections.delete(name));
  }

  async getSetting(key: string): Promise<unknown> {
    return call(() => this.settings.get(key));
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    await call(() => this.settings.set(key, value));
  }

  // --- API keys and the audit log ----------------------------------------------------------------

  async insertApiKey(key: ApiKey): Promise<void> {
    await call(() => this.access.insertKey(key), `api key '${key.id}'`);
  }

  async upsertApiKey(key: ApiKey): Promise<void> {
    await call(() => this.access.upsertKey(key));
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
    await call(() => this.access.touchKey(id, at));
  }

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    await call(() => this.access.appendAudit(entries));
  }

  async listAudit(query: AuditQuery): Promise<Page<AuditEntry>> {
    return call(() => this.access.listAudit(query));
  }
}
