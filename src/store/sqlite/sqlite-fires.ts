/**
 * Triggers and the fire ledger: claiming due triggers under a lease, committing acquired fires as
 * pending_fires rows, resolving them at their instant into the ledger. The ledger's primary key (job_id,
 * scheduled_for) is what makes a fire exactly-once; every write here is one IMMEDIATE transaction.
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
import { fireListSql } from './sqlite-list-sql.js';
import { rowToFire, rowToPendingFire, type FireRow, type PendingFireRow } from './sqlite-rows.js';
import { insertRun } from './sqlite-runs.js';
import type { SqliteSession } from './sqlite-session.js';
import * as sql from './sqlite-sql.js';

export class SqliteFires {
  constructor(private readonly session: SqliteSession) {}

  claimDue(
    nodeId: string,
    now: Instant,
    horizon: Instant,
    limit: number,
    leaseUntil: Instant,
  ): ClaimedTrigger[] {
    const s = this.session;
    return s.write(() => {
      const rows = s.statement(sql.DUE_TRIGGERS).all(horizon, now, limit) as {
        job_id: string;
        next_fire_at: number;
        version: number;
      }[];
      const lease = s.statement(sql.LEASE_TRIGGER);
      for (const row of rows) lease.run(nodeId, leaseUntil, row.job_id);
      return rows.map((row) => ({ jobId: row.job_id, nextFireAt: row.next_fire_at, version: row.version }));
    });
  }

  commitAcquisitions(nodeId: string, acquisitions: Acquisition[]): PendingFire[] {
    const s = this.session;
    return s.write(() => {
      const held = s.statement(sql.HELD_TRIGGER);
      const insertFire = s.statement(sql.INSERT_PENDING_FIRE);
      const advance = s.statement(sql.ADVANCE_TRIGGER);
      const inserted: PendingFire[] = [];
      const now = Date.now();
      for (const acquisition of acquisitions) {
        const { jobId } = acquisition;
        if (held.get(jobId, nodeId, acquisition.version) === undefined) continue;
        for (const scheduledFor of acquisition.fires) {
          if (insertFire.run(jobId, scheduledFor, nodeId, jobId, scheduledFor).changes > 0)
            inserted.push({ jobId, scheduledFor, nodeId });
        }
        advance.run(acquisition.nextFireAt, jobId);
        if (acquisition.completed) s.statement(sql.COMPLETE_JOB_IF_DONE).run(now, jobId);
      }
      return inserted;
    });
  }

  releaseTriggers(nodeId: string): void {
    const s = this.session;
    s.write(() => s.statement(sql.RELEASE_TRIGGERS).run(nodeId));
  }

  resolve(nodeId: string, resolutions: FireResolution[]): FireResolution[] {
    const s = this.session;
    return s.write(() => {
      const take = s.statement(sql.TAKE_PENDING_FIRE);
      const record = s.statement(sql.INSERT_RESOLVED_FIRE);
      const applied: FireResolution[] = [];
      for (const resolution of resolutions) {
        const { jobId, scheduledFor, run } = resolution;
        // Only a fire still pending resolves (once): one resolved, rewound or dropped meanwhile is not.
        if (take.run(jobId, scheduledFor).changes === 0) continue;
        record.run(jobId, scheduledFor, resolution.outcome, resolution.firedAt, run?.id ?? null, nodeId);
        if (run !== null) insertRun(s, run);
        applied.push(resolution);
      }
      completeFinished(s, applied, resolutions[0]?.firedAt ?? Date.now());
      return applied;
    });
  }

  insertDirect(fires: DirectFire[]): DirectFire[] {
    const s = this.session;
    return s.write(() => {
      const insertFire = s.statement(sql.INSERT_DIRECT_FIRE);
      const inserted: DirectFire[] = [];
      for (const fire of fires) {
        const { jobId, scheduledFor, run } = fire;
        const result = insertFire.run(jobId, scheduledFor, fire.outcome, fire.firedAt, run?.id ?? null, run?.nodeId ?? null, jobId, jobId, scheduledFor);
        if (result.changes === 0) continue;
        if (run !== null) insertRun(s, run);
        inserted.push(fire);
      }
      completeFinished(s, inserted, fires[0]?.firedAt ?? Date.now());
      return inserted;
    });
  }

  pendingOf(nodeIds: string[]): PendingFire[] {
    const rows = this.session
      .statement(sql.PENDING_FIRES_OF)
      .all(JSON.stringify(nodeIds)) as PendingFireRow[];
    return rows.map(rowToPendingFire);
  }

  takeOver(fromNodes: string[], toNode: string): PendingFire[] {
    const s = this.session;
    const rows = s.write(
      () => s.statement(sql.TAKE_OVER_FIRES).all(toNode, JSON.stringify(fromNodes)) as PendingFireRow[],
    );
    // RETURNING gives no order: oldest first, as pendingFires does
    return rows
      .map(rowToPendingFire)
      .sort((a, b) => a.scheduledFor - b.scheduledFor || compare(a.jobId, b.jobId));
  }

  rewind(nodeIds: string[], before: number): number {
    const s = this.session;
    const ids = JSON.stringify(nodeIds);
    return s.write(() => {
      s.statement(sql.REWIND_TRIGGERS).run(ids, before, ids, before);
      return s.statement(sql.DELETE_REWOUND_FIRES).run(ids, before).changes;
    });
  }

  listPending(limit: number): PendingFire[] {
    const rows = this.session.statement(sql.LIST_PENDING_FIRES).all(limit) as PendingFireRow[];
    return rows.map(rowToPendingFire);
  }

  listWaiting(limit: number): { jobId: string; nextFireAt: Instant }[] {
    const rows = this.session.statement(sql.WAITING_TRIGGERS).all(limit) as {
      job_id: string;
      next_fire_at: number;
    }[];
    return rows.map((row) => ({ jobId: row.job_id, nextFireAt: row.next_fire_at }));
  }

  list(jobId: string, query: FireQuery): Page<Fire> {
    const s = this.session;
    const { pageSql, countSql, params } = fireListSql(jobId, query);
    return s.read(() => {
      const rows = s.listStatement(pageSql).all(...params, query.limit, query.offset) as FireRow[];
      const { n } = s.listStatement(countSql).get(...params) as { n: number };
      return { items: rows.map(rowToFire), total: n };
    });
  }

  prune(jobId: string, keep: number): number {
    const s = this.session;
    return s.write(() => s.statement(sql.PRUNE_FIRES).run(jobId, jobId, Math.max(1, keep) - 1).changes);
  }

  nextFireAt(jobId: string): Instant | null {
    const row = this.session.statement(sql.NEXT_FIRE_AT).get(jobId) as
      { next_fire_at: number | null } | undefined;
    return row?.next_fire_at ?? null;
  }
}

/** Code-unit order: the same as SQLite's BINARY collation for the ASCII ids sked allows. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Jobs whose last fire just resolved become completed (see COMPLETE_JOB_IF_DONE); fires whose job is
 * known to fire again (mayComplete false) are not checked.
 */
function completeFinished(s: SqliteSession, fires: readonly { jobId: string; mayComplete?: boolean }[], at: number): void {
  let jobIds: Set<string> | null = null;
  for (const f of fires) if (f.mayComplete !== false) (jobIds ??= new Set()).add(f.jobId);
  if (jobIds === null) return;
  const complete = s.statement(sql.COMPLETE_JOB_IF_DONE);
  for (const jobId of jobIds) complete.run(at, jobId);
}
