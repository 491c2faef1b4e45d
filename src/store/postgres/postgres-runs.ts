/**
 * Runs and their step results: the durable queue (claimQueuedRuns), finishing runs with the job's
 * counters in the same statement, and the run history.
 */

import { SkedError } from '../../domain/errors.js';
import type { Instant, Run, StepResult } from '../../domain/types.js';
import type { ActiveRun, NewRun, Page, RunFinish, RunQuery } from '../store.js';
import * as batch from './postgres-batch-sql.js';
import { runListSql } from './postgres-list-sql.js';
import {
  rowToActiveRun,
  rowToRun,
  rowToStep,
  storableText,
  type ActiveRunRow,
  type RunRow,
  type StepRow,
} from './postgres-rows.js';
import type { PostgresSession, Queryable } from './postgres-session.js';
import * as sql from './postgres-sql.js';

export class PostgresRuns {
  constructor(
    private readonly session: PostgresSession,
    /** The advisory-lock space of this store's run queue (its schema's). */
    private readonly queueLockSpace: string,
  ) {}

  /** All or none: CONFLICT on a duplicate id, NOT_FOUND for a run of a job that does not exist. */
  async insert(runs: NewRun[]): Promise<void> {
    if (runs.length === 0) return;
    await this.session.write(async (q) => {
      const inserted = await q.rows<{ id: string }>(batch.INSERT_RUNS, batch.runArrays(runs));
      if (inserted.length === runs.length) return;
      const ids = new Set(inserted.map((row) => row.id));
      const orphan = runs.find((run) => !ids.has(run.id));
      throw new SkedError(
        'NOT_FOUND',
        `run '${orphan?.id ?? ''}' refers to job '${orphan?.jobId ?? ''}', which does not exist`,
      );
    });
  }

  /**
   * In one transaction: lock the job's row, then (a later statement, whose snapshot sees every run
   * committed before the lock was granted) look for a queued or running run, and insert only when there
   * is none. Concurrent calls for one job queue on the row lock, so the second sees the first's run.
   * The job row rather than its trigger: deleteJob locks the job, then (cascading) the trigger, and
   * the insert below locks the job again (FOR KEY SHARE); locking in the same order cannot deadlock.
   */
  async insertIfIdle(run: NewRun): Promise<boolean> {
    return this.session.write(async (q) => {
      const locked = await q.rows<{ id: string }>(sql.LOCK_JOB_FOR_RUN, [run.jobId]);
      if (locked.length === 0) {
        throw new SkedError('NOT_FOUND', `run '${run.id}' refers to job '${run.jobId}', which does not exist`);
      }
      if ((await q.rows(sql.JOB_HAS_ACTIVE_RUN, [run.jobId])).length > 0) return false;
      const inserted = await q.rows<{ id: string }>(batch.INSERT_RUNS, batch.runArrays([run]));
      if (inserted.length === 0) throw new SkedError('NOT_FOUND', `job '${run.jobId}' does not exist`);
      return true;
    });
  }

  async active(jobIds?: string[]): Promise<ActiveRun[]> {
    if (jobIds?.length === 0) return [];
    const rows =
      jobIds === undefined
        ? await this.session.rows<ActiveRunRow>(sql.ACTIVE_RUNS)
        : await this.session.rows<ActiveRunRow>(sql.ACTIVE_RUNS_OF, [jobIds]);
    return rows.map(rowToActiveRun);
  }

  async claimQueued(nodeId: string, now: Instant, limit: number): Promise<Run[]> {
    if (limit <= 0) return [];
    const rows = await this.session.write((q) => claimQueuedRuns(q, this.queueLockSpace, nodeId, now, limit));
    // a queued run has no step results yet: they are written when it finishes
    return rows.map((row) => rowToRun(row, []));
  }

  async finish(finishes: RunFinish[]): Promise<void> {
    // a run named twice finishes once, by its first finish, as one by one
    const seen = new Set<string>();
    const unique = finishes.filter((f) => !seen.has(f.id) && seen.add(f.id));
    if (unique.length === 0) return;
    const steps = unique.flatMap((f) => f.steps.map((step, ordinal) => ({ runId: f.id, ordinal, step })));
    await this.session.retrying((q) =>
      q.rows(batch.FINISH_RUNS, [
        unique.map((f) => f.id),
        unique.map((f) => f.status),
        unique.map((f) => f.startedAt),
        unique.map((f) => f.finishedAt),
        unique.map((f) => storableText(f.error)),
        unique.map((f) => f.failed),
        unique.map((_, nth) => nth),
        ...batch.stepArrays(steps),
      ]),
    );
  }

  async cancelQueued(id: string, at: Instant): Promise<boolean> {
    return (await this.session.changes(sql.CANCEL_QUEUED_RUN, [at, id])) > 0;
  }

  async requestCancel(id: string, at: Instant): Promise<boolean> {
    return (await this.session.changes(sql.REQUEST_CANCEL, [at, id])) > 0;
  }

  async cancelRequests(nodeId: string): Promise<string[]> {
    return (await this.session.rows<{ id: string }>(sql.CANCEL_REQUESTS, [nodeId])).map((r) => r.id);
  }

