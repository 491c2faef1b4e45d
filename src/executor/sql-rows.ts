/**
 * How SQL results become output: one JSON object per row and line when the statement returns rows,
 * `N rows changed` otherwise. Values JSON cannot carry are rendered as text: big integers as decimal
 * strings, bytes as `\x` + hex (PostgreSQL's bytea text form). The SQLite helper process carries its own copy of
 * these rules (sqlite-helper-source.ts) because it cannot import modules.
 */

export function rowLine(row: Readonly<Record<string, unknown>>): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = jsonValue(value);
  return JSON.stringify(out);
}

function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return value;
}

export function changedLine(count: number): string {
  return `${count} ${count === 1 ? 'row' : 'rows'} changed`;
}
