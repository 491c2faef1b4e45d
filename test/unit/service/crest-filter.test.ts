/**
 * The CREST `_queryFilter` grammar (service/crest-filter.ts): parsing every production, including
 * `ptr[expr]` over array elements and extended operators (which parse and match nothing), evaluating
 * against JSON, and clear 400s naming the parameter for filters that are genuinely malformed.
 */

import { describe, expect, it } from 'vitest';
import { SkedError } from '../../../src/domain/errors.js';
import { matchesFilter, parseFilter } from '../../../src/service/crest-filter.js';

const job = {
  _id: 'recon',
  enabled: true,
  count: 3,
  name: 'Nightly "recon"',
  tags: ['a', 'b'],
  invokeContext: { action: 'reconcile', mapping: 'ldap' },
  triggers: [
    { _id: 't1', state: 'NORMAL', nodeId: null, priority: 5 },
    { _id: 't2', state: 'PAUSED', nodeId: 'node-1', priority: 7 },
  ],
  steps: [{ name: 'one', args: [{ k: 'x' }] }, { name: 'two', args: [] }],
  empty: [],
  scalar: 'text',
};

const matches = (filter: string, value: unknown = job): boolean => matchesFilter(parseFilter(filter), value);

function refusal(filter: string, pointer = '/query/filter'): SkedError {
  try {
    parseFilter(filter, pointer);
  } catch (err) {
    expect(err).toBeInstanceOf(SkedError);
    const e = err as SkedError;
    expect(e.code).toBe('VALIDATION_ERROR');
    expect(e.errors?.[0]?.pointer).toBe(pointer);
    return e;
  }
  throw new Error(`'${filter}' parsed`);
}

describe('core operators, literals and boolean structure', () => {
  it('evaluates eq co sw lt le gt ge pr, true and false', () => {
    expect(matches('_id eq "recon"')).toBe(true);
    expect(matches("_id eq 'recon'")).toBe(true);
    expect(matches('name co "\\"recon\\""')).toBe(true);
    expect(matches('_id sw "rec"')).toBe(true);
    expect(matches('count lt 4 and count le 3 and count gt 2 and count ge 3')).toBe(true);
    expect(matches('count gt 3')).toBe(false);
    expect(matches('enabled eq true')).toBe(true);
    expect(matches('invokeContext/action pr')).toBe(true);
    expect(matches('missing pr')).toBe(false);
    expect(matches('true')).toBe(true);
    expect(matches('false')).toBe(false);
  });

  it('pointers with or without a leading slash, a trailing slash tolerated', () => {
    expect(matches('/invokeContext/action eq "reconcile"')).toBe(true);
    expect(matches("invokeContext/action/ eq 'reconcile'")).toBe(true);
  });

  it('and binds tighter than or; ! applies to one primary; parentheses group', () => {
    expect(matches('_id eq "x" and count eq 3 or enabled eq true')).toBe(true);
    expect(matches('_id eq "x" and (count eq 3 or enabled eq true)')).toBe(false);
    expect(matches('!(_id eq "x")')).toBe(true);
    expect(matches('! _id eq "recon"')).toBe(false);
  });

  it('keywords and operators are case-insensitive, as in CREST', () => {
    expect(matches('_id EQ "recon" AND count Gt 2 OR FALSE')).toBe(true);
    expect(matches('invokeContext PR')).toBe(true);
    expect(matches('enabled eq TRUE')).toBe(true);
  });

  it('a pointer onto an array matches when any element does', () => {
    expect(matches('tags eq "b"')).toBe(true);
    expect(matches('triggers/state eq "PAUSED"')).toBe(true);
    expect(matches('triggers/0/state eq "NORMAL"')).toBe(true);
    expect(matches('triggers/0/nodeId pr')).toBe(false);
  });
});

