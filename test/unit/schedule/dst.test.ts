/**
 * The DST suite: every UTC-offset transition from 2020 through 2030 in 24 zones, found independently of
 * src/schedule (Intl sampling + bisection, support/zone-clock.ts), and the DST policies checked at each.
 *
 * The rules (issue 3, src/schedule/zoned.ts):
 * - `compatible` (default): a wall time that does not exist (spring-forward gap) fires once, shifted
 *   forward by the gap (RFC 5545 / java.time / Temporal "compatible"); a fixed wall time that occurs twice
 *   (fall-back overlap) fires once, at its first occurrence; a schedule whose hour field is `*` or a step
 *   means "every real hour" and fires at both occurrences.
 * - `quartz`: what Quartz 2.3.2 does: a wall time in a gap does not fire; a repeated one fires at its
 *   second (standard-time) occurrence.
 *
 * For each transition the expected fires are computed here from the transition alone: a wall time w maps
 * to w - before (valid if earlier than the transition) and w - after (valid if not earlier); both valid
 * is an overlap, neither a gap, where w - before is the instant "shifted forward by the gap".
 */

import { describe, expect, it } from 'vitest';
import type { DstPolicy, ScheduleSpec } from '../../../src/domain/types.js';
import { compileSchedule, getZone, nextFireTimes } from '../../../src/schedule/index.js';
import {
  findTransitions,
  formatWallClock,
  intlWallClock,
  seededRandom,
  ZoneClock,
  type Transition,
} from './support/zone-clock.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FROM = Date.UTC(2020, 0, 1);
const TO = Date.UTC(2031, 0, 1);

interface ZoneCase {
  zone: string;
  kind: string;
  /** Transitions 2020-2030 in tzdata 2025 (Node 20's ICU); a tzdata change that moves these fails loudly. */
  transitions: number;
}

const ZONES: ZoneCase[] = [
  { zone: 'Europe/London', kind: 'northern', transitions: 22 },
  { zone: 'Europe/Berlin', kind: 'northern', transitions: 22 },
  {
    zone: 'Europe/Dublin',
    kind: 'northern, negative DST in tzdata (IST standard, GMT in winter)',
    transitions: 22,
  },
  { zone: 'Europe/Moscow', kind: 'northern, no change since 2014', transitions: 0 },
  { zone: 'Atlantic/Azores', kind: 'northern, change at local midnight', transitions: 22 },
  { zone: 'America/New_York', kind: 'northern', transitions: 22 },
  { zone: 'America/Chicago', kind: 'northern', transitions: 22 },
  { zone: 'America/Denver', kind: 'northern', transitions: 22 },
  { zone: 'America/Los_Angeles', kind: 'northern', transitions: 22 },
  { zone: 'America/Halifax', kind: 'northern', transitions: 22 },
  { zone: 'America/St_Johns', kind: 'northern, half-hour zone', transitions: 22 },
  { zone: 'America/Havana', kind: 'northern, change at midnight', transitions: 22 },
  { zone: 'America/Mexico_City', kind: 'northern, DST abolished in 2022', transitions: 6 },
  { zone: 'Asia/Jerusalem', kind: 'northern, Friday change', transitions: 22 },
  { zone: 'Asia/Tehran', kind: 'northern, half-hour zone, DST abolished in 2022', transitions: 6 },
  { zone: 'Africa/Cairo', kind: 'northern, DST reinstated in 2023, change at midnight', transitions: 16 },
  { zone: 'America/Santiago', kind: 'southern, change at midnight', transitions: 22 },
  { zone: 'America/Sao_Paulo', kind: 'southern, DST abolished in 2019', transitions: 0 },
  { zone: 'America/Asuncion', kind: 'southern, permanent -03 since October 2024', transitions: 10 },
  { zone: 'Australia/Sydney', kind: 'southern', transitions: 22 },
  { zone: 'Australia/Adelaide', kind: 'southern, half-hour zone', transitions: 22 },
  { zone: 'Australia/Lord_Howe', kind: 'southern, 30-minute DST', transitions: 22 },
  { zone: 'Pacific/Auckland', kind: 'southern', transitions: 22 },
  { zone: 'Pacific/Chatham', kind: 'southern, 45-minute zone', transitions: 22 },
];

