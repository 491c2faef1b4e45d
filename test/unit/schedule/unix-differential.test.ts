/**
 * Differential test of the Unix dialect against croner 11 and cron-parser 5 (dev dependencies only).
 *
 * Cases are generated deterministically (fast-check's sampler with a fixed seed, over the grammar in
 * support/cron-model.ts): 5-field expressions with lists, ranges, steps and names, both day fields
 * restricted in a controlled share; start instants over 2020-2035; zones UTC, Asia/Tokyo, Asia/Kolkata
 * (no DST) and DST zones, where a case is compared only when neither its start nor any fire lies within 3
 * hours of a DST transition (the libraries' DST rules differ from sked's and from each other's; the DST
 * suite covers that).
 *
 * Where a library agrees with cronie's documented rules, sked must give exactly the same five instants.
 * Where a library is known to deviate from cronie, the case is excluded from that library's comparison,
 * counted and printed with its reason, and sked's answer is checked against the cronie model instead
 * (support/cron-model.ts). Known deviations (each has a rule below; cronie = cronie-crond/cronie, entry.c):
 *
 * 1. Day fields starting with `*` (croner and cron-parser). cronie marks a day field "star" when its text
 *    starts with `*`, and ANDs the day fields when either is star: `0 0 *\/2 * 1` is "odd days that are
 *    Mondays". Both libraries treat any field that is not exactly `*` as restricted and OR the fields
 *    ("odd days or Mondays"): croner with domAndDow: false (the option that replaced legacyMode: true),
 *    cron-parser always.
 * 2. Day-of-week `v/n` reaching 7 (croner). croner ends such a step at 6, so `2/1` has no Sunday and `7/3`
 *    matches nothing; read as v-7/n (as sked and cron-parser do), 7 is Sunday.
 * 3. Overlapping list elements (cron-parser). cron-parser refuses `8-57,57-59` ("duplicate values");
 *    cronie sets the bits of every element and accepts it.
 *
 * Not cronie at all: `v/n` (cronie's parser refuses a step after a single number). sked, croner
 * (sloppyRanges) and cron-parser all read it as v-max/n, so it is compared as a shared extension.
 */

import { Cron } from 'croner';
import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { nextFireTimes } from '../../../src/schedule/index.js';
import { cronOracle, renderCron, unixModelArb, type CronModel, type Item } from './support/cron-model.js';
import { seededRandom, ZoneClock } from './support/zone-clock.js';

// A few seconds by default; SKED_DIFFERENTIAL_CASES=30000 for a deep run.
const CASES = Number(process.env.SKED_DIFFERENTIAL_CASES ?? 2000);
const COUNT = 5;
const FROM = Date.UTC(2020, 0, 1);
const TO = Date.UTC(2036, 0, 1);
const NEAR_TRANSITION_MS = 3 * 3_600_000;
const ZONES = [
  'UTC',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'America/Santiago',
];
const clocks = new Map(ZONES.map((z) => [z, new ZoneClock(z)]));

interface Case {
  model: CronModel;
  expression: string;
  zone: string;
  from: number;
}

function generateCases(): Case[] {
  const models = fc.sample(unixModelArb({ bothDaysRestricted: 0.2, withSeconds: 0 }), {
    numRuns: CASES,
    seed: 20_260_308,
  });
  const rand = seededRandom(3);
  return models.map((model) => ({
    model,
    expression: renderCron(model),
    zone: ZONES[Math.floor(rand() * ZONES.length)] as string,
    // Random milliseconds too, so no start is exactly on a fire.
    from: FROM + Math.floor(rand() * (TO - FROM)),
  }));
}

const fieldTexts = (c: Case): { dom: string; dow: string } => {
  const parts = c.expression.split(' ');
  return { dom: parts[2] as string, dow: parts[4] as string };
};

/** Why a library's answer may differ from cronie for this case (null: it must agree). */
type Deviation = (c: Case) => string | null;

