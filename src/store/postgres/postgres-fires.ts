/**
 * Triggers and the fire ledger: claiming due triggers under a lease (SKIP LOCKED), committing acquired
 * fires as pending ledger rows, resolving them at their instant. The ledger's primary key (job_id,
 * scheduled_for) is what makes a fire exactly-once. Each batch is one statement (postgres-batch-sql.ts):
 * its results come back in no particular order, so they are matched to the batch here and returned in
 * the order given, as the SQLite store does.
 */

import type { Fire, Instant } from '../../domain/types.js';
import type {
  Acquisition,
  ClaimedTrigger,
  DirectFire,
  FireQuery,
  FireResolution,
  Page,
  PendingFire,
} from '../store.js';
import * as batch from './postgres-batch-sql.js';
import { fireListSql } from './postgres-list-sql.js';
import { rowToFire, rowToPendingFire, type FireRow, type PendingFireRow } from './postgres-rows.js';
import type { PostgresSession } from './postgres-session.js';
import * as sql from './postgres-sql.js';

interface FireKeyRow {
  job_id: string;
  scheduled_for: number;
}

interface CommitRow {
  job_id: string;
  /** Null for a held acquisition that exhausted its schedule. */
  scheduled_for: number | null;
}

const keyOf = (jobId: string, scheduledFor: Instant) => `${scheduledFor}\u0000${jobId}`;

