/**
 * Runs and their step results: the durable queue (claimQueuedRuns), finishing runs with the job's
 * counters in the same transaction, and the run history.
 */

import type { Instant, Run } from '../../domain/types.js';
import type { ActiveRun, NewRun, Page, RunFinish, RunQuery } from '../store.js';
import { toStoreError } from './sqlite-errors.js';
import { runListSql } from './sqlite-list-sql.js';
import {
  rowToActiveRun,
  rowToRun,
  stepsToJson,
  toJson,
  type ActiveRunRow,
  type RunRow,
} from './sqlite-rows.js';
import type { SqliteSession } from './sqlite-session.js';
import * as sql from './sqlite-sql.js';

/** Rows read per round while walking the queue in claimQueuedRuns. */
const QUEUE_PAGE = 256;

/** Inserts one run; CONFLICT when its id exists, NOT_FOUND when its job does not. */
export function insertRun(session: SqliteSession, run: NewRun): void {
  try {
    session
      .statement(sql.INSERT_RUN)
      .run(
        run.id,
        run.jobId,
        run.trigger,
        run.scheduledFor,
        run.queuedAt,
        run.startedAt,
        run.status,
        run.attempt,
        run.retryOf,
        run.notBefore,
        run.nodeId,
        run.exclusive ? 1 : 0,
        toJson(run.payload),
      );
  } catch (thrown) {
    throw toStoreError(thrown, `run '${run.id}' (job '${run.jobId}')`);
  }
}

export class SqliteRuns {
  constructor(private readonly session: SqliteSession) {}

  insert(runs: NewRun[]): void {
    const s = this.session;
    s.write(() => {
      for (const run of runs) insertRun(s, run);
    });
  }

  active(jobIds?: string[]): ActiveRun[] {
    const rows = (
      jobIds === undefined
        ? this.session.statement(sql.ACTIVE_RUNS).all()
        : this.session.statement(sql.ACTIVE_RUNS_OF).all(JSON.stringify(jobIds))
    ) as ActiveRunRow[];
    return rows.map(rowToActiveRun);
  }

  /**
   * Walks the queue oldest first in pages, so a call costs what it claims (plus the exclusive runs it
   * passes over), not the depth of the queue.
   */
  claimQueued(nodeId: string, now: Instant, limit: number): Run[] {
    const s = this.session;
    return s.write(() => {
      const page = s.statement(sql.QUEUED_RUNS_AFTER);
      const hasRunning = s.statement(sql.JOB_HAS_RUNNING_RUN);
      const start = s.statement(sql.START_QUEUED_RUN);
      // jobs known to have a running run, including the ones started by this call
      const busyJobs = new Set<string>();
      const claimed: string[] = [];
      let after: [number, string] = [Number.MIN_SAFE_INTEGER, ''];
      while (claimed.length < limit) {
        const rows = page.all(after[0], after[1], now, QUEUE_PAGE) as {
          id: string;
          job_id: string;
          queued_at: number;
          exclusive: number;
        }[];
        for (const row of rows) {
          if (claimed.length >= limit) break;
          if (row.exclusive === 1) {
            // none while another run of the job is running, so at most one per job per call
            if (busyJobs.has(row.job_id)) continue;
            if (hasRunning.get(row.job_id) !== undefined) {
              busyJobs.add(row.job_id);
              continue;
            }
          }
          start.run(nodeId, now, row.id);
          busyJobs.add(row.job_id);
          claimed.push(row.id);
        }
        const last = rows[rows.length - 1];
        if (last === undefined || rows.length < QUEUE_PAGE) break;
        after = [last.queued_at, last.id];
      }
      return this.read(claimed);
    });
  }

  finish(finishes: RunFinish[]): void {
    const s = this.session;
    s.write(() => {
      const finishRun = s.statement(sql.FINISH_RUN);
      const record = s.statement(sql.RECORD_FINISHED_RUN);
      for (const f of finishes) {
        // only a queued or running run changes: finishing a finished run is a no-op
        const row = finishRun.get(f.status, f.startedAt, f.finishedAt, f.error, stepsToJson(f.steps), f.id) as
          { job_id: string } | undefined;
        if (row === undefined) continue;
        record.run(f.failed ? 1 : 0, f.id, f.status, row.job_id);
      }
    });
  }

  cancelQueued(id: string, at: Instant): boolean {
    const s = this.session;
    return s.write(() => s.statement(sql.CANCEL_QUEUED_RUN).run(at, id).changes > 0);
  }

  requestCancel(id: string, at: Instant): boolean {
    const s = this.session;
    return s.write(() => s.statement(sql.REQUEST_CANCEL).run(at, id).changes > 0);
  }

  cancelRequests(nodeId: string): string[] {
    return (this.session.statement(sql.CANCEL_REQUESTS).all(nodeId) as { id: string }[]).map((r) => r.id).sort();
  }

  /** Interrupted runs count as finished and failed in their job's counters. */
  interrupt(nodeIds: string[], at: Instant, error: string): Run[] {
    const s = this.session;
    return s.write(() => {
      const rows = s.statement(sql.INTERRUPT_RUNS).all(at, error, JSON.stringify(nodeIds)) as {
        id: string;
        job_id: string;
      }[];
      const record = s.statement(sql.RECORD_FINISHED_RUN);
      for (const row of rows) record.run(1, row.id, 'interrupted', row.job_id);
      return this.read(rows.map((row) => row.id)).sort(
        (a, b) => a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : 1),
      );
    });
  }

  get(id: string): Run | null {
    return this.session.read(() => this.read([id])[0] ?? null);
  }

  list(query: RunQuery): Page<Run> {
    const s = this.session;
    const { pageSql, countSql, params } = runListSql(query);
    return s.read(() => {
      const rows = s.listStatement(pageSql).all(...params, query.limit, query.offset) as RunRow[];
      const { n } = s.listStatement(countSql).get(...params) as { n: number };
      return { items: rows.map(rowToRun), total: n };
    });
  }

  prune(jobId: string, keep: number): number {
    const s = this.session;
    return s.write(() => s.statement(sql.PRUNE_RUNS).run(jobId, Math.max(0, keep)).changes);
  }

  /** Runs by id, in the order given (missing ids left out), with their steps. */
  private read(ids: string[]): Run[] {
    const getRun = this.session.statement(sql.GET_RUN);
    const rows: RunRow[] = [];
    for (const id of ids) {
      const row = getRun.get(id) as RunRow | undefined;
      if (row !== undefined) rows.push(row);
    }
    return rows.map(rowToRun);
  }

  /** Inserts the run unless its job has a queued or running run, in one write transaction; false then. */
  insertIfIdle(run: NewRun): boolean {
    const s = this.session;
    return s.write(() => {
      if (s.statement(sql.JOB_HAS_ACTIVE_RUN).get(run.jobId) !== undefined) return false;
      insertRun(s, run);
      return true;
    });
  }
}