/** Deviation 1 (see the top of the file). */
const starDayField: Deviation = (c) => {
  const { dom, dow } = fieldTexts(c);
  const domStar = dom.startsWith('*');
  const dowStar = dow.startsWith('*');
  // cronie ANDs when either field starts with '*'; the libraries OR unless one field is exactly '*'.
  return (domStar || dowStar) && dom !== '*' && dow !== '*'
    ? "a day field starting with '*' but not '*' (libraries OR, cronie ANDs)"
    : null;
};

/** The day-of-week items of a case. */
const dowItems = (c: Case): Item[] => (c.model.dow.t === 'items' ? c.model.dow.items : []);

/** Deviation 2 (see the top of the file). */
const stepFromValueReachingSeven: Deviation = (c) =>
  dowItems(c).some((i) => i.t === 'value' && i.step !== undefined && (7 - i.v) % i.step === 0)
    ? "day-of-week 'v/n' reaching 7 (croner ends it at 6: '2/1' has no Sunday, '7/3' is empty)"
    : null;

interface Library {
  name: string;
  deviations: Deviation[];
  /** Errors the library throws for expressions cronie accepts: message pattern and reason. */
  refusals: { pattern: RegExp; reason: string }[];
  /** Share of the cases that must be compared (not excluded), so the comparison is never excluded away. */
  minCompared: number;
  next(c: Case): number[];
}

const LIBRARIES: Library[] = [
  {
    name: 'croner',
    deviations: [starDayField, stepFromValueReachingSeven],
    refusals: [],
    minCompared: 0.8,
    // domAndDow: false is cronie's OR rule (legacyMode: true is its deprecated spelling); sloppyRanges
    // accepts the `v/n` extension (v-max/n).
    next: (c) =>
      new Cron(c.expression, { timezone: c.zone, domAndDow: false, sloppyRanges: true, mode: '5-part' })
        .nextRuns(COUNT, new Date(c.from))
        .map((d) => d.getTime()),
  },
  {
    name: 'cron-parser',
    deviations: [starDayField],
    // Deviation 3 (see the top of the file).
    refusals: [
      {
        pattern: /duplicate values found/,
        reason: 'refuses overlapping list elements (cronie accepts them)',
      },
    ],
    // Generated lists overlap often (about 40% of cases), which cron-parser refuses.
    minCompared: 0.45,
    next: (c) =>
      CronExpressionParser.parse(c.expression, { currentDate: new Date(c.from), tz: c.zone })
        .take(COUNT)
        .map((d) => d.getTime()),
  },
];

const iso = (ms: number): string => new Date(ms).toISOString();

function nearTransition(zone: string, instants: number[]): boolean {
  const clock = clocks.get(zone) as ZoneClock;
  return instants.some(
    (t) => clock.transitionsBetween(t - NEAR_TRANSITION_MS, t + NEAR_TRANSITION_MS + 1).length > 0,
  );
}

