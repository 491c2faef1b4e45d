/**
 * JIM's list envelope `{items, totalCount, page, pageSize, totalPages, hasNextPage, hasPreviousPage}` and
 * its query parameters: page (1-based; below 1 reads as 1), pageSize (default 20, capped at 100, below 1
 * reads as the default), paging deeper than 1,000,000 rows is a 400; values that are not numbers or
 * booleans are a 400, as ASP.NET's binding answers.
 */

import { addError, validationFailed, type ValidationErrors } from './errors.js';

export const MAX_PAGE_SIZE = 100;
const MAX_ROWS = 1_000_000;

export type Query = Record<string, string | string[] | undefined>;

/** A query parameter, case-insensitive as ASP.NET binds them; the first value when repeated. */
export function queryValue(query: Query, name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : query[key];
  return Array.isArray(v) ? v[0] : v;
}

function int(query: Query, name: string, errors: ValidationErrors): number | undefined {
  const v = queryValue(query, name);
  if (v === undefined || v === '') return undefined;
  if (!/^[+-]?\d{1,10}$/.test(v.trim())) {
    addError(errors, name, `The value '${v}' is not valid.`);
    return undefined;
  }
  return Number(v);
}

export function boolParam(query: Query, name: string, errors: ValidationErrors): boolean | undefined {
  const v = queryValue(query, name);
  if (v === undefined || v === '') return undefined;
  const t = v.trim().toLowerCase();
  if (t !== 'true' && t !== 'false') {
    addError(errors, name, `The value '${v}' is not valid.`);
    return undefined;
  }
  return t === 'true';
}

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

/** page/pageSize from a query; `errors` collects problems (thrown by the caller with the rest). */
export function readPage(query: Query, errors: ValidationErrors, defaultSize = 20): PageRequest {
  const rawPage = int(query, 'page', errors) ?? 1;
  const rawSize = int(query, 'pageSize', errors) ?? defaultSize;
  const page = Math.max(1, rawPage);
  const pageSize = rawSize < 1 ? defaultSize : Math.min(MAX_PAGE_SIZE, rawSize);
  if (page * pageSize > MAX_ROWS) addError(errors, 'page', `Paging deeper than ${MAX_ROWS.toLocaleString('en-US')} rows is not supported; narrow the result set with a search rather than paging so deep.`);
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export function throwIfAny(errors: ValidationErrors): void {
  if (Object.keys(errors).length) throw validationFailed(errors);
}

export interface PageEnvelope<T> {
  items: T[];
  totalCount: number;
  page: number;
  pageSize: number;
  totalPages: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export function envelope<T>(items: T[], totalCount: number, page: PageRequest): PageEnvelope<T> {
  const totalPages = Math.ceil(totalCount / page.pageSize);
  return { items, totalCount, page: page.page, pageSize: page.pageSize, totalPages, hasNextPage: page.page < totalPages, hasPreviousPage: page.page > 1 };
}
