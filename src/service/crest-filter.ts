/**
 * The CREST query filter grammar (ForgeRock's `_queryFilter`, also sked's `filter` parameter):
 *
 *   Expr    = AndExpr ('or' AndExpr)*
 *   AndExpr = NotExpr ('and' NotExpr)*
 *   NotExpr = '!' Primary | Primary
 *   Primary = '(' Expr ')' | 'true' | 'false' | Pointer 'pr' | Pointer Op Value
 *   Op      = eq | co | sw | lt | le | gt | ge
 *   Value   = number | true | false | null | "string" | 'string'   (backslash escapes)
 *
 * Pointers are JSON pointers with or without the leading `/` (a trailing `/` is ignored). A pointer that
 * lands on an array matches when any element does.
 */

import { SkedError } from '../domain/errors.js';

export type Filter =
  | { kind: 'and' | 'or'; parts: Filter[] }
  | { kind: 'not'; inner: Filter }
  | { kind: 'literal'; value: boolean }
  | { kind: 'present'; path: string[] }
  | { kind: 'compare'; op: CompareOp; path: string[]; value: unknown };

export type CompareOp = 'eq' | 'co' | 'sw' | 'lt' | 'le' | 'gt' | 'ge';
const OPS = new Set(['eq', 'co', 'sw', 'lt', 'le', 'gt', 'ge']);

interface Token {
  text: string;
  quoted: boolean;
  pos: number;
}

function fail(message: string, pos: number, pointer: string): never {
  throw new SkedError('VALIDATION_ERROR', `filter: ${message} at character ${pos + 1}`, { errors: [{ pointer, message: `${message} at character ${pos + 1}` }] });
}

function tokenize(input: string, pointer: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '!') {
      out.push({ text: c, quoted: false, pos: i });
      i++;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let text = '';
      while (i < input.length && input[i] !== c) {
        if (input[i] === '\\' && i + 1 < input.length) i++;
        text += input[i];
        i++;
      }
      if (i >= input.length) fail('unterminated string', start, pointer);
      i++;
      out.push({ text, quoted: true, pos: start });
    } else {
      const start = i;
      while (i < input.length && !/[\s()]/.test(input[i] as string)) i++;
      out.push({ text: input.slice(start, i), quoted: false, pos: start });
    }
  }
  return out;
}

/** Parses a filter; errors are 400s naming `pointer` (e.g. `/query/filter`). */
export function parseFilter(input: string, pointer = '/query/filter'): Filter {
  const tokens = tokenize(input, pointer);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const end = input.length;

  const parseOr = (): Filter => {
    const parts = [parseAnd()];
    while (peek()?.text === 'or' && !peek()?.quoted) {
      i++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? (parts[0] as Filter) : { kind: 'or', parts };
  };
  const parseAnd = (): Filter => {
    const parts = [parseNot()];
    while (peek()?.text === 'and' && !peek()?.quoted) {
      i++;
      parts.push(parseNot());
    }
    return parts.length === 1 ? (parts[0] as Filter) : { kind: 'and', parts };
  };
  const parseNot = (): Filter => {
    if (peek()?.text === '!' && !peek()?.quoted) {
      i++;
      return { kind: 'not', inner: parsePrimary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): Filter => {
    const t = tokens[i++];
    if (!t) return fail('unexpected end of filter', end, pointer);
    if (!t.quoted && t.text === '(') {
      const inner = parseOr();
      const close = tokens[i++];
      if (!close || close.text !== ')') fail("expected ')'", close?.pos ?? end, pointer);
      return inner;
    }
    if (!t.quoted && (t.text === 'true' || t.text === 'false')) return { kind: 'literal', value: t.text === 'true' };
    if (t.quoted) fail('expected a field pointer', t.pos, pointer);
    const path = t.text.split('/').filter((s) => s !== '').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const opTok = tokens[i++];
    if (!opTok || opTok.quoted) return fail('expected an operator (eq co sw lt le gt ge pr)', opTok?.pos ?? end, pointer);
    if (opTok.text === 'pr') return { kind: 'present', path };
    if (!OPS.has(opTok.text)) fail(`unsupported operator '${opTok.text}'`, opTok.pos, pointer);
    const v = tokens[i++];
    if (!v) return fail('expected a value', end, pointer);
    return { kind: 'compare', op: opTok.text as CompareOp, path, value: literal(v, pointer) };
  };

  const result = parseOr();
  if (i < tokens.length) fail(`unexpected '${(tokens[i] as Token).text}'`, (tokens[i] as Token).pos, pointer);
  return result;
}

function literal(t: Token, pointer: string): unknown {
  if (t.quoted) return t.text;
  if (t.text === 'true') return true;
  if (t.text === 'false') return false;
  if (t.text === 'null') return null;
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t.text)) return Number(t.text);
  return fail(`strings must be quoted ('${t.text}')`, t.pos, pointer);
}

function resolve(value: unknown, path: string[]): unknown[] {
  let current: unknown[] = [value];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const v of current) {
      if (Array.isArray(v)) {
        if (/^\d+$/.test(seg)) next.push(v[Number(seg)]);
        else for (const el of v) if (el && typeof el === 'object') next.push((el as Record<string, unknown>)[seg]);
      } else if (v && typeof v === 'object') {
        next.push((v as Record<string, unknown>)[seg]);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function compare(op: CompareOp, actual: unknown, expected: unknown): boolean {
  if (actual === undefined) return false;
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'co':
      return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
    case 'sw':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    default: {
      if (typeof actual !== typeof expected || (typeof actual !== 'number' && typeof actual !== 'string')) return false;
      const a = actual as number | string;
      const b = expected as number | string;
      return op === 'lt' ? a < b : op === 'le' ? a <= b : op === 'gt' ? a > b : a >= b;
    }
  }
}

export function matchesFilter(filter: Filter, value: unknown): boolean {
  switch (filter.kind) {
    case 'and':
      return filter.parts.every((p) => matchesFilter(p, value));
    case 'or':
      return filter.parts.some((p) => matchesFilter(p, value));
    case 'not':
      return !matchesFilter(filter.inner, value);
    case 'literal':
      return filter.value;
    case 'present':
      return resolve(value, filter.path).some((v) => v !== undefined && v !== null);
    case 'compare':
      return resolve(value, filter.path).some((v) => compare(filter.op, v, filter.value));
  }
}
