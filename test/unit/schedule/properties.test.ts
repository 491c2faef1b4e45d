/**
 * Property tests (fast-check) for cron next-fire computation: random Quartz and Unix expressions built
 * from the grammar (support/cron-model.ts), random zones including DST zones, random instants 2020-2035
 * (half of them within two days of a DST transition, where bugs live).
 *
 * The oracle is independent of src/schedule: wall-clock fields come from Intl (support/zone-clock.ts) and
 * matching from a brute-force matcher written from the dialects' documentation.
 *
 * DST rules checked (issue 3, zoned.ts): under `compatible` a wall time that does not exist fires
 * shifted forward by the gap; a repeated wall time fires at its first occurrence only, unless the hour
 * field is `*` or a step ("every real hour"), when both occurrences fire. Under `quartz` a repeated wall
 * time fires at its second occurrence and a missing one does not fire.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DstPolicy } from '../../../src/domain/types.js';
import { compileSchedule, nextFireTimes, type CompiledSchedule } from '../../../src/schedule/index.js';
import {
  cronOracle,
  quartzModelArb,
  renderCron,
  unixModelArb,
  type CronModel,
  type CronOracle,
} from './support/cron-model.js';
import { fieldsOfWallMs, formatWallClock, ZoneClock } from './support/zone-clock.js';

const ZONES = [
  'UTC',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Dublin',
  'America/New_York',
  'America/Los_Angeles',
  'America/St_Johns',
  'America/Havana',
  'America/Santiago',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Africa/Cairo',
  'Asia/Tehran',
];
const FROM = Date.UTC(2020, 0, 1);
const TO = Date.UTC(2036, 0, 1);
const DAY = 86_400_000;
/** (c) brute-forces minute by minute (skipping non-matching dates) when the next fire is at most this far away. */
const BRUTE_FORCE_SPAN = 400 * DAY;
// Bounded so the file runs in a few seconds; SKED_PROPERTY_RUNS=5000 for a deep run.
const RUNS = Number(process.env.SKED_PROPERTY_RUNS ?? 250);

const clocks = new Map(ZONES.map((z) => [z, new ZoneClock(z)]));
const clockOf = (zone: string): ZoneClock => clocks.get(zone) as ZoneClock;
const transitionInstants = new Map<string, number[]>();
function transitionsOf(zone: string): number[] {
  let list = transitionInstants.get(zone);
  if (!list) {
    list = clockOf(zone)
      .transitionsBetween(FROM, TO)
      .map((x) => x.at);
    transitionInstants.set(zone, list);
  }
  return list;
}

interface Case {
  model: CronModel;
  expression: string;
  zone: string;
  dst: DstPolicy;
  from: number;
}

const modelArb = fc.oneof(quartzModelArb(), unixModelArb({ bothDaysRestricted: 0.25, withSeconds: 0.25 }));

function caseArb(policies: DstPolicy[]): fc.Arbitrary<Case> {
  return fc
    .record({
      model: modelArb,
      zone: fc.constantFrom(...ZONES),
      dst: fc.constantFrom(...policies),
      uniform: fc.integer({ min: FROM, max: TO - 1 }),
      nearTransition: fc.boolean(),
      pick: fc.nat(),
      shift: fc.integer({ min: -2 * DAY, max: 2 * DAY }),
    })
    .map((r) => {
      const trs = transitionsOf(r.zone);
      const from =
        r.nearTransition && trs.length > 0 ? (trs[r.pick % trs.length] as number) + r.shift : r.uniform;
      return { model: r.model, expression: renderCron(r.model), zone: r.zone, dst: r.dst, from };
    });
}

