/** Jobs: the wide definition row, its labels, and the narrow trigger and stats rows created with it. */

import { SkedError, notFound } from '../../domain/errors.js';
import type { Instant, Job, JobState } from '../../domain/types.js';
import type { JobQuery, Page } from '../store.js';
import { jobListSql } from './sqlite-list-sql.js';
import { jobColumns, rowToJob, type JobRow } from './sqlite-rows.js';
import type { SqliteSession } from './sqlite-session.js';
import * as sql from './sqlite-sql.js';

export class SqliteJobs {
  constructor(private readonly session: SqliteSession) {}

  insert(job: Job, nextFireAt: Instant | null): void {
    const s = this.session;
    s.write(() => {
      s.statement(sql.INSERT_JOB).run(jobColumns(job));
      s.statement(sql.INSERT_TRIGGER).run(job.id, nextFireAt);
      const { runCount, failureCount, lastRun, lastFireTime } = job.status;
      s.statement(sql.INSERT_JOB_STATS).run(
        job.id,
        runCount,
        failureCount,
        lastRun?.id ?? null,
        lastRun?.status ?? null,
        lastFireTime,
      );
      this.writeLabels(job);
    });
  }

  update(job: Job, expectedVersion: number, resetTrigger?: { nextFireAt: Instant | null }): void {
    const s = this.session;
    s.write(() => {
      const changed = s
        .statement(sql.UPDATE_JOB)
        .run({ ...jobColumns(job), expected_version: expectedVersion });
      if (changed.changes === 0) throw this.versionError(job.id, expectedVersion);
      s.statement(sql.DELETE_LABELS).run(job.id);
      this.writeLabels(job);
      if (resetTrigger !== undefined) {
        s.statement(sql.ADVANCE_TRIGGER).run(resetTrigger.nextFireAt, job.id);
        s.statement(sql.DELETE_PENDING_FIRES).run(job.id);
      }
    });
  }

  get(id: string): Job | null {
    const row = this.session.statement(sql.GET_JOB).get(id) as JobRow | undefined;
    return row === undefined ? null : rowToJob(row);
  }

  getMany(ids: string[]): Job[] {
    const rows = this.session.statement(sql.GET_JOBS).all(JSON.stringify(ids)) as JobRow[];
    return rows.map(rowToJob);
  }

  list(query: JobQuery): Page<Job> {
    const s = this.session;
    const { pageSql, countSql, params } = jobListSql(query);
    return s.read(() => {
      const rows = s.listStatement(pageSql).all(...params, query.limit, query.offset) as JobRow[];
      const { n } = s.listStatement(countSql).get(...params) as { n: number };
      return { items: rows.map(rowToJob), total: n };
    });
  }

  delete(id: string, expectedVersion?: number): boolean {
    const s = this.session;
    return s.write(() => {
      const row = s.statement(sql.JOB_VERSION).get(id) as { version: number } | undefined;
      if (row === undefined) return false;
      if (expectedVersion !== undefined && row.version !== expectedVersion) {
        throw staleVersion(id, row.version, expectedVersion);
      }
      s.statement(sql.DELETE_JOB).run(id);
      return true;
    });
  }

  count(collection?: string): { total: number; byState: Record<JobState, number> } {
    const rows = (
      collection === undefined
        ? this.session.statement(sql.COUNT_JOBS).all()
        : this.session.statement(sql.COUNT_JOBS_IN).all(collection)
    ) as { state: JobState; n: number }[];
    const byState: Record<JobState, number> = { enabled: 0, paused: 0, completed: 0, faulted: 0 };
    let total = 0;
    for (const row of rows) {
      byState[row.state] = row.n;
      total += row.n;
    }
    return { total, byState };
  }

  expiredPauses(now: Instant): string[] {
    const rows = this.session.statement(sql.EXPIRED_PAUSES).all(now) as { id: string }[];
    return rows.map((row) => row.id);
  }

  private writeLabels(job: Job): void {
    const insert = this.session.statement(sql.INSERT_LABEL);
    for (const [key, value] of Object.entries(job.labels)) insert.run(job.id, key, value);
  }

  private versionError(id: string, expectedVersion: number): SkedError {
    const row = this.session.statement(sql.JOB_VERSION).get(id) as { version: number } | undefined;
    if (row === undefined) return notFound('job', id);
    return staleVersion(id, row.version, expectedVersion);
  }
}

function staleVersion(id: string, actual: number, expected: number): SkedError {
  return new SkedError('PRECONDITION_FAILED', `job '${id}' is at version ${actual}, not ${expected}`);
}