const iso = (ms: number): string => new Date(ms).toISOString();

/** Fires of a schedule in (start, end]. */
function firesBetween(spec: ScheduleSpec, start: number, end: number): number[] {
  const s = compileSchedule(spec);
  const out: number[] = [];
  for (let t = s.nextAfter(start); t !== null && t <= end; t = s.nextAfter(t)) out.push(t);
  return out;
}

/** Instants a wall time (UTC-read ms) fires at near one transition, under a policy. */
function instantsOfWall(x: Transition, wall: number, policy: DstPolicy, realHours: boolean): number[] {
  const c1 = wall - x.before * 1000;
  const c2 = wall - x.after * 1000;
  const v1 = c1 < x.at;
  const v2 = c2 >= x.at;
  if (v1 && v2) return policy === 'quartz' ? [c2] : realHours ? [c1, c2] : [c1];
  if (v1) return [c1];
  if (v2) return [c2];
  // In the gap: c1 lies after the transition, i.e. the wall time shifted forward by the gap.
  return policy === 'quartz' ? [] : [c1];
}

function expectedFires(
  x: Transition,
  walls: number[],
  policy: DstPolicy,
  realHours: boolean,
  start: number,
  end: number,
): string[] {
  const set = new Set<number>();
  for (const w of walls)
    for (const t of instantsOfWall(x, w, policy, realHours)) if (t > start && t <= end) set.add(t);
  return [...set].sort((a, b) => a - b).map(iso);
}

/** Wall times (UTC-read ms) `step` apart, aligned to `step` within the day, covering the window. */
function wallGrid(x: Transition, start: number, end: number, step: number, offsetInDay = 0): number[] {
  const lo = start + Math.min(x.before, x.after) * 1000 - DAY;
  const hi = end + Math.max(x.before, x.after) * 1000 + DAY;
  const out: number[] = [];
  for (let day = Math.floor(lo / DAY) * DAY; day <= hi; day += DAY) {
    for (let t = offsetInDay % step; t < DAY; t += step) out.push(day + t);
  }
  return out;
}

const hhmm = (todMs: number): [number, number] => [
  Math.floor(todMs / HOUR),
  Math.floor((todMs % HOUR) / MINUTE),
];
const quartzDaily = (todMs: number): string => {
  const [h, m] = hhmm(todMs);
  return `0 ${m} ${h} * * ?`;
};
const unixDaily = (todMs: number): string => {
  const [h, m] = hhmm(todMs);
  return `${m} ${h} * * *`;
};
const pad = (n: number): string => String(n).padStart(2, '0');
const dailyTime = (todMs: number): string => `${pad(hhmm(todMs)[0])}:${pad(hhmm(todMs)[1])}`;

/** Wall times of interest around a transition: start, middle, last minute of the gap/overlap, and its end. */
function spanTimes(x: Transition): { label: string; wall: number; tod: number }[] {
  const lo = x.at + Math.min(x.before, x.after) * 1000;
  const hi = x.at + Math.max(x.before, x.after) * 1000;
  const at = (label: string, wall: number): { label: string; wall: number; tod: number } => ({
    label,
    wall,
    tod: ((wall % DAY) + DAY) % DAY,
  });
  return [
    at('first minute', lo),
    at('middle', lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE),
    at('last minute', hi - MINUTE),
    at('first minute after', hi),
  ];
}

