/**
 * The Quartz dialect (`sec min hour day-of-month month day-of-week [year]`, 1 = SUN .. 7 = SAT), grouped
 * by section of Quartz's CronExpression documentation. Expected fire times were checked by hand and
 * against Quartz 2.3.2 itself (../shared/tools/quartz-oracle).
 */

import { describe, expect, it } from 'vitest';
import {
  compileSchedule,
  CronSyntaxError,
  nextFireTimes,
  parseCron,
  ScheduleError,
} from '../../../src/schedule/index.js';

const iso = (d: Date): string => d.toISOString();

/** The next `count` fires in UTC after `from`, as ISO strings. */
function fires(expression: string, from: string, count = 5, timeZone = 'UTC'): string[] {
  return nextFireTimes(
    { type: 'cron', expression, dialect: 'quartz', timeZone },
    { from: new Date(from), count },
  ).map(iso);
}

/** Date parts (YYYY-MM-DD) of the next fires. */
const days = (expression: string, from: string, count = 5): string[] =>
  fires(expression, from, count).map((t) => t.slice(0, 10));

function syntaxError(expression: string): CronSyntaxError {
  try {
    parseCron(expression, 'quartz');
  } catch (err) {
    if (err instanceof CronSyntaxError) return err;
    throw err;
  }
  throw new Error(`'${expression}' was accepted`);
}

function scheduleError(expression: string): ScheduleError {
  try {
    compileSchedule({ type: 'cron', expression, dialect: 'quartz' });
  } catch (err) {
    if (err instanceof ScheduleError) return err;
    throw err;
  }
  throw new Error(`'${expression}' was accepted`);
}

