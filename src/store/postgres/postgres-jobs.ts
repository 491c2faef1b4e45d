/** Jobs: the wide definition row, its labels, and the narrow trigger and stats rows created with it. */

import { SkedError, notFound } from '../../domain/errors.js';
import type { Instant, Job, JobState } from '../../domain/types.js';
import type { JobQuery, Page } from '../store.js';
import { jobListSql } from './postgres-list-sql.js';
import { jobColumns, rowToJob, type JobRow } from './postgres-rows.js';
import type { PostgresSession, Queryable } from './postgres-session.js';
import * as sql from './postgres-sql.js';

export class PostgresJobs {
  constructor(private readonly session: PostgresSession) {}

  /** One statement: the job, its trigger, its counters and its labels. */
  async insert(job: Job, nextFireAt: Instant | null): Promise<void> {
    const c = jobColumns(job);
    const { runCount, failureCount, lastRun, lastFireTime } = job.status;
    const labels = Object.entries(job.labels);
    await this.session.changes(sql.INSERT_JOB, [
      c.id,
      c.name,
      c.name_folded,
      c.collection,
      c.state,
      c.version,
      c.created_at,
      c.updated_at,
      c.labels,
      c.pause,
      c.pause_until,
      c.definition,
      nextFireAt,
      runCount,
      failureCount,
      lastRun?.id ?? null,
      lastRun?.status ?? null,
      lastFireTime,
      labels.map(([key]) => key),
      labels.map(([, value]) => value),
    ]);
  }

  async update(
    job: Job,
    expectedVersion: number,
    resetTrigger?: { nextFireAt: Instant | null },
  ): Promise<void> {
    const c = jobColumns(job);
    const labels = Object.entries(job.labels);
    await this.session.write(async (q) => {
      const changed = await q.changes(sql.UPDATE_JOB, [
        c.id,
        c.name,
        c.name_folded,
        c.collection,
        c.state,
        c.version,
        c.updated_at,
        c.labels,
        c.pause,
        c.pause_until,
        c.definition,
        expectedVersion,
      ]);
      if (changed === 0) throw await versionError(q, job.id, expectedVersion);
      await q.changes(sql.DELETE_LABELS, [job.id]);
      if (labels.length > 0) {
        await q.changes(sql.INSERT_LABELS, [job.id, labels.map(([k]) => k), labels.map(([, v]) => v)]);
      }
      if (resetTrigger !== undefined) {
        await q.changes(sql.RESET_TRIGGER, [job.id, resetTrigger.nextFireAt]);
        await q.changes(sql.DELETE_PENDING_FIRES, [job.id]);
      }
    });
  }

  async get(id: string): Promise<Job | null> {
    const [row] = await this.session.rows<JobRow>(sql.GET_JOB, [id]);
    return row === undefined ? null : rowToJob(row);
  }

  async getMany(ids: string[]): Promise<Job[]> {
    if (ids.length === 0) return [];
    return (await this.session.rows<JobRow>(sql.GET_JOBS, [ids])).map(rowToJob);
  }

  async list(query: JobQuery): Promise<Page<Job>> {
    const { pageSql, countSql, params } = jobListSql(query);
    return this.session.read(async (q) => {
      const rows = await q.adhoc<JobRow>(pageSql, [...params, query.limit, query.offset]);
      const [count] = await q.adhoc<{ n: number }>(countSql, params);
      return { items: rows.map(rowToJob), total: count?.n ?? 0 };
    });
  }

  /**
   * Deletes the job at the expected version, then its fires, runs and their steps (see DELETE_JOB), in
   * one transaction; when the job row is not deleted, the reason is looked up.
   */
  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    return this.session.write(async (q) => {
      if ((await q.changes(sql.DELETE_JOB, [id, expectedVersion ?? null])) === 0) {
        if (expectedVersion === undefined) return false;
        const [row] = await q.rows<{ version: number }>(sql.JOB_VERSION, [id]);
        if (row === undefined) return false;
        throw staleVersion(id, row.version, expectedVersion);
      }
      await q.changes(sql.DELETE_JOB_FIRES, [id]);
      const runs = await q.rows<{ id: string }>(sql.DELETE_JOB_RUNS, [id]);
      if (runs.length > 0) await q.changes(sql.DELETE_STEPS_OF_RUNS, [runs.map((run) => run.id)]);
      return true;
    });
  }

  async count(collection?: string): Promise<{ total: number; byState: Record<JobState, number> }> {
    const rows =
      collection === undefined
        ? await this.session.rows<{ state: JobState; n: number }>(sql.COUNT_JOBS)
        : await this.session.rows<{ state: JobState; n: number }>(sql.COUNT_JOBS_IN, [collection]);
    const byState: Record<JobState, number> = { enabled: 0, paused: 0, completed: 0, faulted: 0 };
    let total = 0;
    for (const row of rows) {
      byState[row.state] = row.n;
      total += row.n;
    }
    return { total, byState };
  }

  async expiredPauses(now: Instant): Promise<string[]> {
    return (await this.session.rows<{ id: string }>(sql.EXPIRED_PAUSES, [now])).map((row) => row.id);
  }
}

async function versionError(q: Queryable, id: string, expectedVersion: number): Promise<SkedError> {
  const [row] = await q.rows<{ version: number }>(sql.JOB_VERSION, [id]);
  if (row === undefined) return notFound('job', id);
  return staleVersion(id, row.version, expectedVersion);
}

function staleVersion(id: string, actual: number, expected: number): SkedError {
  return new SkedError('PRECONDITION_FAILED', `job '${id}' is at version ${actual}, not ${expected}`);
}