describe.each(ZONES)('DST in $zone ($kind)', ({ zone, transitions: expectedCount }) => {
  const clock = new ZoneClock(zone);
  const transitions = findTransitions(zone, FROM, TO);
  const gaps = transitions.filter((x) => x.after > x.before);
  const overlaps = transitions.filter((x) => x.after < x.before);
  const window = (x: Transition): [number, number] => [x.at - 1.5 * DAY, x.at + 1.5 * DAY];

  it(`has ${expectedCount} transitions 2020-2030 (tzdata ${process.versions.tz ?? '?'})`, () => {
    expect(transitions.length).toBe(expectedCount);
    // The suite assumes one transition per window: none in tzdata are closer than a week.
    for (let i = 1; i < transitions.length; i++) {
      expect((transitions[i] as Transition).at - (transitions[i - 1] as Transition).at).toBeGreaterThan(
        7 * DAY,
      );
    }
  });

  it("sked's zone table has exactly these transitions", () => {
    const sked = getZone(zone)
      .transitionsBetween(FROM / 1000, TO / 1000)
      .map((x) => `${iso(x.at * 1000)} ${x.before}->${x.after}`);
    expect(sked).toEqual(transitions.map((x) => `${iso(x.at)} ${x.before}->${x.after}`));
  });

  it('the test oracle agrees with Intl (wall clock at 300 seeded instants)', () => {
    const rand = seededRandom(zone.length * 7919);
    for (let i = 0; i < 300; i++) {
      const t = FROM + Math.floor((rand() * (TO - FROM)) / 1000) * 1000;
      expect(formatWallClock(clock.wall(t)), iso(t)).toBe(formatWallClock(intlWallClock(t, zone)));
    }
  });

  if (expectedCount === 0) {
    it('a daily 00:30 fires every day 2020-2030, always at 00:30 and 24 h apart', () => {
      const fires = firesBetween({ type: 'cron', expression: '0 30 0 * * ?', timeZone: zone }, FROM, TO);
      expect(fires.length).toBe((TO - FROM) / DAY);
      for (let i = 1; i < fires.length; i++)
        expect((fires[i] as number) - (fires[i - 1] as number)).toBe(DAY);
      for (const t of fires)
        expect(intlWallClock(t, zone).hour * 60 + intlWallClock(t, zone).minute).toBe(30);
    });
    return;
  }

  it(`compatible: a daily time inside each of the ${gaps.length} gaps fires once that day, shifted forward by the gap`, () => {
    for (const x of gaps) {
      const [start, end] = window(x);
      const gapMs = (x.after - x.before) * 1000;
      for (const { label, wall, tod } of spanTimes(x)) {
        const expected = expectedFires(x, wallGrid(x, start, end, DAY, tod), 'compatible', false, start, end);
        const context = `${zone} gap at ${iso(x.at)}, ${label} ${dailyTime(tod)}`;
        expect(
          firesBetween({ type: 'cron', expression: quartzDaily(tod), timeZone: zone }, start, end).map(iso),
          context,
        ).toEqual(expected);
        expect(
          firesBetween({ type: 'cron', expression: unixDaily(tod), timeZone: zone }, start, end).map(iso),
          `${context} (unix)`,
        ).toEqual(expected);
        expect(
          firesBetween(
            { type: 'daily', daysOfWeek: [], times: [dailyTime(tod)], timeZone: zone },
            start,
            end,
          ).map(iso),
          `${context} (daily)`,
        ).toEqual(expected);
        if (label === 'middle') {
          // Spelled out: the fire on the day of the change reads the gap time plus the gap.
          const fire = expected.map(Date.parse).find((t) => t >= x.at && t < x.at + gapMs);
          expect(fire, context).toBeDefined();
          expect(clock.wallMs(fire as number), context).toBe(wall + gapMs);
        }
      }
    }
  });

  it(`compatible: a daily time inside each of the ${overlaps.length} repeated spans fires once, at the first occurrence`, () => {
    for (const x of overlaps) {
      const [start, end] = window(x);
      for (const { label, wall, tod } of spanTimes(x)) {
        const expected = expectedFires(x, wallGrid(x, start, end, DAY, tod), 'compatible', false, start, end);
        const context = `${zone} overlap at ${iso(x.at)}, ${label} ${dailyTime(tod)}`;
        expect(
          firesBetween({ type: 'cron', expression: quartzDaily(tod), timeZone: zone }, start, end).map(iso),
          context,
        ).toEqual(expected);
        expect(
          firesBetween({ type: 'cron', expression: unixDaily(tod), timeZone: zone }, start, end).map(iso),
          `${context} (unix)`,
        ).toEqual(expected);
        expect(
          firesBetween(
            { type: 'daily', daysOfWeek: [], times: [dailyTime(tod)], timeZone: zone },
            start,
            end,
          ).map(iso),
          `${context} (daily)`,
        ).toEqual(expected);
        if (label === 'middle') {
          // Spelled out: the first pass (old offset) is in the list, the second (new offset) is not.
          expect(expected, context).toContain(iso(wall - x.before * 1000));
          expect(expected, context).not.toContain(iso(wall - x.after * 1000));
        }
      }
    }
  });

  for (const [label, quartz, unix, step] of [
    ['hourly', '0 0 * * * ?', '0 * * * *', HOUR],
    ['every 30 minutes', '0 */30 * * * ?', '*/30 * * * *', 30 * MINUTE],
  ] as const) {
    it(`compatible: ${label} (${quartz} / ${unix}) fires at every matching real instant through all ${transitions.length} transitions`, () => {
      for (const x of transitions) {
        const [start, end] = window(x);
        const expected = expectedFires(x, wallGrid(x, start, end, step), 'compatible', true, start, end);
        const context = `${zone} ${x.after > x.before ? 'gap' : 'overlap'} at ${iso(x.at)}`;
        expect(
          firesBetween({ type: 'cron', expression: quartz, timeZone: zone }, start, end).map(iso),
          context,
        ).toEqual(expected);
        expect(
          firesBetween({ type: 'cron', expression: unix, timeZone: zone }, start, end).map(iso),
          `${context} (unix)`,
        ).toEqual(expected);
        // Where the clock moves by a whole number of steps, that is exactly one fire per real step: none lost
        // in a gap, both passes of a repeated hour, none doubled.
        if ((Math.abs(x.after - x.before) * 1000) % step === 0) {
          const times = expected.map(Date.parse);
          for (let i = 1; i < times.length; i++)
            expect((times[i] as number) - (times[i - 1] as number), `${context} at ${expected[i]}`).toBe(
              step,
            );
        }
      }
    });
  }

  it('compatible: an explicit hour list (`0 0 0-23 * * ?`) is fixed times, not "every real hour": a repeated hour fires once', () => {
    for (const x of transitions) {
      const [start, end] = window(x);
      const expected = expectedFires(x, wallGrid(x, start, end, HOUR), 'compatible', false, start, end);
      const fires = firesBetween({ type: 'cron', expression: '0 0 0-23 * * ?', timeZone: zone }, start, end);
      expect(fires.map(iso), `${zone} at ${iso(x.at)}`).toEqual(expected);
    }
  });

  it('quartz: a daily time inside a gap does not fire that day; inside a repeated span it fires at the second occurrence', () => {
    for (const x of transitions) {
      const [start, end] = window(x);
      for (const { label, tod } of spanTimes(x)) {
        const expected = expectedFires(x, wallGrid(x, start, end, DAY, tod), 'quartz', false, start, end);
        const context = `${zone} ${x.after > x.before ? 'gap' : 'overlap'} at ${iso(x.at)}, ${label} ${dailyTime(tod)}`;
        expect(
          firesBetween(
            { type: 'cron', expression: quartzDaily(tod), timeZone: zone, dst: 'quartz' },
            start,
            end,
          ).map(iso),
          context,
        ).toEqual(expected);
        if (label === 'middle') {
          // Two fires in the three-day window (the day of the change has none) or three (it has one).
          expect(expected.length, context).toBe(x.after > x.before ? 2 : 3);
        }
      }
    }
  });

  it('quartz: hourly fires at every real hour except in a gap and in the first pass of a repeated hour', () => {
    for (const x of transitions) {
      const [start, end] = window(x);
      const expected = expectedFires(x, wallGrid(x, start, end, HOUR), 'quartz', true, start, end);
      const fires = firesBetween(
        { type: 'cron', expression: '0 0 * * * ?', timeZone: zone, dst: 'quartz' },
        start,
        end,
      );
      expect(fires.map(iso), `${zone} at ${iso(x.at)}`).toEqual(expected);
    }
  });
});

