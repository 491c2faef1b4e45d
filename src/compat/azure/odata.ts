/** Azure's list query options: `$top` (1..100), `$skip`, `$filter=<field> eq <value>`. */

import { AzureApiError } from './azure-api-error.js';

export interface ListQuery {
  top: number | undefined;
  skip: number;
  filter: { field: string; value: string } | null;
}

const invalid = (name: string, message: string): AzureApiError =>
  new AzureApiError(400, 'MissingOrInvalidRequiredQueryParameter', `${name}: ${message}`, [{ pointer: `/query/${name}`, message }]);

function integer(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(name, `must be an integer ${min}..${max}`);
  return n;
}

/** Parses the options; `fields` are the names `$filter` may test, each with its allowed values. */
export function parseListQuery(params: URLSearchParams, fields: Record<string, readonly string[]>): ListQuery {
  const top = integer(params, '$top', 1, 100);
  const skip = integer(params, '$skip', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const raw = params.get('$filter');
  let filter: ListQuery['filter'] = null;
  if (raw !== null && raw.trim() !== '') {
    const m = /^\s*([A-Za-z]+)\s+eq\s+'?([A-Za-z]+)'?\s*$/i.exec(raw);
    const field = m?.[1]?.toLowerCase();
    const allowed = field === undefined ? undefined : fields[field];
    const value = m?.[2]?.toLowerCase();
    if (!allowed || value === undefined || !allowed.includes(value)) {
      const forms = Object.entries(fields).map(([f, vs]) => `${f} eq ${vs.join('|')}`);
      throw invalid('$filter', `must be ${forms.join(' or ')} (got ${JSON.stringify(raw)})`);
    }
    filter = { field: field as string, value };
  }
  return { top, skip, filter };
}