/** The first item per key: a batch naming one key twice applies it once, as in order one by one. */
function firstPerKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export class PostgresFires {
  constructor(
    private readonly session: PostgresSession,
    /** Where a failed completion check goes: the write it follows has committed, so it must not throw. */
    private readonly onError: (thrown: unknown) => void,
  ) {}

  async claimDue(
    nodeId: string,
    now: Instant,
    horizon: Instant,
    limit: number,
    leaseUntil: Instant,
  ): Promise<ClaimedTrigger[]> {
    if (limit <= 0) return [];
    const rows = await this.session.retrying((q) =>
      q.rows<{ job_id: string; next_fire_at: number; version: number }>(sql.CLAIM_DUE_TRIGGERS, [
        nodeId,
        horizon,
        now,
        limit,
        leaseUntil,
      ]),
    );
    return rows
      .map((row) => ({ jobId: row.job_id, nextFireAt: row.next_fire_at, version: row.version }))
      .sort((a, b) => a.nextFireAt - b.nextFireAt || compare(a.jobId, b.jobId));
  }

  async commitAcquisitions(nodeId: string, acquisitions: Acquisition[]): Promise<PendingFire[]> {
    // a second acquisition of one trigger finds it released by the first: dropped
    const batchOf = firstPerKey(acquisitions, (a) => a.jobId);
    if (batchOf.length === 0) return [];
    const fires = batchOf.flatMap((a) => a.fires.map((at) => ({ jobId: a.jobId, at })));
    const rows = await this.session.retrying((q) =>
      q.rows<CommitRow>(batch.COMMIT_ACQUISITIONS, [
        nodeId,
        batchOf.map((a) => a.jobId),
        batchOf.map((a) => a.version),
        batchOf.map((a) => a.nextFireAt),
        batchOf.map((a) => a.completed),
        fires.map((f) => f.jobId),
        fires.map((f) => f.at),
      ]),
    );
    const inserted = new Set<string>();
    const exhausted: string[] = [];
    for (const row of rows) {
      if (row.scheduled_for === null) exhausted.push(row.job_id);
      else inserted.add(keyOf(row.job_id, row.scheduled_for));
    }
    await this.completeExhausted(exhausted, null);
    return fires
      .filter((f) => inserted.delete(keyOf(f.jobId, f.at)))
      .map((f) => ({ jobId: f.jobId, scheduledFor: f.at, nodeId }));
  }

  async releaseTriggers(nodeId: string): Promise<void> {
    await this.session.retrying((q) => q.changes(sql.RELEASE_TRIGGERS, [nodeId]));
  }

  async resolve(nodeId: string, resolutions: FireResolution[]): Promise<FireResolution[]> {
    const unique = firstPerKey(resolutions, (r) => keyOf(r.jobId, r.scheduledFor));
    if (unique.length === 0) return [];
    const runs = unique.flatMap((r) => (r.run === null ? [] : [r.run]));
    const rows = await this.session.retrying((q) =>
      q.rows<FireKeyRow>(batch.RESOLVE_FIRES, [
        nodeId,
        unique.map((r) => r.jobId),
        unique.map((r) => r.scheduledFor),
        unique.map((r) => r.outcome),
        unique.map((r) => r.firedAt),
        unique.map((r) => r.run?.id ?? null),
        ...batch.runArrays(runs),
      ]),
    );
    const resolved = new Set(rows.map((row) => keyOf(row.job_id, row.scheduled_for)));
    const applied = unique.filter((r) => resolved.has(keyOf(r.jobId, r.scheduledFor)));
    await this.completeExhausted(
      applied.filter((r) => r.mayComplete !== false).map((r) => r.jobId),
      resolutions[0]?.firedAt ?? null,
    );
    return applied;
  }

  async insertDirect(fires: DirectFire[]): Promise<DirectFire[]> {
    const unique = firstPerKey(fires, (f) => keyOf(f.jobId, f.scheduledFor));
    if (unique.length === 0) return [];
    const runs = unique.flatMap((f) => (f.run === null ? [] : [f.run]));
    const rows = await this.session.retrying((q) =>
      q.rows<FireKeyRow>(batch.INSERT_DIRECT_FIRES, [
        unique.map((f) => f.jobId),
        unique.map((f) => f.scheduledFor),
        unique.map((f) => f.outcome),
        unique.map((f) => f.firedAt),
        unique.map((f) => f.run?.id ?? null),
        unique.map((f) => f.run?.nodeId ?? null),
        ...batch.runArrays(runs),
      ]),
    );
    const inserted = new Set(rows.map((row) => keyOf(row.job_id, row.scheduled_for)));
    const written = unique.filter((f) => inserted.has(keyOf(f.jobId, f.scheduledFor)));
    await this.completeExhausted(
      written.filter((f) => f.mayComplete !== false).map((f) => f.jobId),
      fires[0]?.firedAt ?? null,
    );
    return written;
  }

  /**
   * Completes those of `jobIds` whose schedule is exhausted and last fire resolved (see
   * COMPLETE_EXHAUSTED_JOBS). Called after the write that resolved or acquired their fires committed;
   * a failure is reported, not thrown: the caller must act on that committed write (start its runs).
   */
  private async completeExhausted(jobIds: string[], at: Instant | null): Promise<void> {
    if (jobIds.length === 0) return;
    try {
      await this.session.retrying((q) => q.changes(sql.COMPLETE_EXHAUSTED_JOBS, [[...new Set(jobIds)], at]));
    } catch (thrown) {
      this.onError(thrown);
    }
  }

  async pendingOf(nodeIds: string[]): Promise<PendingFire[]> {
    if (nodeIds.length === 0) return [];
    return (await this.session.rows<PendingFireRow>(sql.PENDING_FIRES_OF, [nodeIds])).map(rowToPendingFire);
  }

  async takeOver(fromNodes: string[], toNode: string): Promise<PendingFire[]> {
    if (fromNodes.length === 0) return [];
    const rows = await this.session.retrying((q) =>
      q.rows<PendingFireRow>(sql.TAKE_OVER_FIRES, [toNode, fromNodes]),
    );
    // RETURNING gives no order: oldest first, as pendingFires does
    return rows
      .map(rowToPendingFire)
      .sort((a, b) => a.scheduledFor - b.scheduledFor || compare(a.jobId, b.jobId));
  }

  async rewind(nodeIds: string[], before: Instant | null): Promise<number> {
    if (nodeIds.length === 0) return 0;
    const [row] = await this.session.retrying((q) =>
      q.rows<{ n: number }>(sql.REWIND_PENDING_FIRES, [nodeIds, before ?? Number.MAX_SAFE_INTEGER]),
    );
    return row?.n ?? 0;
  }

  async listPending(limit: number): Promise<PendingFire[]> {
    return (await this.session.rows<PendingFireRow>(sql.LIST_PENDING_FIRES, [limit])).map(rowToPendingFire);
  }

  async listWaiting(limit: number): Promise<{ jobId: string; nextFireAt: Instant }[]> {
    const rows = await this.session.rows<{ job_id: string; next_fire_at: number }>(sql.WAITING_TRIGGERS, [
      limit,
    ]);
    return rows.map((row) => ({ jobId: row.job_id, nextFireAt: row.next_fire_at }));
  }

  async list(jobId: string, query: FireQuery): Promise<Page<Fire>> {
    const { pageSql, countSql, params } = fireListSql(jobId, query);
    return this.session.read(async (q) => {
      const rows = await q.adhoc<FireRow>(pageSql, [...params, query.limit, query.offset]);
      const [count] = await q.adhoc<{ n: number }>(countSql, params);
      return { items: rows.map(rowToFire), total: count?.n ?? 0 };
    });
  }

  async prune(jobId: string, keep: number): Promise<number> {
    return this.session.retrying((q) => q.changes(sql.PRUNE_FIRES, [jobId, Math.max(1, keep)]));
  }

  async nextFireAt(jobId: string): Promise<Instant | null> {
    const [row] = await this.session.rows<{ next_fire_at: number | null }>(sql.NEXT_FIRE_AT, [jobId]);
    return row?.next_fire_at ?? null;
  }
}

/** Code-unit order: the same as the columns' "C" collation for the ASCII ids sked allows. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
