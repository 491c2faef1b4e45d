/**
 * The list queries whose WHERE and ORDER BY depend on the filters given. Each returns the SQL text of
 * the page and of its total, and the parameters; the session caches one prepared statement per text,
 * and the number of distinct texts is small (one per combination of filters and sort keys).
 * Time ranges are half-open: `from` inclusive, `to` exclusive.
 */

import type { FireQuery, JobQuery, JobSortKey, RunQuery } from '../store.js';
import { JOB_SELECT, RUN_COLUMNS } from './sqlite-sql.js';

export interface ListSql {
  pageSql: string;
  countSql: string;
  /** Parameters of the WHERE clause (the page query then takes limit and offset). */
  params: (string | number)[];
}

function whereOf(conditions: string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

/** Sort expressions per key; nextFireTime puts jobs with nothing scheduled last in either direction. */
function orderTerms(key: JobSortKey, direction: 'ASC' | 'DESC'): string[] {
  switch (key) {
    case 'id':
      return [`j.id ${direction}`];
    case 'name':
      // case-insensitive first, then byte order so that the order is total
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
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (query.state !== undefined) {
    conditions.push('j.state = ?');
    params.push(query.state);
  }
  if (query.collection !== undefined) {
    conditions.push('j.collection = ?');
    params.push(query.collection);
  }
  for (const [key, value] of Object.entries(query.labels ?? {})) {
    conditions.push('j.id IN (SELECT job_id FROM job_labels WHERE key = ? AND value = ?)');
    params.push(key, value);
  }
  if (query.nameContains !== undefined && query.nameContains !== '') {
    conditions.push('instr(j.name_folded, ?) > 0');
    params.push(query.nameContains.toLowerCase());
  }
  if (query.ids !== undefined) {
    conditions.push('j.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.ids));
  }
  const order: string[] = [];
  for (const { key, descending } of query.sort ?? [])
    order.push(...orderTerms(key, descending ? 'DESC' : 'ASC'));
  if (!(query.sort ?? []).some((term) => term.key === 'id')) order.push('j.id ASC');
  const where = whereOf(conditions);
  return {
    pageSql: `${JOB_SELECT}${where} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    countSql: `SELECT COUNT(*) AS n FROM jobs j${where}`,
    params,
  };
}

/** Runs newest first by listed_at (scheduledFor, or queuedAt for runs without one). */
export function runListSql(query: RunQuery): ListSql {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (query.jobId !== undefined) {
    conditions.push('job_id = ?');
    params.push(query.jobId);
  }
  if (query.status !== undefined) {
    conditions.push('status IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.status));
    // "what is queued or running now": spelt as the partial index runs_active says, so SQLite reads
    // that small index instead of the whole history
    if (query.status.every((status) => status === 'queued' || status === 'running')) {
      conditions.push("status IN ('queued', 'running')");
    }
  }
  if (query.from !== undefined) {
    conditions.push('listed_at >= ?');
    params.push(query.from);
  }
  if (query.to !== undefined) {
    conditions.push('listed_at < ?');
    params.push(query.to);
  }
  const where = whereOf(conditions);
  return {
    pageSql: `SELECT ${RUN_COLUMNS} FROM runs${where} ORDER BY listed_at DESC, id DESC LIMIT ? OFFSET ?`,
    countSql: `SELECT COUNT(*) AS n FROM runs${where}`,
    params,
  };
}

/** One job's ledger with its pending (acquired) fires, newest first. */
export function fireListSql(jobId: string, query: FireQuery): ListSql {
  const conditions = ['job_id = ?'];
  const params: (string | number)[] = [jobId];
  if (query.from !== undefined) {
    conditions.push('scheduled_for >= ?');
    params.push(query.from);
  }
  if (query.to !== undefined) {
    conditions.push('scheduled_for < ?');
    params.push(query.to);
  }
  if (query.outcome !== undefined) {
    conditions.push('outcome = ?');
    params.push(query.outcome);
  }
  const where = whereOf(conditions);
  return {
    pageSql: `SELECT job_id, scheduled_for, outcome, fired_at, run_id, node_id FROM fires${where}
      ORDER BY scheduled_for DESC LIMIT ? OFFSET ?`,
    countSql: `SELECT COUNT(*) AS n FROM fires${where}`,
    params,
  };
}