describe('Quartz dialect: fields and special characters', () => {
  it('`*` in every field fires every second', () => {
    expect(fires('* * * * * ?', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:00:01.000Z',
      '2026-01-01T00:00:02.000Z',
      '2026-01-01T00:00:03.000Z',
    ]);
  });

  it('`?` is accepted in day-of-month or in day-of-week, and means "no specific value"', () => {
    expect(days('0 0 12 ? * *', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
    ]);
    expect(days('0 0 12 * * ?', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
    ]);
    expect(days('0 0 12 15 * ?', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-15', '2026-02-15']);
  });

  it('lists: `0 0 9,12,18 * * ?`', () => {
    expect(fires('0 0 9,12,18 * * ?', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
      '2026-01-01T18:00:00.000Z',
      '2026-01-02T09:00:00.000Z',
    ]);
  });

  it('ranges: `0 0 9-11 * * ?`', () => {
    expect(fires('0 0 9-11 * * ?', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(11, 16))).toEqual([
      '09:00',
      '10:00',
      '11:00',
      '09:00',
    ]);
  });

  it('`a/b` runs from a to the end of the field: `0 5/15 * * * ?` = minutes 5, 20, 35, 50', () => {
    expect(fires('0 5/15 * * * ?', '2026-01-01T00:00:00Z', 5).map((t) => t.slice(11, 16))).toEqual([
      '00:05',
      '00:20',
      '00:35',
      '00:50',
      '01:05',
    ]);
  });

  it('`*/b` starts at the field minimum: `*/20 * * * * ?` = seconds 0, 20, 40; `0 0 0 ? * */3` = SUN, WED, SAT', () => {
    expect(fires('*/20 * * * * ?', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(14, 19))).toEqual([
      '00:20',
      '00:40',
      '01:00',
      '01:20',
    ]);
    // 2026-01-03 is a Saturday, 01-04 Sunday, 01-07 Wednesday.
    expect(days('0 0 0 ? * */3', '2026-01-02T00:00:00Z', 4)).toEqual([
      '2026-01-03',
      '2026-01-04',
      '2026-01-07',
      '2026-01-10',
    ]);
  });

  it('`a-b/c`: `0 10-40/10 * * * ?` = minutes 10, 20, 30, 40', () => {
    expect(fires('0 10-40/10 * * * ?', '2026-01-01T00:00:00Z', 5).map((t) => t.slice(11, 16))).toEqual([
      '00:10',
      '00:20',
      '00:30',
      '00:40',
      '01:10',
    ]);
  });

  it('overflowing ranges wrap past the maximum: hours `22-2`, `22-2/2`, months `NOV-FEB`, days `FRI-MON`', () => {
    expect(fires('0 0 22-2 * * ?', '2026-01-01T00:30:00Z', 6).map((t) => t.slice(11, 13))).toEqual([
      '01',
      '02',
      '22',
      '23',
      '00',
      '01',
    ]);
    expect(fires('0 0 22-2/2 * * ?', '2026-01-01T00:30:00Z', 4).map((t) => t.slice(11, 13))).toEqual([
      '02',
      '22',
      '00',
      '02',
    ]);
    expect(days('0 0 0 1 NOV-FEB ?', '2026-01-15T00:00:00Z', 5)).toEqual([
      '2026-02-01',
      '2026-11-01',
      '2026-12-01',
      '2027-01-01',
      '2027-02-01',
    ]);
    // 2026-01-02 is a Friday.
    expect(days('0 0 0 ? * FRI-MON', '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-05',
      '2026-01-09',
    ]);
  });

  it('whitespace between fields may be any run of blanks', () => {
    expect(fires('  0   0\t12 * *  ? ', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-01T12:00:00.000Z']);
  });
});

describe('Quartz dialect: names', () => {
  const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

  it.each(MONTHS.map((name, i) => [name, i + 1]))('month %s is month %i, in any case', (name, month) => {
    for (const spelled of [name, name.toLowerCase(), name.charAt(0) + name.slice(1).toLowerCase()]) {
      const [first] = fires(`0 0 0 1 ${spelled} ?`, '2025-12-31T12:00:00Z', 1);
      expect(Number(first?.slice(5, 7)), spelled).toBe(month);
    }
  });

  it.each(DAYS.map((name, i) => [name, i]))(
    'day %s is weekday %i (0 = Sunday), in any case',
    (name, weekday) => {
      for (const spelled of [name, name.toLowerCase()]) {
        const [first] = fires(`0 0 0 ? * ${spelled}`, '2026-01-01T00:00:00Z', 1);
        expect(new Date(first as string).getUTCDay(), spelled).toBe(weekday);
      }
      // Names and numbers mean the same day: 1 = SUN .. 7 = SAT.
      expect(fires(`0 0 0 ? * ${weekday + 1}`, '2026-01-01T00:00:00Z', 3)).toEqual(
        fires(`0 0 0 ? * ${name}`, '2026-01-01T00:00:00Z', 3),
      );
    },
  );

  it('names in lists and ranges: `0 0 12 ? jan,Jul mon-fri`', () => {
    expect(days('0 0 12 ? jan,Jul mon-fri', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-05',
    ]);
    expect(days('0 0 12 ? jan,Jul mon-fri', '2026-01-31T00:00:00Z', 1)).toEqual(['2026-07-01']);
  });
});

describe('Quartz dialect: L (last)', () => {
  it('`L` in day-of-month is the last day of the month (29 in a leap February)', () => {
    expect(days('0 0 12 L * ?', '2024-01-01T00:00:00Z', 4)).toEqual([
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
    ]);
  });

  it('`L-3` is three days before the last day', () => {
    expect(days('0 0 12 L-3 * ?', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-28',
      '2026-02-25',
      '2026-03-28',
    ]);
  });

  it('`L-30` fires only in 31-day months (day 1); `L-31` is refused', () => {
    expect(days('0 0 12 L-30 * ?', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-01', '2026-03-01']);
    expect(syntaxError('0 0 12 L-31 * ?').field).toBe('day-of-month');
  });

  it('`LW` is the last weekday of the month', () => {
    // 2026-01-31 is a Saturday, 2026-05-31 a Sunday: both move back to Friday.
    expect(days('0 0 12 LW * ?', '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-30',
      '2026-02-27',
      '2026-03-31',
      '2026-04-30',
      '2026-05-29',
    ]);
  });

  it('`L-2W` is the weekday nearest to two days before the last day', () => {
    // 2026-01-29 Thu; 02-26 Thu; 03-29 is a Sunday -> Monday 30; 04-28 Tue; 05-29 Fri.
    expect(days('0 0 12 L-2W * ?', '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-29',
      '2026-02-26',
      '2026-03-30',
      '2026-04-28',
      '2026-05-29',
    ]);
  });

  it('`6L` and `FRIL` in day-of-week are the last Friday of the month', () => {
    const expected = ['2026-01-30', '2026-02-27', '2026-03-27', '2026-04-24', '2026-05-29'];
    expect(days('0 15 10 ? * 6L', '2026-01-01T00:00:00Z', 5)).toEqual(expected);
    expect(days('0 15 10 ? * FRIL', '2026-01-01T00:00:00Z', 5)).toEqual(expected);
  });

  it('`L` alone in day-of-week is 7, Saturday', () => {
    expect(days('0 0 12 ? * L', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-03',
      '2026-01-10',
      '2026-01-17',
    ]);
    expect(fires('0 0 12 ? * L', '2026-01-01T00:00:00Z', 5)).toEqual(
      fires('0 0 12 ? * 7', '2026-01-01T00:00:00Z', 5),
    );
  });
});

describe('Quartz dialect: W (nearest weekday)', () => {
  it('`15W` moves a Saturday 15th to Friday 14th and a Sunday 15th to Monday 16th', () => {
    // 2026-03-15 is a Sunday, 2026-08-15 a Saturday.
    expect(days('0 0 12 15W * ?', '2026-03-01T00:00:00Z', 6)).toEqual([
      '2026-03-16',
      '2026-04-15',
      '2026-05-15',
      '2026-06-15',
      '2026-07-15',
      '2026-08-14',
    ]);
  });

  it('`1W` never leaves the month: a Saturday 1st moves to Monday the 3rd', () => {
    // 2026-08-01 is a Saturday.
    expect(days('0 0 12 1W * ?', '2026-07-15T00:00:00Z', 2)).toEqual(['2026-08-03', '2026-09-01']);
  });

  it('`31W` skips the 30-day months and February of 2026', () => {
    // 2026-01-31 Sat -> 30; 03-31 Tue; 05-31 Sun -> Fri 29 (not June 1st); 07-31 Fri; 08-31 Mon.
    expect(days('0 0 12 31W * ?', '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-30',
      '2026-03-31',
      '2026-05-29',
      '2026-07-31',
      '2026-08-31',
    ]);
  });
});

describe('Quartz dialect: W past the end of a short month (as Quartz 2.3.2 reads it)', () => {
  // Quartz 2.3.2 (../shared/tools/quartz-oracle) fires `nW` for n = last day + 1 on the last day of a
  // shorter month when that day is a Friday: its lenient Calendar rolls "April 31" to May 1, a Saturday,
  // and moves back one day to April 30. When the rolled-over day is any other weekday, the month has no fire.
  it('`0 0 12 31W * ?` fires on Friday 2032-04-30 (May 1st is a Saturday), as Quartz does', () => {
    expect(fires('0 0 12 31W * ?', '2032-04-01T00:00:00Z', 2)).toEqual([
      '2032-04-30T12:00:00.000Z',
      '2032-05-31T12:00:00.000Z',
    ]);
  });

  it('`0 0 12 29W * ?` fires on Friday 2025-02-28 (March 1st is a Saturday), as Quartz does', () => {
    expect(fires('0 0 12 29W * ?', '2025-02-01T00:00:00Z', 2)).toEqual([
      '2025-02-28T12:00:00.000Z',
      '2025-03-28T12:00:00.000Z',
    ]);
  });

  it('when the rolled-over day is not a Saturday the month has no fire (`31W` from 2026-04-01, `30W`/`31W` in February)', () => {
    expect(fires('0 0 12 31W * ?', '2026-04-01T00:00:00Z', 1)).toEqual(['2026-05-29T12:00:00.000Z']);
    expect(fires('0 0 12 30W * ?', '2025-02-01T00:00:00Z', 1)).toEqual(['2025-03-31T12:00:00.000Z']);
    // "February 30th" 2030 rolls to Saturday March 2nd; one day back is still past February: no fire.
    expect(fires('0 0 12 30W * ?', '2030-02-01T00:00:00Z', 1)).toEqual(['2030-03-29T12:00:00.000Z']);
    expect(fires('0 0 12 31W * ?', '2029-02-01T00:00:00Z', 1)).toEqual(['2029-03-30T12:00:00.000Z']);
  });
});

describe('Quartz dialect: # (n-th weekday)', () => {
  it('`2#1` is the first Monday of the month', () => {
    expect(days('0 0 12 ? * 2#1', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-05',
      '2026-02-02',
      '2026-03-02',
    ]);
  });

  it('`MON#2` is the second Monday; `6#3` the third Friday', () => {
    expect(days('0 0 12 ? * MON#2', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-12',
      '2026-02-09',
      '2026-03-09',
    ]);
    expect(days('0 0 12 ? * 6#3', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-16',
      '2026-02-20',
      '2026-03-20',
    ]);
  });

  it('`6#5` fires only in months with five Fridays', () => {
    expect(days('0 0 12 ? * 6#5', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-30',
      '2026-05-29',
      '2026-07-31',
      '2026-10-30',
    ]);
  });
});

describe('Quartz dialect: the optional year field', () => {
  it('a single year fires in that year only, then never', () => {
    expect(fires('0 0 12 1 1 ? 2030', '2026-01-01T00:00:00Z', 3)).toEqual(['2030-01-01T12:00:00.000Z']);
  });

  it('year ranges and steps: `2030-2032`, `2030/5`', () => {
    expect(days('0 0 12 1 1 ? 2030-2032', '2026-01-01T00:00:00Z', 5)).toEqual([
      '2030-01-01',
      '2031-01-01',
      '2032-01-01',
    ]);
    expect(days('0 0 12 1 1 ? 2030/5', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2030-01-01',
      '2035-01-01',
      '2040-01-01',
    ]);
  });

  it('`*` as year is the same as no year field', () => {
    expect(fires('0 0 12 1 * ? *', '2026-01-01T00:00:00Z', 5)).toEqual(
      fires('0 0 12 1 * ?', '2026-01-01T00:00:00Z', 5),
    );
  });
});

describe('Quartz dialect: known fire times (UTC, checked by hand and against Quartz 2.3.2)', () => {
  it('`0 15 10 ? * 6L`: the last Friday of every month at 10:15', () => {
    expect(fires('0 15 10 ? * 6L', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-30T10:15:00.000Z',
      '2026-02-27T10:15:00.000Z',
      '2026-03-27T10:15:00.000Z',
    ]);
  });

  it('`0 0 12 1W * ?` when the 1st is a Saturday: Monday the 3rd at noon', () => {
    expect(fires('0 0 12 1W * ?', '2026-07-31T12:00:00Z', 1)).toEqual(['2026-08-03T12:00:00.000Z']);
  });

  it('`0 0 12 31W * ?` skips 30-day months', () => {
    expect(fires('0 0 12 31W * ?', '2026-03-31T12:00:00Z', 1)).toEqual(['2026-05-29T12:00:00.000Z']);
  });

  it('`0 0 12 L-3 * ?`: 2026-02-25 and 2024-02-26', () => {
    expect(fires('0 0 12 L-3 * ?', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-25T12:00:00.000Z']);
    expect(fires('0 0 12 L-3 * ?', '2024-02-01T00:00:00Z', 1)).toEqual(['2024-02-26T12:00:00.000Z']);
  });

  it('`0 0 0 29 2 ?` fires in leap years only (2100 is not one)', () => {
    expect(fires('0 0 0 29 2 ?', '2021-01-01T00:00:00Z', 3)).toEqual([
      '2024-02-29T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
    expect(fires('0 0 0 29 2 ?', '2096-03-01T00:00:00Z', 1)).toEqual(['2104-02-29T00:00:00.000Z']);
  });

  it('`0 0 12 ? * 2#1`: the first Monday', () => {
    expect(fires('0 0 12 ? * 2#1', '2026-02-02T12:00:00Z', 1)).toEqual(['2026-03-02T12:00:00.000Z']);
  });

  it('in a zone: `0 30 9 ? * MON-FRI` in Asia/Kolkata is 04:00 UTC on weekdays', () => {
    expect(fires('0 30 9 ? * MON-FRI', '2026-01-02T00:00:00Z', 2, 'Asia/Kolkata')).toEqual([
      '2026-01-02T04:00:00.000Z',
      '2026-01-05T04:00:00.000Z',
    ]);
  });
});

/**
 * Rejections: [expression, field, 0-based position]. ScheduleError reports the same position 1-based as
 * "at character N" with pointer /expression.
 */
const REJECTIONS: [string, string, string | null, number][] = [
  ['both day fields restricted', '0 0 12 * * *', 'day-of-week', 11],
  ['both day fields restricted (values)', '0 0 12 1 * MON', 'day-of-week', 11],
  ["'?' in both day fields", '0 0 12 ? * ?', 'day-of-week', 11],
  ["'?' in seconds", '? 0 12 * * ?', 'seconds', 0],
  ["'?' in minutes", '0 ? 12 * * ?', 'minutes', 2],
  ["'?' in hours", '0 0 ? * * ?', 'hours', 4],
  ["'?' in month", '0 0 12 * ? ?', 'month', 9],
  ["'?' in year", '0 0 12 * * ? ?', 'year', 13],
  ["'?' inside a day-of-month list", '0 0 12 1,? * ?', 'day-of-month', 9],
  ['seconds 60', '60 0 12 * * ?', 'seconds', 0],
  ['minutes 60', '0 60 12 * * ?', 'minutes', 2],
  ['hours 24', '0 0 24 * * ?', 'hours', 4],
  ['day-of-month 0', '0 0 12 0 * ?', 'day-of-month', 7],
  ['day-of-month 32', '0 0 12 32 * ?', 'day-of-month', 7],
  ['month 0', '0 0 12 ? 0 *', 'month', 9],
  ['month 13', '0 0 12 ? 13 *', 'month', 9],
  ['day-of-week 0 (Quartz counts 1-7)', '0 0 12 ? * 0', 'day-of-week', 11],
  ['day-of-week 8', '0 0 12 ? * 8', 'day-of-week', 11],
  ['a range end out of range', '0 0 12 ? * 1-8', 'day-of-week', 13],
  ['year 1969', '0 0 12 * * ? 1969', 'year', 13],
  ['year 2200', '0 0 12 * * ? 2200', 'year', 13],
  ['unknown name', '0 0 12 ? FOO *', 'month', 9],
  ['step 0', '0/0 0 12 * * ?', 'seconds', 2],
  ['step 60 in seconds', '0/60 0 12 * * ?', 'seconds', 2],
  ['step 24 in hours', '0 0 0/24 * * ?', 'hours', 6],
  ['step 32 in day-of-month', '0 0 12 */32 * ?', 'day-of-month', 9],
  ['step 13 in month', '0 0 12 ? */13 *', 'month', 11],
  ['step 8 in day-of-week', '0 0 12 ? * */8', 'day-of-week', 13],
  ["'/' without a step", '0 0/ 12 * * ?', 'minutes', 4],
  ['#6', '0 0 12 ? * 6#6', 'day-of-week', 13],
  ['#0', '0 0 12 ? * 6#0', 'day-of-week', 13],
  ['# with a weekday out of range', '0 0 12 ? * 8#1', 'day-of-week', 11],
  ["'L' inside a day-of-month list", '0 0 12 L,5 * ?', 'day-of-month', 7],
  ["'W' inside a day-of-month list", '0 0 12 5W,6 * ?', 'day-of-month', 7],
  ["'#' inside a day-of-week list", '0 0 12 ? * 6#3,5', 'day-of-week', 11],
  ["'L' inside a day-of-week list", '0 0 12 ? * 6L,2', 'day-of-week', 11],
  ['W on a day out of range', '0 0 12 32W * ?', 'day-of-month', 7],
  ['a step after a month name (Quartz ignores it)', '0 0 12 ? JAN-DEC/3 *', 'month', 17],
  ['a step after a day name (Quartz ignores it)', '0 0 12 ? * MON-FRI/2', 'day-of-week', 19],
  ['empty list element', '0,,5 0 12 * * ?', 'seconds', 2],
  ['empty list element in day-of-month', '0 0 12 1,,2 * ?', 'day-of-month', 9],
  ['leading comma', '0 ,5 12 * * ?', 'minutes', 2],
  ['5 fields', '0 0 12 * *', null, 10],
  ['8 fields', '0 0 12 * * ? 2026 5', null, 18],
];

describe('Quartz dialect: rejections name the field and the character', () => {
  it.each(REJECTIONS)('%s: %s', (_label, expression, field, position) => {
    const err = syntaxError(expression);
    expect(err.field).toBe(field);
    expect(err.position).toBe(position);
    if (field !== null) expect(err.message).toContain(field);
    const se = scheduleError(expression);
    expect(se.pointer).toBe('/expression');
    expect(se.message).toContain(`at character ${position + 1}`);
    expect(se.message).toContain(err.message);
  });

  it("the 'restrict both day fields' message says how to fix it", () => {
    expect(syntaxError('0 0 12 * * MON').message).toMatch(/'\?'/);
  });

  it("an 'L' after a value in a list points inside the day-of-month field", () => {
    const err = syntaxError('0 0 12 5,L * ?');
    expect(err.field).toBe('day-of-month');
    expect(err.position).toBeGreaterThanOrEqual(7);
    expect(err.position).toBeLessThanOrEqual(9);
  });

  it('an empty expression is refused', () => {
    expect(syntaxError('   ').message).toMatch(/empty/);
  });

  // Trailing junk is pointed at by its first bad character (Quartz reads '5abc' as 5).
  it("trailing junk '5abc' is reported at the first bad character", () => {
    const err = syntaxError('5abc 0 12 * * ?');
    expect(err.field).toBe('seconds');
    expect(err.position).toBe(1);
    expect(scheduleError('5abc 0 12 * * ?').message).toContain('at character 2');
  });

  it("trailing junk '5abc' is refused in the seconds field (Quartz itself silently reads it as 5)", () => {
    expect(syntaxError('5abc 0 12 * * ?').field).toBe('seconds');
    expect(syntaxError('0 0 12 15x * ?').field).toBe('day-of-month');
  });

  it('auto detection refuses 4 and 8 fields with the field count in the message', () => {
    for (const expression of ['0 12 * *', '0 0 12 * * ? 2026 5']) {
      expect(() => compileSchedule({ type: 'cron', expression }), expression).toThrow(/got (4|8)/);
    }
  });
});
