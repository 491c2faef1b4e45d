/**
 * The list queries whose WHERE and ORDER BY depend on the filters given. Each returns the SQL text of
 * the page and of its total, and the parameters of the WHERE clause; the page query takes limit and
 * offset as the two parameters after them. Time ranges are half-open: `from` inclusive, `to` exclusive.
 */

import type { FireQuery, JobQuery, JobSortKey, RunQuery } from '../store.js';
import { JOB_SELECT, RUN_COLUMNS } from './postgres-sql.js';

export interface ListSql {
  pageSql: string;
  countSql: string;
  /** Parameters of the WHERE clause; the page query then takes limit and offset. */
  params: unknown[];
}

/** Collects conditions with their `$n` parameters. */
class Where {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  /** Adds a condition; each `?` in it becomes the next `$n`, bound to the next value. */
  add(condition: string, ...values: unknown[]): void {
    let i = 0;
    this.conditions.push(condition.replace(/\?/g, () => `$${this.params.length + ++i}`));
    this.params.push(...values);
  }

  get sql(): string {
    return this.conditions.length === 0 ? '' : ` WHERE ${this.conditions.join(' AND ')}`;
  }

  /** `LIMIT $n OFFSET $n+1`, after the WHERE parameters. */
  get page(): string {
    return ` LIMIT $${this.params.length + 1} OFFSET $${this.params.length + 2}`;
  }
}

/** Sort expressions per key; nextFireTime puts jobs with nothing scheduled last in either direction. */
function orderTerms(key: JobSortKey, direction: 'ASC' | 'DESC'): string[] {
  switch (key) {
    case 'id':
      return [`j.id ${direction}`];
    case 'name':
      // case-insensitive first, then byte order (the columns are COLLATE "C") so that the order is total
      return [`j.name_folded ${direction}`, `j.name ${direction}`];
    case 'createdAt':
      return [`j.created_at ${direction}`];
    case 'updatedAt':
      return [`j.updated_at ${direction}`];
    case 'nextFireTime':
      return [`t.next_fire_at ${direction} NULLS LAST`];
    case 'state':
      return [`j.state ${direction}`];
  }
}

export function jobListSql(query: JobQuery): ListSql {
  const where = new Where();
  if (query.state !== undefined) where.add('j.state = ?', query.state);
  if (query.collection !== undefined) where.add('j.collection = ?', query.collection);
  for (const [key, value] of Object.entries(query.labels ?? {})) {
    where.add('j.id IN (SELECT job_id FROM job_labels WHERE key = ? AND value = ?)', key, value);
  }
  if (query.nameContains !== undefined && query.nameContains !== '') {
    // strpos, not LIKE: % and _ in the filter are plain characters
    where.add('strpos(j.name_folded, ?) > 0', query.nameContains.toLowerCase());
  }
  if (query.ids !== undefined) where.add('j.id = ANY(?::text[])', query.ids);
  const order: string[] = [];
  for (const { key, descending } of query.sort ?? [])
    order.push(...orderTerms(key, descending ? 'DESC' : 'ASC'));
  if (!(query.sort ?? []).some((term) => term.key === 'id')) order.push('j.id ASC');
  return {
    pageSql: `${JOB_SELECT}${where.sql} ORDER BY ${order.join(', ')}${where.page}`,
    countSql: `SELECT count(*)::int AS n FROM jobs j${where.sql}`,
    params: where.params,
  };
}

/** Runs newest first by listed_at (scheduledFor, or queuedAt for runs without one). */
export function runListSql(query: RunQuery): ListSql {
  const where = new Where();
  if (query.jobId !== undefined) where.add('job_id = ?', query.jobId);
  if (query.status !== undefined) {
    where.add('status = ANY(?::text[])', query.status);
    // "what is queued or running now": spelt as the partial index runs_active says, so the planner
    // can read that small index instead of the whole history
    if (query.status.every((status) => status === 'queued' || status === 'running')) {
      where.add("status IN ('queued', 'running')");
    }
  }
  if (query.from !== undefined) where.add('listed_at >= ?', query.from);
  if (query.to !== undefined) where.add('listed_at < ?', query.to);
  return {
    pageSql: `SELECT ${RUN_COLUMNS} FROM runs${where.sql} ORDER BY listed_at DESC, id DESC${where.page}`,
    countSql: `SELECT count(*)::int AS n FROM runs${where.sql}`,
    params: where.params,
  };
}

/** One job's ledger, newest first. */
export function fireListSql(jobId: string, query: FireQuery): ListSql {
  const where = new Where();
  where.add('job_id = ?', jobId);
  if (query.from !== undefined) where.add('scheduled_for >= ?', query.from);
  if (query.to !== undefined) where.add('scheduled_for < ?', query.to);
  if (query.outcome !== undefined) where.add('outcome = ?', query.outcome);
  return {
    pageSql: `SELECT job_id, scheduled_for, outcome, fired_at, run_id, node_id FROM fire_ledger${where.sql}
      ORDER BY scheduled_for DESC${where.page}`,
    countSql: `SELECT count(*)::int AS n FROM fire_ledger${where.sql}`,
    params: where.params,
  };
}