  /** Interrupted runs count as finished and failed in their job's counters. */
  async interrupt(nodeIds: string[], at: Instant, error: string): Promise<Run[]> {
    if (nodeIds.length === 0) return [];
    const rows = await this.session.retrying((q) =>
      q.rows<RunRow>(batch.INTERRUPT_RUNS, [at, storableText(error), nodeIds]),
    );
    return withSteps(this.session, rows);
  }

  async get(id: string): Promise<Run | null> {
    return this.session.read(async (q) => {
      const rows = await q.rows<RunRow>(sql.GET_RUN, [id]);
      return (await withSteps(q, rows))[0] ?? null;
    });
  }

  async list(query: RunQuery): Promise<Page<Run>> {
    const { pageSql, countSql, params } = runListSql(query);
    return this.session.read(async (q) => {
      const rows = await q.adhoc<RunRow>(pageSql, [...params, query.limit, query.offset]);
      const [count] = await q.adhoc<{ n: number }>(countSql, params);
      return { items: await withSteps(q, rows), total: count?.n ?? 0 };
    });
  }

  /** Deletes the runs, then their steps (no foreign key: see migration 0001), in one transaction. */
  async prune(jobId: string, keep: number): Promise<number> {
    return this.session.write(async (q) => {
      const pruned = await q.rows<{ id: string }>(sql.PRUNE_RUNS, [jobId, Math.max(0, keep)]);
      if (pruned.length > 0) await q.changes(sql.DELETE_STEPS_OF_RUNS, [pruned.map((run) => run.id)]);
      return pruned.length;
    });
  }
}

/** Rows read per round while walking the queue in claimQueuedRuns. */
const QUEUE_PAGE_MIN = 16;
const QUEUE_PAGE_MAX = 256;

interface QueueRow {
  id: string;
  job_id: string;
  queued_at: number;
  exclusive: boolean;
}

/**
 * claimQueuedRuns in one transaction. Walks the queue oldest first in pages (a call costs what it
 * claims, not the depth of the queue), each page locked with SKIP LOCKED so that two nodes never claim
 * one run. What keeps two nodes from starting two exclusive runs of one job, or an exclusive run beside
 * another run of its job, is a transaction-scoped advisory lock per job, tried without waiting:
 * exclusive for a job with an exclusive candidate, shared for the others. A node that cannot take it
 * leaves the job to the node starting one of its runs; a node that takes it starts runs in a later
 * statement, whose snapshot sees any run of the job committed before the lock was granted.
 */
async function claimQueuedRuns(
  q: Queryable,
  lockSpace: string,
  nodeId: string,
  now: Instant,
  limit: number,
): Promise<RunRow[]> {
  const pageSize = Math.min(Math.max(limit, QUEUE_PAGE_MIN), QUEUE_PAGE_MAX);
  const locks = new Map<string, 'shared' | 'exclusive' | 'refused'>();
  // jobs with a run started by this call: an exclusive run must not start beside it
  const busyJobs = new Set<string>();
  const chosen: string[] = [];
  let after: [number, string] = [Number.MIN_SAFE_INTEGER, ''];
  while (chosen.length < limit) {
    const rows = await q.rows<QueueRow>(batch.QUEUED_RUNS_PAGE, [after[0], after[1], now, pageSize]);
    const wanted = new Map<string, boolean>();
    for (const row of rows) {
      const held = locks.get(row.job_id);
      const needsExclusive = row.exclusive || wanted.get(row.job_id) === true;
      if (held === undefined || (needsExclusive && held === 'shared')) wanted.set(row.job_id, needsExclusive);
    }
    if (wanted.size > 0) {
      const granted = await q.rows<{ job_id: string }>(batch.LOCK_QUEUE_JOBS, [
        lockSpace,
        [...wanted.keys()],
        [...wanted.values()],
      ]);
      const ok = new Set(granted.map((row) => row.job_id));
      for (const [job, exclusive] of wanted) {
        if (ok.has(job)) locks.set(job, exclusive ? 'exclusive' : 'shared');
        else if (locks.get(job) !== 'shared') locks.set(job, 'refused');
      }
    }
    for (const row of rows) {
      if (chosen.length >= limit) break;
      const lock = locks.get(row.job_id);
      if (lock === 'refused' || lock === undefined) continue;
      if (row.exclusive && (lock !== 'exclusive' || busyJobs.has(row.job_id))) continue;
      chosen.push(row.id);
      busyJobs.add(row.job_id);
    }
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pageSize) break;
    after = [last.queued_at, last.id];
  }
  if (chosen.length === 0) return [];
  const started = await q.rows<RunRow>(batch.START_RUNS, [nodeId, now, chosen]);
  const byId = new Map(started.map((row) => [row.id, row]));
  return chosen.flatMap((id) => byId.get(id) ?? []);
}

/** The runs of `rows`, in their order, each with its step results. */
async function withSteps(q: Queryable, rows: RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const stepRows = await q.rows<StepRow>(sql.STEPS_OF_RUNS, [rows.map((row) => row.id)]);
  const steps = new Map<string, StepResult[]>();
  for (const stepRow of stepRows) {
    const list = steps.get(stepRow.run_id);
    if (list === undefined) steps.set(stepRow.run_id, [rowToStep(stepRow)]);
    else list.push(rowToStep(stepRow));
  }
  return rows.map((row) => rowToRun(row, steps.get(row.id) ?? []));
}