describe("ptr '[' Expr ']'", () => {
  it('matches when one element of the array satisfies the inner filter, pointers relative to it', () => {
    expect(parseFilter('triggers[state eq "NORMAL"]')).toEqual({
      kind: 'complex',
      path: ['triggers'],
      inner: { kind: 'compare', op: 'eq', path: ['state'], value: 'NORMAL' },
    });
    expect(matches('triggers[state eq "NORMAL"]')).toBe(true);
    expect(matches('triggers[nodeId pr]')).toBe(true);
    expect(matches('triggers[state eq "ERROR"]')).toBe(false);
    expect(matches('/triggers/[_id eq "t2"]')).toBe(true);
    expect(matches('triggers [ priority gt 6 ]')).toBe(true);
  });

  it('the inner filter holds on one element: conditions are not spread over several', () => {
    // t1 is NORMAL, t2 is acquired: no single trigger is both
    expect(matches('triggers/state eq "NORMAL" and triggers/nodeId pr')).toBe(true);
    expect(matches('triggers[state eq "NORMAL" and nodeId pr]')).toBe(false);
    expect(matches('triggers[state eq "PAUSED" and nodeId pr]')).toBe(true);
    expect(matches('triggers[state eq "NORMAL" and !(nodeId pr)]')).toBe(true);
    expect(matches('triggers[!(state eq "NORMAL" or state eq "PAUSED")]')).toBe(false);
  });

  it('nests, combines with the other forms and stays true/false for literals', () => {
    expect(matches('steps[args[k eq "x"]]')).toBe(true);
    expect(matches('steps[name eq "two" and args[k pr]]')).toBe(false);
    expect(matches('enabled eq true and triggers[_id eq "t1"] or false')).toBe(true);
    expect(matches('!triggers[_id eq "t9"]')).toBe(true);
    expect(matches('triggers[true]')).toBe(true);
    expect(matches('empty[true]')).toBe(false);
    expect(matches('triggers[false]')).toBe(false);
  });

  it('elements that are not objects: the empty pointer is the element itself', () => {
    expect(matches('tags[/ eq "a"]')).toBe(true);
    expect(matches('tags[/ sw "z"]')).toBe(false);
  });

  it('no match when the value is missing or not an array', () => {
    expect(matches('missing[true]')).toBe(false);
    expect(matches('scalar[true]')).toBe(false);
    expect(matches('invokeContext[action eq "reconcile"]')).toBe(false);
  });
});

describe('extended operators', () => {
  it('parse with their value and match nothing (as an unknown operator in ForgeRock’s in-memory filter)', () => {
    expect(parseFilter("enabled xx 'x'")).toEqual({ kind: 'extended', op: 'xx', path: ['enabled'], value: 'x' });
    expect(matches('_id xx "recon"')).toBe(false);
    expect(matches('_id matches "rec.*" or _id eq "recon"')).toBe(true);
    expect(matches('!(_id xx "a")')).toBe(true);
    expect(matches('count ne 4')).toBe(false);
    expect(matches('count my.op_1 4')).toBe(false);
    expect(matches('triggers[state regex "N.*"]')).toBe(false);
  });

  it('still need a value, quoted when a string', () => {
    expect(refusal('_id xx').message).toMatch(/expected a value after 'xx'/);
    expect(refusal('_id xx abc').message).toMatch(/strings must be quoted/);
    expect(refusal('_id xx )').message).toMatch(/expected a value/);
  });

  it('must be ASCII', () => {
    expect(refusal('_id équivaut "x"').message).toMatch(/not a valid operator/);
  });
});

describe('malformed filters: 400 naming the parameter and the position', () => {
  it('refuses with a message saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['', /unexpected end of filter at character 1/],
      ['persisted eq true and', /unexpected end of filter/],
      ['_id eq "x" )', /unexpected '\)' at character 12/],
      ['(_id eq "x"', /expected '\)'/],
      ['triggers[state eq "NORMAL"', /expected '\]'/],
      ['triggers[state eq "NORMAL")', /expected '\]' before '\)'/],
      ['(_id eq "x"]', /expected '\)' before '\]'/],
      ['triggers[]', /expected a field pointer, found '\]'/],
      ['[state eq "x"]', /expected a field pointer, found '\['/],
      ['triggers]', /expected an operator/],
      ['_id', /expected an operator/],
      ['_id "x"', /expected an operator/],
      ['"x" eq "y"', /expected a field pointer/],
      ['_id eq sync', /strings must be quoted \('sync'\)/],
      ['_id eq "open', /unterminated string at character 8/],
      ['!!_id pr', /expected a field pointer, found '!'/],
      ['_id eq "x" _id eq "y"', /unexpected '_id'/],
    ];
    for (const [filter, message] of cases) expect(refusal(filter, '/query/_queryFilter').message, filter).toMatch(message);
  });

  it('refuses nesting deeper than 1000 levels instead of overflowing; 500 levels parse', () => {
    expect(matches('('.repeat(500) + '_id eq "recon"' + ')'.repeat(500))).toBe(true);
    expect(matches('a['.repeat(500) + 'true' + ']'.repeat(500), { a: [{ a: [] }] })).toBe(false);
    expect(refusal('('.repeat(1001) + 'true' + ')'.repeat(1001)).message).toMatch(/nested more than 1000 levels/);
    expect(refusal('a['.repeat(1001) + 'true' + ']'.repeat(1001)).message).toMatch(/nested more than 1000 levels/);
    expect(refusal('('.repeat(100_000)).message).toMatch(/nested more than 1000 levels/);
  });
});
