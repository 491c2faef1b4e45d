/**
 * The CREST query filter grammar (ForgeRock's `_queryFilter`, also sked's `filter` parameter):
 *
 *   Expr    = AndExpr ('or' AndExpr)*
 *   AndExpr = NotExpr ('and' NotExpr)*
 *   NotExpr = '!' Primary | Primary
 *   Primary = '(' Expr ')' | 'true' | 'false' | Pointer 'pr' | Pointer Op Value | Pointer '[' Expr ']'
 *   Op      = eq | co | sw | lt | le | gt | ge | an extended operator (any other ASCII token)
 *   Value   = number | true | false | null | "string" | 'string'   (backslash escapes)
 *
 * Keywords and operators are case-insensitive, as in CREST. Pointers are JSON pointers with or without
 * the leading `/` (a trailing `/` is ignored). A pointer that lands on an array matches when any element
 * does. `Pointer '[' Expr ']'` matches when the value at the pointer is an array with an element that
 * satisfies Expr, whose pointers are relative to that element (`triggers[state eq "NORMAL" and nodeId pr]`
 * needs one trigger with both). An extended operator parses (it takes a value) and matches nothing, as
 * ForgeRock's in-memory filter visitor does with operators it does not know.
 */

import { SkedError } from '../domain/errors.js';

export type Filter =
  | { kind: 'and' | 'or'; parts: Filter[] }
  | { kind: 'not'; inner: Filter }
  | { kind: 'literal'; value: boolean }
  | { kind: 'present'; path: string[] }
  | { kind: 'compare'; op: CompareOp; path: string[]; value: unknown }
  | { kind: 'extended'; op: string; path: string[]; value: unknown }
  | { kind: 'complex'; path: string[]; inner: Filter };

export type CompareOp = 'eq' | 'co' | 'sw' | 'lt' | 'le' | 'gt' | 'ge';
const OPS = new Set(['eq', 'co', 'sw', 'lt', 'le', 'gt', 'ge']);
/** Single-character tokens; a bare token ends at whitespace or one of these (but `!` only starts one). */
const PUNCTUATION = new Set(['(', ')', '[', ']', '!']);
/** An extended operator: printable ASCII. */
const EXTENDED_OP = /^[\x21-\x7e]+$/;
/** Deepest nesting of parentheses, negations and `[…]` (CREST allows 256 levels of its own descent). */
const MAX_DEPTH = 1000;

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
    } else if (PUNCTUATION.has(c)) {
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
      while (i < input.length && !/[\s()[\]]/.test(input[i] as string)) i++;
      out.push({ text: input.slice(start, i), quoted: false, pos: start });
    }
  }
  return out;
}

/** The unquoted token `word` (case-insensitive)? */
const isWord = (t: Token | undefined, word: string): boolean => t !== undefined && !t.quoted && t.text.toLowerCase() === word;
const isPunct = (t: Token | undefined, p: string): boolean => t !== undefined && !t.quoted && t.text === p;

/** Parses a filter; errors are 400s naming `pointer` (e.g. `/query/filter`). */
export function parseFilter(input: string, pointer = '/query/filter'): Filter {
  const tokens = tokenize(input, pointer);
  let i = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[i];
  const end = input.length;
  const describe = (t: Token): string => (t.quoted ? `string "${t.text}"` : `'${t.text}'`);

  const nested = <T>(at: number, body: () => T): T => {
    if (++depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`, at, pointer);
    const result = body();
    depth--;
    return result;
  };

  const parseOr = (): Filter => {
    const parts = [parseAnd()];
    while (isWord(peek(), 'or')) {
      i++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? (parts[0] as Filter) : { kind: 'or', parts };
  };
  const parseAnd = (): Filter => {
    const parts = [parseNot()];
    while (isWord(peek(), 'and')) {
      i++;
      parts.push(parseNot());
    }
    return parts.length === 1 ? (parts[0] as Filter) : { kind: 'and', parts };
  };
  const parseNot = (): Filter => {
    const t = peek();
    if (isPunct(t, '!')) {
      i++;
      return nested((t as Token).pos, () => ({ kind: 'not', inner: parsePrimary() }));
    }
    return parsePrimary();
  };
  /** `Expr` then the closing token `close`, after the opening one at `open`. */
  const parseGroup = (open: Token, close: string): Filter =>
    nested(open.pos, () => {
      const inner = parseOr();
      const t = tokens[i++];
      if (!isPunct(t, close)) fail(t ? `expected '${close}' before ${describe(t)}` : `expected '${close}' (to close the '${open.text}' at character ${open.pos + 1})`, t?.pos ?? end, pointer);
      return inner;
    });
  const parsePrimary = (): Filter => {
    const t = tokens[i++];
    if (!t) return fail('unexpected end of filter', end, pointer);
    if (isPunct(t, '(')) return parseGroup(t, ')');
    if (isWord(t, 'true') || isWord(t, 'false')) return { kind: 'literal', value: t.text.toLowerCase() === 'true' };
    if (t.quoted || PUNCTUATION.has(t.text)) fail(`expected a field pointer, found ${describe(t)}`, t.pos, pointer);
    const path = t.text.split('/').filter((s) => s !== '').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const opTok = tokens[i++];
    if (!opTok || opTok.quoted || (PUNCTUATION.has(opTok.text) && opTok.text !== '[')) {
      return fail(`expected an operator (eq co sw lt le gt ge pr, or '[') after '${t.text}'`, opTok?.pos ?? end, pointer);
    }
    if (opTok.text === '[') return { kind: 'complex', path, inner: parseGroup(opTok, ']') };
    const op = opTok.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!OPS.has(op) && !EXTENDED_OP.test(opTok.text)) fail(`'${opTok.text}' is not a valid operator`, opTok.pos, pointer);
    const v = tokens[i++];
    if (!v) return fail(`expected a value after '${opTok.text}'`, end, pointer);
    const value = literal(v, pointer);
    return OPS.has(op) ? { kind: 'compare', op: op as CompareOp, path, value } : { kind: 'extended', op: opTok.text, path, value };
  };

  const result = parseOr();
  if (i < tokens.length) fail(`unexpected ${describe(tokens[i] as Token)}`, (tokens[i] as Token).pos, pointer);
  return result;
}

function literal(t: Token, pointer: string): unknown {
  if (t.quoted) return t.text;
  const word = t.text.toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t.text)) return Number(t.text);
  if (PUNCTUATION.has(t.text)) return fail(`expected a value, found '${t.text}'`, t.pos, pointer);
  return fail(`strings must be quoted ('${t.text}')`, t.pos, pointer);
}

/** The values at `path`, stepping into every element of the arrays on the way; arrays at the end stay whole. */
function reach(value: unknown, path: string[]): unknown[] {
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
  return current;
}

/** The values at `path`, arrays at the end spread into their elements. */
function resolve(value: unknown, path: string[]): unknown[] {
  return reach(value, path).flatMap((v) => (Array.isArray(v) ? v : [v]));
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
    case 'extended':
      return false;
    case 'complex': {
      const inner = filter.inner;
      return reach(value, filter.path).some((v) => Array.isArray(v) && v.some((el) => matchesFilter(inner, el)));
    }
  }
}