describe(`unix dialect against croner and cron-parser (${CASES} generated cases, next ${COUNT} fires)`, () => {
  const cases = generateCases();
  const tally = new Map<string, number>();
  const count = (key: string): void => {
    tally.set(key, (tally.get(key) ?? 0) + 1);
  };

  afterAll(() => {
    console.log(
      ['unix differential:', ...[...tally].sort().map(([k, v]) => `  ${String(v).padStart(5)}  ${k}`)].join(
        '\n',
      ),
    );
  });

  it(
    'sked agrees exactly with each library wherever the library follows cronie',
    () => {
      const mismatches: string[] = [];
      for (const c of cases) {
        const sked = nextFireTimes(
          { type: 'cron', expression: c.expression, dialect: 'unix', timeZone: c.zone },
          { from: c.from, count: COUNT },
        ).map((d) => d.getTime());
        expect(sked.length, c.expression).toBe(COUNT);
        const answers = LIBRARIES.map((lib) => {
          try {
            return lib.next(c);
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        });
        const all = [c.from, ...sked, ...answers.flatMap((a) => (a instanceof Error ? [] : a))];
        if (nearTransition(c.zone, all)) {
          count('excluded (all libraries): start or a fire within 3 h of a DST transition');
          continue;
        }
        let modelChecked = false;
        LIBRARIES.forEach((lib, i) => {
          const answer = answers[i] as number[] | Error;
          const reason = lib.deviations.map((d) => d(c)).find((r) => r !== null);
          if (reason) {
            count(`excluded (${lib.name}): ${reason}`);
            if (!modelChecked) {
              // Not compared with the library, so checked against the cronie model instead.
              const o = cronOracle(c.model);
              const clock = clocks.get(c.zone) as ZoneClock;
              for (const t of sked)
                expect(o.matches(clock.wall(t)), `${c.expression} in ${c.zone}: ${iso(t)}`).toBe(true);
              modelChecked = true;
            }
            return;
          }
          if (answer instanceof Error) {
            const refusal = lib.refusals.find((r) => r.pattern.test(answer.message));
            if (refusal) count(`excluded (${lib.name}): ${refusal.reason}`);
            else mismatches.push(`${lib.name} refused '${c.expression}': ${answer.message}`);
            return;
          }
          count(`compared with ${lib.name}`);
          if (answer.map(iso).join() !== sked.map(iso).join()) {
            mismatches.push(
              `'${c.expression}' in ${c.zone} after ${iso(c.from)}:\n    sked   ${sked.map(iso).join(' ')}\n    ${lib.name.padEnd(6)} ${answer.map(iso).join(' ')}`,
            );
          }
        });
      }
      expect(mismatches.slice(0, 20).join('\n'), `${mismatches.length} mismatches`).toBe('');
      // The comparison must not be excluded away.
      for (const lib of LIBRARIES)
        expect(tally.get(`compared with ${lib.name}`) ?? 0, lib.name).toBeGreaterThan(
          cases.length * lib.minCompared,
        );
    },
    Math.max(30_000, CASES * 5),
  );

  it.each([
    ['@yearly'],
    ['@monthly'],
    ['@weekly'],
    ['@daily'],
    ['@hourly'],
    ['0 0 * * 7'],
    ['0 0 * * 5-7'],
    ['0 0 * * SUN-SAT'],
    ['15 14 1 * *'],
    ['0 22 * * 1-5'],
    ['23 0-23/2 * * *'],
    ['5 4 * * sun'],
    ['0 0 1 jan-mar *'],
    ['0 9 1-7 * MON'],
  ])(
    'hand-picked %s: same next 10 fires as both libraries in Europe/London and Asia/Kolkata',
    (expression) => {
      for (const zone of ['Europe/London', 'Asia/Kolkata']) {
        const from = Date.UTC(2026, 4, 17, 12, 34, 56);
        const sked = nextFireTimes(
          { type: 'cron', expression, dialect: 'unix', timeZone: zone },
          { from, count: 10 },
        ).map((d) => iso(d.getTime()));
        expect(
          new Cron(expression, { timezone: zone, domAndDow: false })
            .nextRuns(10, new Date(from))
            .map((d) => iso(d.getTime())),
          `croner ${zone}`,
        ).toEqual(sked);
        expect(
          CronExpressionParser.parse(expression, { currentDate: new Date(from), tz: zone })
            .take(10)
            .map((d) => iso(d.getTime())),
          `cron-parser ${zone}`,
        ).toEqual(sked);
      }
    },
  );

  it('the known deviation is real: croner and cron-parser OR `*/2` with a restricted day-of-week, sked ANDs as cronie does', () => {
    const c: Case = {
      model: null as unknown as CronModel,
      expression: '0 0 */2 * 1',
      zone: 'UTC',
      from: Date.UTC(2026, 0, 1),
    };
    const sked = nextFireTimes(
      { type: 'cron', expression: c.expression, dialect: 'unix' },
      { from: c.from, count: 3 },
    ).map((d) => iso(d.getTime()));
    // Odd days that are Mondays.
    expect(sked).toEqual([
      '2026-01-05T00:00:00.000Z',
      '2026-01-19T00:00:00.000Z',
      '2026-02-09T00:00:00.000Z',
    ]);
    for (const lib of LIBRARIES) {
      // Odd days or Mondays: if a library ever changes to cronie's rule, this exclusion should be dropped.
      expect(lib.next(c).slice(0, 3).map(iso), lib.name).toEqual([
        '2026-01-03T00:00:00.000Z',
        '2026-01-05T00:00:00.000Z',
        '2026-01-07T00:00:00.000Z',
      ]);
    }
  });
});
