/**
 * CREST queries over IDM objects, as IDM's JobRequestHandler runs them: every object is built, filtered
 * with `_queryFilter` (sked's CREST parser), sorted by `_sortKeys` with `_id` appended, then paged with
 * `_pageSize`, `_pagedResultsCookie` (the next offset as a decimal string) and `_pagedResultsOffset`, and
 * projected with `_fields`. `_queryId=query-all-ids` returns `{_id}` objects; no other query id exists.
 */

import type { FastifyRequest } from 'fastify';
import { SkedError } from '../../domain/errors.js';
import { matchesFilter, parseFilter, type Filter } from '../../service/crest-filter.js';
import { IdmError } from './idm-errors.js';
import { queryList, queryParam } from './idm-request.js';

type Obj = Record<string, unknown>;

export interface CrestQuery {
  /** null with `query-all-ids`. */
  filter: Filter | null;
  allIds: boolean;
  pageSize: number;
  offset: number;
  sortKeys: { path: string[]; descending: boolean }[];
  fields: string[][] | null;
}

export interface QueryEnvelope {
  result: Obj[];
  resultCount: number;
  pagedResultsCookie: string | null;
  totalPagedResultsPolicy: 'EXACT';
  totalPagedResults: number;
  remainingPagedResults: -1;
}

const pointer = (text: string): string[] => text.split('/').filter((s) => s !== '');

function intParam(request: FastifyRequest, name: string): number {
  const raw = queryParam(request, name);
  if (raw === null || raw.trim() === '') return 0;
  if (!/^-?\d+$/.test(raw.trim()))
    throw new IdmError(
      400,
      `The value '${raw}' for parameter '${name}' could not be parsed as a valid integer`,
    );
  return Number(raw);
}

/** The fields of `_fields` (also used on reads), or null for all. */
export function fieldsOf(request: FastifyRequest): string[][] | null {
  const fields = queryList(request, '_fields');
  return fields.length ? fields.map(pointer) : null;
}

/** Reads the query parameters; 400 for what CREST refuses. */
export function parseCrestQuery(request: FastifyRequest): CrestQuery {
  const filterText = queryParam(request, '_queryFilter');
  const queryId = queryParam(request, '_queryId');
  if (queryParam(request, '_queryExpression') !== null)
    throw new IdmError(400, '_queryExpression is not supported by the scheduler: use _queryFilter');
  if (filterText === null && queryId === null) {
    throw new IdmError(400, 'A query needs one of _queryFilter or _queryId (for example _queryFilter=true)');
  }
  if (queryId !== null && queryId !== 'query-all-ids')
    throw new IdmError(400, "only query-id of 'query-all-ids' is supported.");
  let filter: Filter | null = null;
  if (queryId === null && filterText !== null) {
    try {
      filter = parseFilter(filterText, '/query/_queryFilter');
    } catch (err) {
      const detail = err instanceof SkedError ? `: ${err.message}` : '';
      throw new IdmError(
        400,
        `The value '${filterText}' for parameter '_queryFilter' could not be parsed as a valid query filter${detail}`,
      );
    }
  }
  const cookie = queryParam(request, '_pagedResultsCookie') ?? '';
  const sortKeys = queryList(request, '_sortKeys').map((k) => ({
    path: pointer(k.replace(/^[-+]/, '')),
    descending: k.startsWith('-'),
  }));
  return {
    filter,
    allIds: queryId !== null,
    pageSize: intParam(request, '_pageSize'),
    // A cookie that is not a number starts at the beginning, as IDM's handler does.
    offset: Math.max(
      0,
      intParam(request, '_pagedResultsOffset') + (/^\d+$/.test(cookie) ? Number(cookie) : 0),
    ),
    sortKeys: [...sortKeys, { path: ['_id'], descending: false }],
    fields: fieldsOf(request),
  };
}

function valueAt(obj: unknown, path: string[]): unknown {
  let v: unknown = obj;
  for (const seg of path) {
    if (Array.isArray(v)) v = /^\d+$/.test(seg) ? v[Number(seg)] : undefined;
    else if (v && typeof v === 'object') v = (v as Obj)[seg];
    else return undefined;
  }
  return v;
}

/** Orders JSON values: missing/null first, then booleans, numbers, strings, then anything else by its JSON. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown): number =>
    v === undefined || v === null
      ? 0
      : typeof v === 'boolean'
        ? 1
        : typeof v === 'number'
          ? 2
          : typeof v === 'string'
            ? 3
            : 4;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 1 || ra === 2) return Number(a) - Number(b);
  const sa = ra === 3 ? (a as string) : JSON.stringify(a);
  const sb = ra === 3 ? (b as string) : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Keeps the listed fields (and always `_id` and `_rev`, as CREST does). */
export function project(obj: Obj, fields: string[][] | null): Obj {
  if (fields === null) return obj;
  const out: Obj = {};
  for (const key of ['_id', '_rev']) if (key in obj) out[key] = obj[key];
  for (const path of fields) {
    const value = valueAt(obj, path);
    if (value === undefined || path.length === 0) continue;
    let target = out;
    path.slice(0, -1).forEach((seg) => {
      const next = target[seg];
      target = next && typeof next === 'object' && !Array.isArray(next) ? (next as Obj) : (target[seg] = {});
    });
    target[path[path.length - 1] as string] = value;
  }
  return out;
}

/** Filters, sorts, pages and projects `all`, answering IDM's query envelope. */
export function runQuery(all: Obj[], q: CrestQuery): QueryEnvelope {
  const matched = q.allIds
    ? all.map((o) => ({ _id: o['_id'] }))
    : all.filter((o) => q.filter === null || matchesFilter(q.filter, o));
  matched.sort((a, b) => {
    for (const key of q.sortKeys) {
      const c = compareValues(valueAt(a, key.path), valueAt(b, key.path));
      if (c !== 0) return key.descending ? -c : c;
    }
    return 0;
  });
  const total = matched.length;
  const size = q.pageSize > 0 ? q.pageSize : total;
  const page = matched.slice(q.offset, q.offset + size);
  const next = q.offset + size >= total ? null : String(q.offset + size);
  return {
    result: q.allIds ? page : page.map((o) => project(o, q.fields)),
    resultCount: page.length,
    pagedResultsCookie: next,
    totalPagedResultsPolicy: 'EXACT',
    totalPagedResults: total,
    remainingPagedResults: -1,
  };
}