describe('worked examples, one per zone kind', () => {
  const at = (spec: ScheduleSpec, from: string, count = 1): string[] =>
    nextFireTimes(spec, { from: new Date(from), count }).map((d) => d.toISOString());
  const wall = (instant: string, zone: string): string =>
    formatWallClock(intlWallClock(Date.parse(instant), zone));

  it('northern (America/New_York): 02:30 on 2026-03-08 does not exist and fires at 03:30 EDT', () => {
    const spec: ScheduleSpec = { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'America/New_York' };
    expect(at(spec, '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-08T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
    expect(wall('2026-03-08T07:30:00Z', 'America/New_York')).toBe('2026-03-08 03:30:00');
    expect(at({ ...spec, dst: 'quartz' }, '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('northern (America/New_York): 01:30 on 2026-11-01 happens twice and fires once, at 01:30 EDT (quartz: EST)', () => {
    const spec: ScheduleSpec = { type: 'cron', expression: '0 30 1 * * ?', timeZone: 'America/New_York' };
    expect(at(spec, '2026-11-01T00:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(at({ ...spec, dst: 'quartz' }, '2026-11-01T00:00:00Z', 2)).toEqual([
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    // Hourly means every real hour: 01:00 EDT and 01:00 EST both fire.
    expect(
      at({ type: 'cron', expression: '0 * * * *', timeZone: 'America/New_York' }, '2026-11-01T04:30:00Z', 3),
    ).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z']);
  });

  it('quartz policy, as Quartz 2.3.2 does: asked from 01:40 EDT on 2026-11-01, 01:30 EST (still ahead) is skipped', () => {
    const spec: ScheduleSpec = {
      type: 'cron',
      expression: '0 30 1 * * ?',
      timeZone: 'America/New_York',
      dst: 'quartz',
    };
    // From 01:00 EDT the day's fire is 01:30 EST; from 01:40 EDT the search starts at wall 01:40 and finds tomorrow.
    expect(at(spec, '2026-11-01T05:00:00Z')).toEqual(['2026-11-01T06:30:00.000Z']);
    expect(at(spec, '2026-11-01T05:40:00Z')).toEqual(['2026-11-02T06:30:00.000Z']);
  });

  it('southern (Australia/Sydney): 02:30 on 2026-10-04 fires at 03:30 AEDT; 02:30 on 2026-04-05 fires once, at AEDT', () => {
    const spec: ScheduleSpec = { type: 'cron', expression: '30 2 * * *', timeZone: 'Australia/Sydney' };
    expect(at(spec, '2026-10-03T12:00:00Z')).toEqual(['2026-10-03T16:30:00.000Z']);
    expect(wall('2026-10-03T16:30:00Z', 'Australia/Sydney')).toBe('2026-10-04 03:30:00');
    expect(at(spec, '2026-04-04T12:00:00Z', 2)).toEqual([
      '2026-04-04T15:30:00.000Z',
      '2026-04-05T16:30:00.000Z',
    ]);
    expect(wall('2026-04-04T15:30:00Z', 'Australia/Sydney')).toBe('2026-04-05 02:30:00');
  });

  it('half-hour zone (Australia/Adelaide, UTC+9:30): 02:30 on 2026-10-04 fires at 03:30 ACDT', () => {
    expect(
      at(
        { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'Australia/Adelaide' },
        '2026-10-03T12:00:00Z',
      ),
    ).toEqual(['2026-10-03T17:00:00.000Z']);
    expect(wall('2026-10-03T17:00:00Z', 'Australia/Adelaide')).toBe('2026-10-04 03:30:00');
  });

  it('half-hour zone (America/St_Johns, UTC-3:30): 02:30 on 2026-03-08 fires at 03:30 NDT', () => {
    expect(
      at({ type: 'cron', expression: '30 2 * * *', timeZone: 'America/St_Johns' }, '2026-03-08T00:00:00Z'),
    ).toEqual(['2026-03-08T06:00:00.000Z']);
    expect(wall('2026-03-08T06:00:00Z', 'America/St_Johns')).toBe('2026-03-08 03:30:00');
  });

  it('30-minute DST (Australia/Lord_Howe): 02:15 on 2026-10-04 fires at 02:45; hourly fires 01:00, 02:30 (shifted 02:00), 03:00', () => {
    expect(
      at(
        { type: 'cron', expression: '0 15 2 * * ?', timeZone: 'Australia/Lord_Howe' },
        '2026-10-03T12:00:00Z',
      ),
    ).toEqual(['2026-10-03T15:45:00.000Z']);
    expect(wall('2026-10-03T15:45:00Z', 'Australia/Lord_Howe')).toBe('2026-10-04 02:45:00');
    const hourly = at(
      { type: 'cron', expression: '0 * * * *', timeZone: 'Australia/Lord_Howe' },
      '2026-10-03T14:00:00Z',
      3,
    );
    expect(hourly.map((t) => wall(t, 'Australia/Lord_Howe'))).toEqual([
      '2026-10-04 01:00:00',
      '2026-10-04 02:30:00',
      '2026-10-04 03:00:00',
    ]);
  });

  it('45-minute zone (Pacific/Chatham, UTC+12:45): 03:15 on 2026-09-27 fires at 04:15 +13:45', () => {
    const [fire] = at(
      { type: 'cron', expression: '0 15 3 * * ?', timeZone: 'Pacific/Chatham' },
      '2026-09-26T12:00:00Z',
    );
    expect(fire).toBe('2026-09-26T14:30:00.000Z');
    expect(wall(fire as string, 'Pacific/Chatham')).toBe('2026-09-27 04:15:00');
  });

  it('change at midnight (America/Havana): 00:30 on 2026-03-08 does not exist and fires at 01:30 CDT', () => {
    const [fire] = at(
      { type: 'cron', expression: '30 0 * * *', timeZone: 'America/Havana' },
      '2026-03-07T12:00:00Z',
    );
    expect(fire).toBe('2026-03-08T05:30:00.000Z');
    expect(wall(fire as string, 'America/Havana')).toBe('2026-03-08 01:30:00');
  });

  it('rules changed (America/Sao_Paulo): 00:30 on 2018-11-04 fell in the DST gap (fires 01:30 -02); in 2020 there was no DST', () => {
    const spec: ScheduleSpec = { type: 'cron', expression: '0 30 0 * * ?', timeZone: 'America/Sao_Paulo' };
    const [y2018] = at(spec, '2018-11-03T12:00:00Z');
    expect(y2018).toBe('2018-11-04T03:30:00.000Z');
    expect(wall(y2018 as string, 'America/Sao_Paulo')).toBe('2018-11-04 01:30:00');
    const [y2020] = at(spec, '2020-11-03T12:00:00Z');
    expect(y2020).toBe('2020-11-04T03:30:00.000Z');
    expect(wall(y2020 as string, 'America/Sao_Paulo')).toBe('2020-11-04 00:30:00');
    // Quartz's policy skips the 2018 day; 2020 is an ordinary day.
    expect(at({ ...spec, dst: 'quartz' }, '2018-11-03T12:00:00Z')).toEqual(['2018-11-05T02:30:00.000Z']);
    expect(at({ ...spec, dst: 'quartz' }, '2020-11-03T12:00:00Z')).toEqual(['2020-11-04T03:30:00.000Z']);
  });

  it('rules changed (Europe/Moscow): the 2014 move from +04 to +03 repeats 01:00-02:00 on 2014-10-26; 01:30 fires at +04', () => {
    const [fire] = at(
      { type: 'cron', expression: '0 30 1 * * ?', timeZone: 'Europe/Moscow' },
      '2014-10-25T12:00:00Z',
    );
    expect(fire).toBe('2014-10-25T21:30:00.000Z');
    expect(wall(fire as string, 'Europe/Moscow')).toBe('2014-10-26 01:30:00');
  });
});
