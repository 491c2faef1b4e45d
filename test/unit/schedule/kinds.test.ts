/**
 * The schedule kinds other than cron, through compileSchedule (PRODUCT.md "Schedules"): interval (IDM
 * simple triggers), once, daily (JIM SpecificTimes), window (JIM Interval), recurrence (Azure), manual;
 * startAt / endAt on every kind; toCron() and describe(); ScheduleError pointers for invalid input.
 */

import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../../src/domain/types.js';
import { compileSchedule, nextFireTimes, ScheduleError } from '../../../src/schedule/index.js';

const iso = (d: Date): string => d.toISOString();
const MINUTE = 60_000;
const HOUR = 3_600_000;

function fires(spec: ScheduleSpec, from: string, count = 5): string[] {
  return nextFireTimes(spec, { from: new Date(from), count }).map(iso);
}

/** The pointer of the ScheduleError a spec is refused with. */
function refusal(spec: unknown): { pointer: string; message: string } {
  try {
    compileSchedule(spec as ScheduleSpec);
  } catch (err) {
    if (err instanceof ScheduleError) return { pointer: err.pointer, message: err.message };
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(spec)}`);
}

describe('interval: every duration from an anchor', () => {
  it('without startAt it is aligned to the epoch: PT15M fires on the quarter hours', () => {
    expect(fires({ type: 'interval', every: 'PT15M' }, '2026-01-01T00:07:00Z', 3)).toEqual([
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T00:45:00.000Z',
    ]);
  });

  it('every fire of PT7M is a whole multiple of 7 minutes since 1970-01-01T00:00:00Z', () => {
    const list = nextFireTimes(
      { type: 'interval', every: 'PT7M' },
      { from: Date.UTC(2026, 4, 5, 3, 2, 1), count: 20 },
    );
    for (const d of list) expect(d.getTime() % (7 * MINUTE)).toBe(0);
    for (let i = 1; i < list.length; i++)
      expect((list[i] as Date).getTime() - (list[i - 1] as Date).getTime()).toBe(7 * MINUTE);
  });

  it('with startAt, fires at startAt and every `every` after it', () => {
    const spec: ScheduleSpec = { type: 'interval', every: 'PT15M', startAt: '2026-01-01T00:05:00Z' };
    expect(fires(spec, '2025-06-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:35:00.000Z',
    ]);
    // Strictly after: from a fire instant, the next one.
    expect(fires(spec, '2026-01-01T00:20:00Z', 1)).toEqual(['2026-01-01T00:35:00.000Z']);
    expect(fires(spec, '2026-01-01T00:19:59.999Z', 1)).toEqual(['2026-01-01T00:20:00.000Z']);
  });

  it('repeatCount n gives n + 1 fires, then none', () => {
    const spec: ScheduleSpec = {
      type: 'interval',
      every: 'PT15M',
      startAt: '2026-01-01T00:05:00Z',
      repeatCount: 2,
    };
    expect(fires(spec, '2025-01-01T00:00:00Z', 10)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:35:00.000Z',
    ]);
    expect(compileSchedule(spec).next(new Date('2026-01-01T00:35:00Z'))).toBeNull();
    expect(fires({ ...spec, repeatCount: 0 }, '2025-01-01T00:00:00Z', 10)).toEqual([
      '2026-01-01T00:05:00.000Z',
    ]);
  });

  it('repeatCount needs startAt (the first of the fires)', () => {
    expect(refusal({ type: 'interval', every: 'PT15M', repeatCount: 2 }).pointer).toBe('/startAt');
  });

  it.each([-1, 1.5, '3'])('repeatCount %j is refused', (repeatCount) => {
    expect(
      refusal({ type: 'interval', every: 'PT15M', startAt: '2026-01-01T00:00:00Z', repeatCount }).pointer,
    ).toBe('/repeatCount');
  });

  it('durations: weeks, days, hours, minutes and (fractional) seconds are accepted', () => {
    expect(
      fires({ type: 'interval', every: 'P1W', startAt: '2026-01-01T00:00:00Z' }, '2026-01-01T00:00:00Z', 1),
    ).toEqual(['2026-01-08T00:00:00.000Z']);
    expect(
      fires(
        { type: 'interval', every: 'P1DT2H', startAt: '2026-01-01T00:00:00Z' },
        '2026-01-01T00:00:00Z',
        1,
      ),
    ).toEqual(['2026-01-02T02:00:00.000Z']);
    expect(
      fires(
        { type: 'interval', every: 'PT1.5S', startAt: '2026-01-01T00:00:00Z' },
        '2026-01-01T00:00:00Z',
        2,
      ),
    ).toEqual(['2026-01-01T00:00:01.500Z', '2026-01-01T00:00:03.000Z']);
    expect(fires({ type: 'interval', every: 'PT1S' }, '2026-01-01T00:00:00.400Z', 1)).toEqual([
      '2026-01-01T00:00:01.000Z',
    ]);
  });

  it.each(['P1M', 'P1Y', 'P1Y2M', 'PT', 'P', '', '15m', 'PT-5M', 5])(
    'every %j is refused: months and years have no fixed length',
    (every) => {
      expect(refusal({ type: 'interval', every }).pointer).toBe('/every');
    },
  );

  it.each(['PT0.5S', 'PT0S', 'PT0.999S'])('every %s is refused: shorter than one second', (every) => {
    const r = refusal({ type: 'interval', every });
    expect(r.pointer).toBe('/every');
    expect(r.message).toMatch(/at least 1 second/);
  });

  it('an interval is elapsed time: PT1H fires every real hour across a DST change (it has no time zone)', () => {
    const list = nextFireTimes(
      { type: 'interval', every: 'PT1H' },
      { from: Date.UTC(2026, 2, 8, 4), count: 6 },
    );
    for (let i = 1; i < list.length; i++)
      expect((list[i] as Date).getTime() - (list[i - 1] as Date).getTime()).toBe(HOUR);
  });
});

describe('once', () => {
  it('fires once at `at`, then never', () => {
    const spec: ScheduleSpec = { type: 'once', at: '2026-05-01T10:00:00Z' };
    expect(fires(spec, '2026-01-01T00:00:00Z', 5)).toEqual(['2026-05-01T10:00:00.000Z']);
    expect(compileSchedule(spec).next(new Date('2026-05-01T10:00:00Z'))).toBeNull();
  });

  it('honours the offset in `at`', () => {
    expect(fires({ type: 'once', at: '2026-05-01T10:00:00+02:00' }, '2026-01-01T00:00:00Z')).toEqual([
      '2026-05-01T08:00:00.000Z',
    ]);
  });

  it.each([undefined, 'tomorrow', '2026-05-01T10:00:00', '2026-02-30T10:00:00Z', 1_777_000_000_000])(
    'at %j is refused with /at',
    (at) => {
      expect(refusal({ type: 'once', at }).pointer).toBe('/at');
    },
  );
});

describe('daily: days of week × times of day', () => {
  it('Mon-Fri at 06:00 skips the weekend', () => {
    expect(
      fires({ type: 'daily', daysOfWeek: [1, 2, 3, 4, 5], times: ['06:00'] }, '2026-01-01T00:00:00Z', 4),
    ).toEqual([
      '2026-01-01T06:00:00.000Z',
      '2026-01-02T06:00:00.000Z',
      '2026-01-05T06:00:00.000Z',
      '2026-01-06T06:00:00.000Z',
    ]);
  });

  it('every combination of day and time, in the time zone, whatever order the times are given in', () => {
    expect(
      fires(
        { type: 'daily', daysOfWeek: [1, 3], times: ['18:30', '06:00'], timeZone: 'Europe/Berlin' },
        '2026-01-01T00:00:00Z',
        4,
      ),
    ).toEqual([
      '2026-01-05T05:00:00.000Z',
      '2026-01-05T17:30:00.000Z',
      '2026-01-07T05:00:00.000Z',
      '2026-01-07T17:30:00.000Z',
    ]);
  });

  it('HH:MM:SS is accepted; duplicate times fire once', () => {
    expect(
      fires({ type: 'daily', daysOfWeek: [4], times: ['06:00:30', '06:00:30'] }, '2026-01-01T00:00:00Z', 2),
    ).toEqual(['2026-01-01T06:00:30.000Z', '2026-01-08T06:00:30.000Z']);
  });

  it('an empty daysOfWeek means every day', () => {
    expect(
      fires({ type: 'daily', daysOfWeek: [], times: ['06:00'] }, '2026-01-01T00:00:00Z', 3).map((t) =>
        t.slice(0, 10),
      ),
    ).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
  });

  it.each(['25:00', '6:00', '12:60', '12:00:60', '', 'noon'])(
    'an invalid second time %j is refused with pointer /times/1',
    (bad) => {
      const r = refusal({ type: 'daily', daysOfWeek: [1], times: ['06:00', bad] });
      expect(r.pointer).toBe('/times/1');
      expect(r.message).toMatch(/HH:MM/);
    },
  );

  it('times must be a non-empty array; days must be 0-6', () => {
    expect(refusal({ type: 'daily', daysOfWeek: [1], times: [] }).pointer).toBe('/times');
    expect(refusal({ type: 'daily', daysOfWeek: [1], times: '06:00' }).pointer).toBe('/times');
    expect(refusal({ type: 'daily', daysOfWeek: [1, 7], times: ['06:00'] }).pointer).toBe('/daysOfWeek/1');
    expect(refusal({ type: 'daily', daysOfWeek: 'MON', times: ['06:00'] }).pointer).toBe('/daysOfWeek');
  });
});

describe('window: every N minutes or hours from `from`, while before `to`', () => {
  it('every 30 min 08:00-18:00 on weekdays fires 08:00, 08:30 .. 17:30 (not 18:00), Friday then Monday', () => {
    const spec: ScheduleSpec = {
      type: 'window',
      daysOfWeek: [1, 2, 3, 4, 5],
      every: 'PT30M',
      from: '08:00',
      to: '18:00',
    };
    const list = fires(spec, '2026-01-02T00:00:00Z', 21);
    const friday = list.filter((t) => t.startsWith('2026-01-02'));
    expect(friday.length).toBe(20);
    expect(friday[0]).toBe('2026-01-02T08:00:00.000Z');
    expect(friday[19]).toBe('2026-01-02T17:30:00.000Z');
    expect(list[20]).toBe('2026-01-05T08:00:00.000Z');
  });

  it('every 45 minutes does not have to divide the window: 08:00, 08:45 .. 17:45', () => {
    const list = fires(
      { type: 'window', daysOfWeek: [], every: 'PT45M', from: '08:00', to: '18:00' },
      '2026-01-01T00:00:00Z',
      15,
    );
    expect(list.slice(0, 14).map((t) => t.slice(11, 16))).toEqual([
      '08:00',
      '08:45',
      '09:30',
      '10:15',
      '11:00',
      '11:45',
      '12:30',
      '13:15',
      '14:00',
      '14:45',
      '15:30',
      '16:15',
      '17:00',
      '17:45',
    ]);
    expect(list[14]).toBe('2026-01-02T08:00:00.000Z');
  });

  it('every 2 hours in a zone', () => {
    expect(
      fires(
        {
          type: 'window',
          daysOfWeek: [6],
          every: 'PT2H',
          from: '09:00',
          to: '14:00',
          timeZone: 'Asia/Tokyo',
        },
        '2026-01-01T00:00:00Z',
        4,
      ),
    ).toEqual([
      '2026-01-03T00:00:00.000Z',
      '2026-01-03T02:00:00.000Z',
      '2026-01-03T04:00:00.000Z',
      '2026-01-10T00:00:00.000Z',
    ]);
  });

  it.each([
    ['`to` not after `from`', { from: '18:00', to: '08:00', every: 'PT30M' }, '/to'],
    ['`to` equal to `from`', { from: '08:00', to: '08:00', every: 'PT30M' }, '/to'],
    ['a day or more', { from: '08:00', to: '18:00', every: 'P1D' }, '/every'],
    ['seconds', { from: '08:00', to: '18:00', every: 'PT30S' }, '/every'],
    ['not whole minutes', { from: '08:00', to: '18:00', every: 'PT90S' }, '/every'],
    ['a bad from', { from: '8am', to: '18:00', every: 'PT30M' }, '/from'],
    ['a bad to', { from: '08:00', to: '24:00', every: 'PT30M' }, '/to'],
  ])('refuses %s', (_label, fields, pointer) => {
    expect(refusal({ type: 'window', daysOfWeek: [1], ...fields }).pointer).toBe(pointer);
  });
});

describe('recurrence (Azure Scheduler)', () => {
  const start = '2026-01-01T09:15:00Z'; // a Thursday
  const R = (rest: Record<string, unknown>): ScheduleSpec =>
    ({ type: 'recurrence', frequency: 'day', startAt: start, ...rest }) as ScheduleSpec;

  it('frequency day: every day at the start time; interval 3 every third day', () => {
    expect(fires(R({}), '2025-12-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T09:15:00.000Z',
      '2026-01-02T09:15:00.000Z',
      '2026-01-03T09:15:00.000Z',
    ]);
    expect(fires(R({ interval: 3 }), '2025-12-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T09:15:00.000Z',
      '2026-01-04T09:15:00.000Z',
      '2026-01-07T09:15:00.000Z',
    ]);
  });

  it("hours and minutes given: every combination; not given: the start time's", () => {
    expect(
      fires(R({ schedule: { hours: [8, 17], minutes: [0, 30] } }), '2025-12-01T00:00:00Z', 5).map((t) =>
        t.slice(0, 16),
      ),
    ).toEqual([
      '2026-01-01T17:00',
      '2026-01-01T17:30',
      '2026-01-02T08:00',
      '2026-01-02T08:30',
      '2026-01-02T17:00',
    ]);
    // Only hours: the minute (and second) of the start.
    expect(fires(R({ schedule: { hours: [6] } }), '2025-12-01T00:00:00Z', 1)).toEqual([
      '2026-01-02T06:15:00.000Z',
    ]);
  });

  it("the default time is the start's wall time in the recurrence's time zone", () => {
    // 09:15Z is 04:15 in New York (EST); after the DST change it stays 04:15 local, i.e. 08:15Z.
    const spec = R({ timeZone: 'America/New_York' });
    expect(fires(spec, '2025-12-01T00:00:00Z', 1)).toEqual(['2026-01-01T09:15:00.000Z']);
    expect(fires(spec, '2026-03-20T00:00:00Z', 1)).toEqual(['2026-03-20T08:15:00.000Z']);
  });

  it('frequency week: on the start weekday by default; weekDays with interval 2 (weeks counted Sunday-first)', () => {
    expect(fires(R({ frequency: 'week' }), '2025-12-01T00:00:00Z', 2)).toEqual([
      '2026-01-01T09:15:00.000Z',
      '2026-01-08T09:15:00.000Z',
    ]);
    expect(
      fires(
        R({ frequency: 'week', interval: 2, schedule: { weekDays: ['monday', 'friday'], hours: [6] } }),
        '2025-12-01T00:00:00Z',
        5,
      ),
    ).toEqual([
      '2026-01-02T06:15:00.000Z',
      '2026-01-12T06:15:00.000Z',
      '2026-01-16T06:15:00.000Z',
      '2026-01-26T06:15:00.000Z',
      '2026-01-30T06:15:00.000Z',
    ]);
  });

  it('frequency month: the start day by default (skipping months without it), monthDays incl. -1 = last day', () => {
    expect(
      fires(R({ frequency: 'month', startAt: '2026-01-31T09:15:00Z' }), '2026-01-01T00:00:00Z', 3).map((t) =>
        t.slice(0, 10),
      ),
    ).toEqual(['2026-01-31', '2026-03-31', '2026-05-31']);
    expect(
      fires(R({ frequency: 'month', schedule: { monthDays: [-1] } }), '2024-01-01T00:00:00Z', 3).map((t) =>
        t.slice(0, 10),
      ),
    ).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
    expect(
      fires(R({ frequency: 'month', schedule: { monthDays: [1, -1] } }), '2026-01-01T10:00:00Z', 3).map((t) =>
        t.slice(0, 10),
      ),
    ).toEqual(['2026-01-31', '2026-02-01', '2026-02-28']);
    expect(
      fires(R({ frequency: 'month', schedule: { monthDays: [-3] } }), '2026-01-01T10:00:00Z', 2).map((t) =>
        t.slice(0, 10),
      ),
    ).toEqual(['2026-01-29', '2026-02-26']);
  });

  it('frequency month with interval 3 counts months from the start', () => {
    expect(
      fires(
        R({ frequency: 'month', interval: 3, schedule: { monthDays: [15] } }),
        '2026-01-01T00:00:00Z',
        3,
      ).map((t) => t.slice(0, 10)),
    ).toEqual(['2026-01-15', '2026-04-15', '2026-07-15']);
  });

  it('monthlyOccurrences: first Monday, fifth Monday, last Friday (-1), second-to-last Friday (-2)', () => {
    const days = (day: string, occurrence: number): string[] =>
      fires(
        R({ frequency: 'month', schedule: { monthlyOccurrences: [{ day, occurrence }] } }),
        '2026-01-01T00:00:00Z',
        3,
      ).map((t) => t.slice(0, 10));
    expect(days('monday', 1)).toEqual(['2026-01-05', '2026-02-02', '2026-03-02']);
    expect(days('monday', 5)).toEqual(['2026-03-30', '2026-06-29', '2026-08-31']);
    expect(days('friday', -1)).toEqual(['2026-01-30', '2026-02-27', '2026-03-27']);
    expect(days('friday', -2)).toEqual(['2026-01-23', '2026-02-20', '2026-03-20']);
  });

  it('count: that many fires in all, counted from the start whatever `from` is', () => {
    expect(fires(R({ count: 3 }), '2025-12-01T00:00:00Z', 10)).toEqual([
      '2026-01-01T09:15:00.000Z',
      '2026-01-02T09:15:00.000Z',
      '2026-01-03T09:15:00.000Z',
    ]);
    expect(fires(R({ count: 3 }), '2026-01-02T10:00:00Z', 10)).toEqual(['2026-01-03T09:15:00.000Z']);
  });

  it('endTime: no fire after it (inclusive), and the earlier of endTime and endAt wins', () => {
    expect(fires(R({ endTime: '2026-01-03T09:15:00Z' }), '2025-12-01T00:00:00Z', 10)).toHaveLength(3);
    expect(
      fires(
        R({ endTime: '2026-01-05T00:00:00Z', endAt: '2026-01-02T12:00:00Z' }),
        '2025-12-01T00:00:00Z',
        10,
      ),
    ).toHaveLength(2);
  });

  it('frequency hour and minute without a schedule are elapsed time from the start', () => {
    expect(fires(R({ frequency: 'minute', interval: 45 }), '2025-12-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T09:15:00.000Z',
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:45:00.000Z',
    ]);
    const hourly = nextFireTimes(
      R({ frequency: 'hour', timeZone: 'America/New_York', startAt: '2026-03-08T05:00:00Z' }),
      { from: Date.UTC(2026, 2, 8, 4), count: 5 },
    );
    for (let i = 1; i < hourly.length; i++)
      expect((hourly[i] as Date).getTime() - (hourly[i - 1] as Date).getTime()).toBe(HOUR);
  });

  it('frequency hour with minutes: those minutes of every interval-th hour from the start hour', () => {
    expect(
      fires(R({ frequency: 'hour', interval: 2, schedule: { minutes: [0, 30] } }), '2025-12-01T00:00:00Z', 4),
    ).toEqual([
      '2026-01-01T09:30:00.000Z',
      '2026-01-01T11:00:00.000Z',
      '2026-01-01T11:30:00.000Z',
      '2026-01-01T13:00:00.000Z',
    ]);
  });

  it.each([
    ['startAt missing', { startAt: undefined }, '/startAt'],
    ['frequency unknown', { frequency: 'year' }, '/frequency'],
    ['interval 0', { interval: 0 }, '/interval'],
    ['interval over the limit for day (548)', { interval: 549 }, '/interval'],
    ['interval over the limit for month (18)', { frequency: 'month', interval: 19 }, '/interval'],
    ['weekDays without frequency week', { schedule: { weekDays: ['monday'] } }, '/schedule/weekDays'],
    [
      'monthDays without frequency month',
      { frequency: 'week', schedule: { monthDays: [1] } },
      '/schedule/monthDays',
    ],
    [
      'monthlyOccurrences without frequency month',
      { schedule: { monthlyOccurrences: [{ day: 'monday', occurrence: 1 }] } },
      '/schedule/monthlyOccurrences',
    ],
    ['hours with frequency hour', { frequency: 'hour', schedule: { hours: [1] } }, '/schedule/hours'],
    [
      'minutes with frequency minute',
      { frequency: 'minute', schedule: { minutes: [1] } },
      '/schedule/minutes',
    ],
    ['monthDays 0', { frequency: 'month', schedule: { monthDays: [0] } }, '/schedule/monthDays/0'],
    ['monthDays 32', { frequency: 'month', schedule: { monthDays: [5, 32] } }, '/schedule/monthDays/1'],
    ['monthDays -32', { frequency: 'month', schedule: { monthDays: [-32] } }, '/schedule/monthDays/0'],
    [
      'occurrence 0',
      { frequency: 'month', schedule: { monthlyOccurrences: [{ day: 'monday', occurrence: 0 }] } },
      '/schedule/monthlyOccurrences/0/occurrence',
    ],
    [
      'occurrence 6',
      { frequency: 'month', schedule: { monthlyOccurrences: [{ day: 'monday', occurrence: 6 }] } },
      '/schedule/monthlyOccurrences/0/occurrence',
    ],
    [
      'an unknown day',
      { frequency: 'month', schedule: { monthlyOccurrences: [{ day: 'funday', occurrence: 1 }] } },
      '/schedule/monthlyOccurrences/0/day',
    ],
    [
      'an unknown weekDay',
      { frequency: 'week', schedule: { weekDays: ['monday', 'funday'] } },
      '/schedule/weekDays/1',
    ],
    ['hours 24', { schedule: { hours: [24] } }, '/schedule/hours/0'],
    ['minutes 60', { schedule: { minutes: [60] } }, '/schedule/minutes/0'],
    ['empty hours', { schedule: { hours: [] } }, '/schedule/hours'],
    ['count 0', { count: 0 }, '/count'],
    ['count 1.5', { count: 1.5 }, '/count'],
    ['a bad endTime', { endTime: 'soon' }, '/endTime'],
  ])('refuses %s', (_label, rest, pointer) => {
    expect(refusal(R(rest)).pointer).toBe(pointer);
  });
});

describe('manual', () => {
  it('never fires', () => {
    const s = compileSchedule({ type: 'manual' });
    expect(s.next(new Date('2026-01-01T00:00:00Z'))).toBeNull();
    expect(nextFireTimes(s, { from: 0, count: 5 })).toEqual([]);
    expect(
      nextFireTimes(
        { type: 'manual', startAt: '2026-01-01T00:00:00Z', endAt: '2027-01-01T00:00:00Z' },
        { from: 0, count: 5 },
      ),
    ).toEqual([]);
  });
});

describe('startAt / endAt on every kind', () => {
  const S = '2026-03-02T06:00:00Z';
  const E = '2026-03-04T18:00:00Z';
  const KINDS: [string, ScheduleSpec][] = [
    ['cron', { type: 'cron', expression: '0 0 */6 * * ?' }],
    ['daily', { type: 'daily', daysOfWeek: [], times: ['06:00', '18:00'] }],
    ['window', { type: 'window', daysOfWeek: [], every: 'PT3H', from: '03:00', to: '22:00' }],
    // A recurrence's startAt is also its anchor, so its times are given explicitly here.
    [
      'recurrence',
      {
        type: 'recurrence',
        frequency: 'day',
        startAt: '2026-01-01T12:00:00Z',
        schedule: { hours: [12, 20], minutes: [0] },
      },
    ],
    ['once (inside)', { type: 'once', at: '2026-03-03T10:00:00Z' }],
  ];

  it.each(KINDS)('%s: only the unbounded fires within [startAt, endAt], both inclusive', (_label, spec) => {
    const unbounded = nextFireTimes(spec, { from: Date.parse(S) - 1, count: 40 })
      .map(iso)
      .filter((t) => t <= new Date(E).toISOString());
    expect(unbounded.length).toBeGreaterThan(0);
    const bounded = fires({ ...spec, startAt: S, endAt: E }, '2025-01-01T00:00:00Z', 40);
    expect(bounded).toEqual(unbounded);
  });

  it('startAt and endAt are inclusive: a daily 06:00 from 06:00 to 06:00 two days later fires three times', () => {
    expect(
      fires(
        {
          type: 'daily',
          daysOfWeek: [],
          times: ['06:00'],
          startAt: '2026-03-02T06:00:00Z',
          endAt: '2026-03-04T06:00:00Z',
        },
        '2026-01-01T00:00:00Z',
        10,
      ),
    ).toEqual(['2026-03-02T06:00:00.000Z', '2026-03-03T06:00:00.000Z', '2026-03-04T06:00:00.000Z']);
  });

  it('a startAt between whole seconds: wall-clock kinds fire on whole seconds at or after it', () => {
    expect(
      fires(
        { type: 'cron', expression: '* * * * * ?', startAt: '2026-03-02T06:00:00.250Z' },
        '2026-01-01T00:00:00Z',
        1,
      ),
    ).toEqual(['2026-03-02T06:00:01.000Z']);
  });

  it('interval: startAt is the anchor; endAt ends it', () => {
    expect(
      fires({ type: 'interval', every: 'PT12H', startAt: S, endAt: E }, '2025-01-01T00:00:00Z', 10),
    ).toEqual([
      '2026-03-02T06:00:00.000Z',
      '2026-03-02T18:00:00.000Z',
      '2026-03-03T06:00:00.000Z',
      '2026-03-03T18:00:00.000Z',
      '2026-03-04T06:00:00.000Z',
      '2026-03-04T18:00:00.000Z',
    ]);
    // Without startAt, endAt alone still ends the epoch-aligned fires.
    expect(fires({ type: 'interval', every: 'PT12H', endAt: E }, '2026-03-04T00:00:00Z', 10)).toEqual([
      '2026-03-04T12:00:00.000Z',
    ]);
  });

  it('once outside [startAt, endAt] never fires', () => {
    expect(fires({ type: 'once', at: '2026-03-01T10:00:00Z', startAt: S }, '2025-01-01T00:00:00Z')).toEqual(
      [],
    );
    expect(fires({ type: 'once', at: '2026-03-05T10:00:00Z', endAt: E }, '2025-01-01T00:00:00Z')).toEqual([]);
  });

  it('endAt before startAt is refused with /endAt; malformed bounds with their own pointer', () => {
    expect(refusal({ type: 'manual', startAt: E, endAt: S }).pointer).toBe('/endAt');
    expect(refusal({ type: 'cron', expression: '0 0 12 * * ?', startAt: 'yesterday' }).pointer).toBe(
      '/startAt',
    );
    expect(refusal({ type: 'cron', expression: '0 0 12 * * ?', endAt: '2026-03-04' }).pointer).toBe('/endAt');
  });
});

describe('toCron(): the equivalent Quartz expression where cron can express it', () => {
  const CASES: [string, ScheduleSpec, string][] = [
    [
      'daily Mon-Fri 06:00',
      { type: 'daily', daysOfWeek: [1, 2, 3, 4, 5], times: ['06:00'] },
      '0 0 6 ? * MON-FRI',
    ],
    [
      'daily every day 06:00 and 18:00',
      { type: 'daily', daysOfWeek: [], times: ['18:00', '06:00'] },
      '0 0 6,18 ? * *',
    ],
    [
      'daily weekends 07:30:15',
      { type: 'daily', daysOfWeek: [0, 6], times: ['07:30:15'] },
      '15 30 7 ? * SUN,SAT',
    ],
    [
      'window every 15 min 09:00-12:00',
      { type: 'window', daysOfWeek: [1, 3, 5], every: 'PT15M', from: '09:00', to: '12:00' },
      '0 0/15 9-11/1 ? * MON,WED,FRI',
    ],
    [
      'recurrence daily at the start time',
      { type: 'recurrence', frequency: 'day', startAt: '2026-01-01T09:15:00Z' },
      '0 15 9 * * ?',
    ],
    [
      'recurrence weekdays at 06:00',
      {
        type: 'recurrence',
        frequency: 'week',
        startAt: '2026-01-01T09:15:00Z',
        schedule: {
          weekDays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
          hours: [6],
          minutes: [0],
        },
      },
      '0 0 6 ? * MON-FRI',
    ],
    [
      'recurrence month days 1 and 15',
      {
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T09:15:00Z',
        schedule: { monthDays: [1, 15], hours: [6], minutes: [0] },
      },
      '0 0 6 1,15 * ?',
    ],
    [
      'recurrence last day of the month',
      {
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T09:15:00Z',
        schedule: { monthDays: [-1] },
      },
      '0 15 9 L * ?',
    ],
    [
      'recurrence third-to-last day',
      {
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T09:15:00Z',
        schedule: { monthDays: [-3] },
      },
      '0 15 9 L-2 * ?',
    ],
    [
      'recurrence last Friday',
      {
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T09:15:00Z',
        schedule: { monthlyOccurrences: [{ day: 'friday', occurrence: -1 }] },
      },
      '0 15 9 ? * 6L',
    ],
    [
      'recurrence on the 31st (skips shorter months)',
      { type: 'recurrence', frequency: 'month', startAt: '2026-01-31T09:15:00Z' },
      '0 15 9 31 * ?',
    ],
    [
      'recurrence fifth Monday',
      {
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T09:15:00Z',
        schedule: { monthlyOccurrences: [{ day: 'monday', occurrence: 5 }] },
      },
      '0 15 9 ? * MON#5',
    ],
    [
      'daily in a DST zone',
      { type: 'daily', daysOfWeek: [0], times: ['02:30'], timeZone: 'America/New_York' },
      '0 30 2 ? * SUN',
    ],
    [
      'recurrence first Monday',
      {
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T09:15:00Z',
        schedule: { monthlyOccurrences: [{ day: 'monday', occurrence: 1 }] },
      },
      '0 15 9 ? * MON#1',
    ],
    ['interval PT15M from the epoch', { type: 'interval', every: 'PT15M' }, '0 0/15 * * * ?'],
    ['interval PT1S', { type: 'interval', every: 'PT1S' }, '* * * * * ?'],
    ['interval PT10S', { type: 'interval', every: 'PT10S' }, '0/10 * * * * ?'],
    ['interval PT2H', { type: 'interval', every: 'PT2H' }, '0 0 0/2 * * ?'],
    ['interval P1D', { type: 'interval', every: 'P1D' }, '0 0 0 * * ?'],
    ['once', { type: 'once', at: '2026-05-01T10:20:30Z' }, '30 20 10 1 5 ? 2026'],
  ];

  it.each(CASES)('%s -> %s', (_label, spec, cron) => {
    expect(compileSchedule(spec).toCron()).toBe(cron);
  });

  it.each(CASES)('%s: the expression fires exactly when the schedule does', (_label, spec) => {
    const s = compileSchedule(spec);
    const cron = compileSchedule({
      type: 'cron',
      expression: s.toCron() as string,
      dialect: 'quartz',
      timeZone: s.timeZone,
    });
    const from = Date.UTC(2026, 0, 1, 10);
    expect(nextFireTimes(cron, { from, count: 60 }).map(iso)).toEqual(
      nextFireTimes(s, { from, count: 60 }).map(iso),
    );
  });

  it('window every 30 min 08:00-18:00 on weekdays: an expression that fires at the same instants', () => {
    const spec: ScheduleSpec = {
      type: 'window',
      daysOfWeek: [1, 2, 3, 4, 5],
      every: 'PT30M',
      from: '08:00',
      to: '18:00',
    };
    const s = compileSchedule(spec);
    const cron = compileSchedule({ type: 'cron', expression: s.toCron() as string, dialect: 'quartz' });
    const from = Date.UTC(2026, 0, 1);
    expect(nextFireTimes(cron, { from, count: 100 }).map(iso)).toEqual(
      nextFireTimes(s, { from, count: 100 }).map(iso),
    );
  });

  // The hour field carries a step (8-17/1) so the cron, like the window, fires every real hour through DST.
  it('window every 30 min 08:00-18:00 on weekdays -> 0 0/30 8-17/1 ? * MON-FRI', () => {
    const spec: ScheduleSpec = {
      type: 'window',
      daysOfWeek: [1, 2, 3, 4, 5],
      every: 'PT30M',
      from: '08:00',
      to: '18:00',
    };
    expect(compileSchedule(spec).toCron()).toBe('0 0/30 8-17/1 ? * MON-FRI');
  });

  it('daily in a DST zone: the expression agrees through the 2026 changes (same zone, same policy)', () => {
    const s = compileSchedule({
      type: 'daily',
      daysOfWeek: [],
      times: ['01:30', '02:30'],
      timeZone: 'America/New_York',
    });
    const cron = compileSchedule({
      type: 'cron',
      expression: s.toCron() as string,
      dialect: 'quartz',
      timeZone: 'America/New_York',
    });
    const from = Date.UTC(2026, 2, 1);
    expect(nextFireTimes(cron, { from, count: 600 }).map(iso)).toEqual(
      nextFireTimes(s, { from, count: 600 }).map(iso),
    );
  });

  // A periodic window fires every real hour; its cron form says so with a step in the hour field.
  it(
    'window every PT1H in a DST zone: the expression fires at the same instants through a fall-back',
    () => {
      const s = compileSchedule({
        type: 'window',
        daysOfWeek: [],
        every: 'PT1H',
        from: '00:00',
        to: '04:00',
        timeZone: 'America/New_York',
      });
      const cron = compileSchedule({
        type: 'cron',
        expression: s.toCron() as string,
        dialect: 'quartz',
        timeZone: 'America/New_York',
      });
      const from = Date.UTC(2026, 9, 31);
      expect(nextFireTimes(cron, { from, count: 8 }).map(iso)).toEqual(
        nextFireTimes(s, { from, count: 8 }).map(iso),
      );
    },
  );

  it('a cron schedule returns its own expression', () => {
    expect(compileSchedule({ type: 'cron', expression: ' 0 3 * * 1 ' }).toCron()).toBe('0 3 * * 1');
  });

  it.each([
    ['interval PT7M (not a divisor of an hour)', { type: 'interval', every: 'PT7M' }],
    ['interval anchored off the grid', { type: 'interval', every: 'PT1H', startAt: '2026-01-01T00:30:00Z' }],
    [
      'interval with repeatCount',
      { type: 'interval', every: 'PT1H', startAt: '2026-01-01T00:00:00Z', repeatCount: 3 },
    ],
    [
      'window every 45 minutes',
      { type: 'window', daysOfWeek: [], every: 'PT45M', from: '08:00', to: '18:00' },
    ],
    ['daily with times that are not a grid', { type: 'daily', daysOfWeek: [1], times: ['06:00', '18:30'] }],
    [
      'recurrence every 2 days',
      { type: 'recurrence', frequency: 'day', interval: 2, startAt: '2026-01-01T09:15:00Z' },
    ],
    [
      'recurrence with a count',
      { type: 'recurrence', frequency: 'day', count: 5, startAt: '2026-01-01T09:15:00Z' },
    ],
    [
      'recurrence second-to-last Friday',
      {
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T09:15:00Z',
        schedule: { monthlyOccurrences: [{ day: 'friday', occurrence: -2 }] },
      },
    ],
    ['manual', { type: 'manual' }],
  ] as [string, ScheduleSpec][])('%s: null', (_label, spec) => {
    expect(compileSchedule(spec).toCron()).toBeNull();
  });
});

describe('describe(): English for every kind', () => {
  const text = (spec: ScheduleSpec): string => compileSchedule(spec).describe();

  it('cron, through cronstrue, with the time zone; unix and quartz day numbering both right', () => {
    expect(text({ type: 'cron', expression: '0 0 12 * * ?' })).toBe('At 12:00 (UTC)');
    expect(text({ type: 'cron', expression: '*/5 * * * *', timeZone: 'Europe/Berlin' })).toBe(
      'Every 5 minutes (Europe/Berlin)',
    );
    expect(text({ type: 'cron', expression: '0 3 * * 1' })).toMatch(/03:00.*Monday/);
    expect(text({ type: 'cron', expression: '0 0 3 ? * 2' })).toMatch(/03:00.*Monday/);
    expect(text({ type: 'cron', expression: '0 3 * * 7' })).toMatch(/Sunday/);
    expect(text({ type: 'cron', expression: '0 0 3 ? * 7' })).toMatch(/Saturday/);
    expect(text({ type: 'cron', expression: '@daily' })).toBe('At 00:00 (UTC)');
  });

  it('cron that cronstrue cannot read falls back to the expression itself', () => {
    expect(text({ type: 'cron', expression: '0 0 12 L-3W * ?' })).toContain('0 0 12 L-3W * ?');
  });

  it('daily, window, interval, once, recurrence, manual', () => {
    expect(text({ type: 'daily', daysOfWeek: [1, 2, 3, 4, 5], times: ['06:00'] })).toBe(
      'At 06:00, Monday through Friday (UTC)',
    );
    expect(text({ type: 'daily', daysOfWeek: [2, 4], times: ['06:00:30'], timeZone: 'Asia/Tokyo' })).toBe(
      'At 06:00:30, on Tuesday and Thursday (Asia/Tokyo)',
    );
    expect(
      text({ type: 'window', daysOfWeek: [1, 2, 3, 4, 5], every: 'PT30M', from: '08:00', to: '18:00' }),
    ).toBe('Every 30 minutes from 08:00 until before 18:00, Monday through Friday (UTC)');
    expect(
      text({ type: 'window', daysOfWeek: [0, 6], every: 'PT1H30M', from: '08:00', to: '18:00' }),
    ).toMatch(/Every 1 hour 30 minutes .* on Saturday and Sunday/);
    expect(text({ type: 'interval', every: 'PT15M' })).toBe(
      'Every 15 minutes, counted from 1970-01-01T00:00:00Z',
    );
    expect(text({ type: 'interval', every: 'PT1H', startAt: '2026-01-01T00:00:00Z', repeatCount: 2 })).toBe(
      'Every hour from 2026-01-01T00:00:00Z, 3 times in all',
    );
    expect(text({ type: 'once', at: '2026-05-01T10:00:00Z' })).toBe('Once, at 2026-05-01T10:00:00Z');
    expect(
      text({
        type: 'recurrence',
        frequency: 'week',
        interval: 2,
        startAt: '2026-01-01T09:15:00Z',
        schedule: { weekDays: ['monday', 'friday'] },
      }),
    ).toMatch(/^Every 2 weeks on Monday and Friday/);
    expect(
      text({
        type: 'recurrence',
        frequency: 'month',
        startAt: '2026-01-01T09:15:00Z',
        schedule: { monthlyOccurrences: [{ day: 'friday', occurrence: -1 }] },
      }),
    ).toMatch(/last friday of the month/i);
    expect(text({ type: 'manual' })).toBe('Only when triggered');
  });

  it('bounds are described', () => {
    expect(
      text({
        type: 'cron',
        expression: '0 0 12 * * ?',
        startAt: '2026-01-01T00:00:00Z',
        endAt: '2026-02-01T00:00:00Z',
      }),
    ).toBe('At 12:00 (UTC), from 2026-01-01T00:00:00Z, until 2026-02-01T00:00:00Z');
  });

  it('a recurrence with a count mentions the count once', () => {
    const t = text({ type: 'recurrence', frequency: 'day', count: 3, startAt: '2026-01-01T09:15:00Z' });
    expect(t.match(/3 times in all/g)).toHaveLength(1);
  });

  it('negative month days use correct English ordinals', () => {
    const t = text({
      type: 'recurrence',
      frequency: 'month',
      startAt: '2026-01-01T09:15:00Z',
      schedule: { monthDays: [-2, -3] },
    });
    expect(t).not.toMatch(/\b(1|2|3)th\b/);
  });
});

describe('ScheduleError pointers for invalid input', () => {
  it.each([
    ['not an object', null, ''],
    ['an unknown type', { type: 'sometimes' }, '/type'],
    [
      'an unknown time zone (cron)',
      { type: 'cron', expression: '0 0 12 * * ?', timeZone: 'Mars/Olympus' },
      '/timeZone',
    ],
    [
      'an offset is not a zone name',
      { type: 'cron', expression: '0 0 12 * * ?', timeZone: '+05:30' },
      '/timeZone',
    ],
    [
      'an unknown time zone (daily)',
      { type: 'daily', daysOfWeek: [1], times: ['06:00'], timeZone: 'Europe/Atlantis' },
      '/timeZone',
    ],
    [
      'an unknown time zone (window)',
      { type: 'window', daysOfWeek: [1], every: 'PT1H', from: '08:00', to: '10:00', timeZone: 'Nowhere' },
      '/timeZone',
    ],
    [
      'an unknown time zone (recurrence)',
      { type: 'recurrence', frequency: 'day', startAt: '2026-01-01T00:00:00Z', timeZone: 'Utopia/Capital' },
      '/timeZone',
    ],
    ['a bad expression', { type: 'cron', expression: '0 0 25 * * ?' }, '/expression'],
    ['a missing expression', { type: 'cron' }, '/expression'],
    ['an empty expression', { type: 'cron', expression: '' }, '/expression'],
    ['an unknown dialect', { type: 'cron', expression: '0 0 12 * * ?', dialect: 'java' }, '/dialect'],
    ['an unknown dst policy', { type: 'cron', expression: '0 0 12 * * ?', dst: 'never' }, '/dst'],
  ])('%s -> %s', (_label, spec, pointer) => {
    expect(refusal(spec).pointer).toBe(pointer);
  });

  it('an unknown zone is named in the message, with an example of a valid one', () => {
    expect(refusal({ type: 'cron', expression: '0 0 12 * * ?', timeZone: 'Mars/Olympus' }).message).toMatch(
      /Mars\/Olympus.*Europe\/London/,
    );
  });

  it('UTC aliases and real IANA names are accepted', () => {
    for (const timeZone of [
      'UTC',
      'Etc/UTC',
      'GMT',
      'America/Argentina/Buenos_Aires',
      'Etc/GMT+5',
      'America/Port-au-Prince',
    ]) {
      expect(
        compileSchedule({ type: 'cron', expression: '0 0 12 * * ?', timeZone }).timeZone,
        timeZone,
      ).toBeTruthy();
    }
    expect(
      nextFireTimes(
        { type: 'cron', expression: '0 0 12 * * ?', timeZone: 'Etc/GMT+5' },
        { from: Date.UTC(2026, 0, 1), count: 1 },
      ).map(iso),
    ).toEqual(['2026-01-01T17:00:00.000Z']);
  });
});

describe('next() on an instant that is not a time', () => {
  const SPECS: [string, ScheduleSpec][] = [
    ['cron in UTC', { type: 'cron', expression: '0 0 12 * * ?' }],
    ['cron in Europe/London', { type: 'cron', expression: '0 0 12 * * ?', timeZone: 'Europe/London' }],
    ['daily in UTC', { type: 'daily', daysOfWeek: [], times: ['06:00'] }],
    ['interval', { type: 'interval', every: 'PT1M' }],
  ];

  // An instant that is not a time is a RangeError naming the argument.
  it.each(SPECS)('%s: neither a made-up fire nor an Invalid Date', (_label, spec) => {
    const s = compileSchedule(spec);
    for (const after of [Number.NaN, Number.POSITIVE_INFINITY]) {
      let result: number | null = null;
      try {
        result = s.nextAfter(after);
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
        expect(String(err)).toMatch(/after/);
        continue;
      }
      expect(result).toBeNull();
    }
  });
});
