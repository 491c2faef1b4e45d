/**
 * sked's Quartz dialect against Quartz 2.3.2 itself: every row of the corpus in test/fixtures (generated
 * by scripts/quartz-fixture/generate.mjs through ../shared/tools/quartz-oracle) must give exactly
 * Quartz's fire times under dst: 'quartz', and every expression Quartz rejects must be rejected.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSchedule } from '../../src/schedule/compile.js';
import { getZone } from '../../src/schedule/zone.js';
import type { DstPolicy } from '../../src/domain/types.js';

const fixture = (name: string): string[][] =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'));

const corpus = fixture('quartz-corpus.tsv');

function fires(expression: string, timeZone: string, start: string, count: number, dst: DstPolicy): string[] {
  const schedule = compileSchedule({ type: 'cron', expression, dialect: 'quartz', timeZone, dst });
  const out: string[] = [];
  let t: number | null = Date.parse(start);
  while (out.length < count && (t = schedule.nextAfter(t)) !== null) out.push(new Date(t).toISOString().replace('.000Z', 'Z'));
  return out;
}

describe('Quartz corpus', () => {
  it(`has thousands of rows (${corpus.length})`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(5000);
  });

  it('every fire time agrees with Quartz under dst: quartz', () => {
    const mismatches: string[] = [];
    for (const [expression, zone, start, count, answer] of corpus) {
      const expected = answer ? answer.split(' ') : [];
      let actual: string[];
      try {
        actual = fires(expression!, zone!, start!, Number(count), 'quartz');
      } catch (err) {
        actual = [`ERR ${(err as Error).message}`];
      }
      if (actual.join(' ') !== expected.join(' ')) mismatches.push(`${expression}\t${zone}\t${start}\n  quartz: ${expected.join(' ')}\n  sked:   ${actual.join(' ')}`);
    }
    expect(mismatches.slice(0, 10).join('\n'), `${mismatches.length} of ${corpus.length} rows differ`).toBe('');
  });

  it('under the default (compatible) policy, every difference from Quartz is at a DST transition', () => {
    let differing = 0;
    const unexplained: string[] = [];
    for (const [expression, zone, start, count, answer] of corpus) {
      const expected = answer ? answer.split(' ') : [];
      const actual = fires(expression!, zone!, start!, Number(count), 'compatible');
      if (actual.join(' ') === expected.join(' ')) continue;
      differing++;
      const from = Math.floor(Date.parse(start!) / 1000);
      const to = Math.ceil(Math.max(...[...expected, ...actual].map((t) => Date.parse(t))) / 1000) + 1;
      if (getZone(zone!).transitionsBetween(from - 86_400, to + 86_400).length === 0) unexplained.push(`${expression} ${zone} ${start}`);
    }
    expect(unexplained, `${differing} rows differ, all should be DST-related`).toEqual([]);
  });
});

describe('expressions Quartz rejects', () => {
  const invalid = fixture('quartz-invalid.tsv');

  it(`are all rejected by sked (${invalid.length})`, () => {
    const accepted = invalid.filter(([expression]) => {
      try {
        compileSchedule({ type: 'cron', expression: expression!, dialect: 'quartz' });
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted.map((r) => r[0])).toEqual([]);
  });
});

describe('inputs Quartz accepts by ignoring part of them', () => {
  const lenient = fixture('quartz-lenient.tsv');

  it('are either refused by sked with a message, or read exactly as Quartz reads them', () => {
    let refused = 0;
    const different: string[] = [];
    for (const [expression, zone, start, count, answer] of lenient) {
      let actual: string[];
      try {
        actual = fires(expression!, zone!, start!, Number(count), 'quartz');
      } catch {
        refused++;
        continue;
      }
      if (actual.join(' ') !== (answer ?? '')) different.push(`${expression}: quartz ${answer} / sked ${actual.join(' ')}`);
    }
    expect(different).toEqual([]);
    expect(refused).toBeGreaterThan(0);
  });
});