function compile(c: Case): CompiledSchedule {
  return compileSchedule({
    type: 'cron',
    expression: c.expression,
    dialect: c.model.dialect,
    timeZone: c.zone,
    dst: c.dst,
  });
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Why `t` is not a legitimate fire of the expression under the policy, or null when it is.
 * A legitimate fire: its wall time matches; or (compatible) it lies in the shifted span of a gap and its
 * wall time minus the gap matches.
 */
function whyNotAFire(t: number, o: CronOracle, clock: ZoneClock, dst: DstPolicy): string | null {
  const w = clock.wall(t);
  if (o.matches(w)) {
    if (dst === 'compatible' && !o.realHours && clock.secondPassContaining(t)) {
      return `${iso(t)} (${formatWallClock(w)}) is the second occurrence of a repeated wall time`;
    }
    if (dst === 'quartz' && clock.firstPassContaining(t)) {
      return `${iso(t)} (${formatWallClock(w)}) is the first occurrence of a repeated wall time (quartz fires the second)`;
    }
    return null;
  }
  const gap = dst === 'compatible' ? clock.gapContaining(t) : null;
  if (gap) {
    const shifted = fieldsOfWallMs(clock.wallMs(t) - (gap.after - gap.before) * 1000);
    if (o.matches(shifted)) return null;
    return `${iso(t)} (${formatWallClock(w)}) does not match, nor does ${formatWallClock(shifted)} one gap earlier`;
  }
  return `${iso(t)} (${formatWallClock(w)}) does not match`;
}

/** The first instant in (from, to) that should fire under the compatible policy, by brute force per minute. */
function missedFire(from: number, to: number, o: CronOracle, clock: ZoneClock): number | null {
  const trs = clock.transitionsBetween(from - DAY, to + 1);
  for (let m = Math.floor(from / 60_000) * 60_000; m < to; m += 60_000) {
    const s = o.seconds.find((sec) => m + sec * 1000 > from && m + sec * 1000 < to);
    if (s === undefined) continue;
    const t = m + s * 1000;
    // Offsets are whole minutes (ZoneClock checks), so every second of minute m has the same wall minute.
    const wallMs = clock.wallMs(m);
    const w = fieldsOfWallMs(wallMs);
    if (!o.matchesDate(w) && !trs.some((x) => Math.abs(x.at - m) < DAY)) {
      // A date that cannot fire, with no transition within a day: the offset is constant up to the next
      // wall midnight, so jump there exactly (the loop adds the last minute).
      m += DAY - (wallMs - Math.floor(wallMs / DAY) * DAY) - 60_000;
      continue;
    }
    if (o.matchesMinute(w)) {
      const secondPass = trs.some(
        (x) => x.after < x.before && m >= x.at && m < x.at + (x.before - x.after) * 1000,
      );
      if (o.realHours || !secondPass) return t;
    }
    for (const x of trs) {
      const gapMs = (x.after - x.before) * 1000;
      if (gapMs > 0 && m >= x.at && m < x.at + gapMs && o.matchesMinute(fieldsOfWallMs(wallMs - gapMs)))
        return t;
    }
  }
  return null;
}

const describeCase = (c: Case): string =>
  `'${c.expression}' (${c.model.dialect}) in ${c.zone}, dst ${c.dst}, after ${iso(c.from)}`;

describe('cron next-fire properties (random expressions, zones, instants 2020-2035)', () => {
  it('every generated expression compiles in its dialect (the generator speaks the grammar)', () => {
    fc.assert(
      fc.property(caseArb(['compatible']), (c) => {
        expect(() => compile(c), describeCase(c)).not.toThrow();
        expect(compile(c).dialect).toBe(c.model.dialect);
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });

  it('(a) next(after) is strictly after `after` (and exists: every generated expression fires again)', () => {
    fc.assert(
      fc.property(caseArb(['compatible', 'quartz']), (c) => {
        const next = compile(c).nextAfter(c.from);
        expect(next, describeCase(c)).not.toBeNull();
        expect(next as number, describeCase(c)).toBeGreaterThan(c.from);
        expect((next as number) % 1000, 'fires on whole seconds').toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) the fire matches every field in the zone (a gap-shifted fire matches one gap earlier)', () => {
    let shifted = 0;
    fc.assert(
      fc.property(caseArb(['compatible', 'quartz']), (c) => {
        const o = cronOracle(c.model);
        const clock = clockOf(c.zone);
        for (const t of nextFireTimes(compile(c), { from: c.from, count: 3 }).map((d) => d.getTime())) {
          const why = whyNotAFire(t, o, clock, c.dst);
          expect(why, describeCase(c)).toBeNull();
          if (!o.matches(clock.wall(t))) shifted++;
        }
      }),
      { numRuns: RUNS * 2 },
    );
    // Not asserted > 0 on purpose: a gap-shifted fire needs a match inside a one-hour gap (rare at random).
    console.log(`(b) gap-shifted fires checked: ${shifted}`);
  });

  // (c) is checked under the compatible policy only: under `quartz`, a search from inside the first pass
  // of a repeated hour, after the wall time, skips that day's second-pass fire, exactly as Quartz does
  // (see the worked example in dst.test.ts), so "nothing matching lies between" does not hold there.
  it('(c) nothing that should fire lies between `after` and next(after) (compatible policy, brute force per minute)', () => {
    let checked = 0;
    let skipped = 0;
    fc.assert(
      fc.property(caseArb(['compatible']), (c) => {
        const [next, second] = nextFireTimes(compile(c), { from: c.from, count: 2 }).map((d) =>
          d.getTime(),
        ) as [number, number];
        if (second - c.from > BRUTE_FORCE_SPAN) {
          skipped++;
          return;
        }
        checked++;
        const o = cronOracle(c.model);
        const missed = missedFire(c.from, next, o, clockOf(c.zone));
        expect(missed === null ? null : iso(missed), `${describeCase(c)}: next was ${iso(next)}`).toBeNull();
        // The brute force is no vacuous pass: up to the second fire, the first thing it finds is the first fire.
        expect(iso(missedFire(c.from, second, o, clockOf(c.zone)) ?? 0), describeCase(c)).toBe(iso(next));
      }),
      { numRuns: RUNS * 2 },
    );
    console.log(
      `(c) brute-forced ${checked} cases; ${skipped} skipped because the next fires are more than 400 days away`,
    );
    // The check must actually run for most cases (most generated expressions fire within a year).
    expect(checked).toBeGreaterThan(10 * skipped);
  });

  it('(c) near DST transitions: the compatible policy loses no fire inside a gap or overlap', () => {
    // The same brute force, with every start instant within a day of a transition in a DST zone.
    const dstZones = ZONES.filter((z) => transitionsOf(z).length > 0);
    const arb = fc.record({
      c: caseArb(['compatible']),
      zone: fc.constantFrom(...dstZones),
      pick: fc.nat(),
      shift: fc.integer({ min: -DAY, max: DAY }),
    });
    fc.assert(
      fc.property(arb, ({ c, zone, pick, shift }) => {
        const trs = transitionsOf(zone);
        const cc = { ...c, zone, from: (trs[pick % trs.length] as number) + shift };
        const [next, second] = nextFireTimes(compile(cc), { from: cc.from, count: 2 }).map((d) =>
          d.getTime(),
        ) as [number, number];
        if (second - cc.from > BRUTE_FORCE_SPAN) return;
        const o = cronOracle(cc.model);
        const missed = missedFire(cc.from, next, o, clockOf(zone));
        expect(missed === null ? null : iso(missed), `${describeCase(cc)}: next was ${iso(next)}`).toBeNull();
        expect(iso(missedFire(cc.from, second, o, clockOf(zone)) ?? 0), describeCase(cc)).toBe(iso(next));
      }),
      { numRuns: RUNS },
    );
  });

  it('(d) next(next(t) - 1 ms) === next(t)', () => {
    fc.assert(
      fc.property(caseArb(['compatible', 'quartz']), (c) => {
        const s = compile(c);
        const next = s.nextAfter(c.from) as number;
        expect(s.nextAfter(next - 1), describeCase(c)).toBe(next);
        expect(s.next(new Date(next - 1))?.getTime(), describeCase(c)).toBe(next);
      }),
      { numRuns: RUNS },
    );
  });

  it('(e) nextFireTimes is strictly increasing and equals repeated next()', () => {
    fc.assert(
      fc.property(caseArb(['compatible', 'quartz']), (c) => {
        const s = compile(c);
        const list = nextFireTimes(s, { from: new Date(c.from), count: 8 }).map((d) => d.getTime());
        expect(list.length, describeCase(c)).toBe(8);
        let t = c.from;
        for (const fire of list) {
          expect(fire, describeCase(c)).toBeGreaterThan(t);
          expect(s.nextAfter(t), describeCase(c)).toBe(fire);
          t = fire;
        }
      }),
      { numRuns: RUNS },
    );
  });
});
