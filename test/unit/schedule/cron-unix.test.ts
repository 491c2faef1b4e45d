/**
 * The Unix dialect (Vixie cron / cronie, crontab(5)): `min hour day-of-month month day-of-week`, the
 * optional seconds-first 6-field form, macros, cronie's day-of-month / day-of-week rule, and `auto`
 * dialect detection. Grouped by section of crontab(5).
 */

import { describe, expect, it } from 'vitest';
import {
  compileSchedule,
  CronSyntaxError,
  detectDialect,
  nextFireTimes,
  parseCron,
  ScheduleError,
} from '../../../src/schedule/index.js';

const iso = (d: Date): string => d.toISOString();

function fires(expression: string, from: string, count = 5, timeZone = 'UTC'): string[] {
  return nextFireTimes(
    { type: 'cron', expression, dialect: 'unix', timeZone },
    { from: new Date(from), count },
  ).map(iso);
}

const days = (expression: string, from: string, count = 5): string[] =>
  fires(expression, from, count).map((t) => t.slice(0, 10));

function syntaxError(expression: string): CronSyntaxError {
  try {
    parseCron(expression, 'unix');
  } catch (err) {
    if (err instanceof CronSyntaxError) return err;
    throw err;
  }
  throw new Error(`'${expression}' was accepted`);
}

function scheduleError(expression: string): ScheduleError {
  try {
    compileSchedule({ type: 'cron', expression, dialect: 'unix' });
  } catch (err) {
    if (err instanceof ScheduleError) return err;
    throw err;
  }
  throw new Error(`'${expression}' was accepted`);
}

describe('Unix dialect: five fields', () => {
  it('`30 6 * * *` fires daily at 06:30, second 0', () => {
    expect(fires('30 6 * * *', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-01T06:30:00.000Z',
      '2026-01-02T06:30:00.000Z',
    ]);
  });

  it('`* * * * *` fires every minute on the minute', () => {
    expect(fires('* * * * *', '2026-01-01T00:00:30Z', 2)).toEqual([
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:02:00.000Z',
    ]);
  });

  it('lists and ranges: `0 9-11,18 * * *`', () => {
    expect(fires('0 9-11,18 * * *', '2026-01-01T00:00:00Z', 5).map((t) => t.slice(11, 13))).toEqual([
      '09',
      '10',
      '11',
      '18',
      '09',
    ]);
  });

  it('`*/n`: `*/20 * * * *` = minutes 0, 20, 40', () => {
    expect(fires('*/20 * * * *', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(11, 16))).toEqual([
      '00:20',
      '00:40',
      '01:00',
      '01:20',
    ]);
  });

  it('`a-b/n`: `10-40/15 * * * *` = minutes 10, 25, 40', () => {
    expect(fires('10-40/15 * * * *', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(11, 16))).toEqual([
      '00:10',
      '00:25',
      '00:40',
      '01:10',
    ]);
  });

  it('`a/n` runs from a to the end of the field (extension shared with croner and cron-parser): `10/20` = 10, 30, 50', () => {
    expect(fires('10/20 * * * *', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(11, 16))).toEqual([
      '00:10',
      '00:30',
      '00:50',
      '01:10',
    ]);
  });

  it('`*/23` in hours means hours 0 and 23 of each day (steps stay within the field)', () => {
    expect(fires('0 */23 * * *', '2026-01-01T00:30:00Z', 3).map((t) => t.slice(8, 13))).toEqual([
      '01T23',
      '02T00',
      '02T23',
    ]);
  });

  it('month and day names, any case: `0 0 1 jan,Jul *`, `0 0 * * mon-WED`', () => {
    expect(days('0 0 1 jan,Jul *', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-07-01',
      '2027-01-01',
      '2027-07-01',
    ]);
    expect(days('0 0 * * mon-WED', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
      '2026-01-12',
    ]);
  });
});

describe('Unix dialect: day-of-week 0-7, Sunday twice', () => {
  const SUNDAYS = ['2026-01-04', '2026-01-11'];

  it('0 and 7 are both Sunday, and so is SUN', () => {
    expect(days('0 0 * * 0', '2026-01-01T00:00:00Z', 2)).toEqual(SUNDAYS);
    expect(days('0 0 * * 7', '2026-01-01T00:00:00Z', 2)).toEqual(SUNDAYS);
    expect(days('0 0 * * SUN', '2026-01-01T00:00:00Z', 2)).toEqual(SUNDAYS);
  });

  it('`5-7` is Friday, Saturday and Sunday; `0-7` every day; `7,1` Sunday and Monday', () => {
    expect(days('0 0 * * 5-7', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-09',
    ]);
    expect(days('0 0 * * 0-7', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
    ]);
    expect(days('0 0 * * 7,1', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-04',
      '2026-01-05',
      '2026-01-11',
    ]);
  });

  it('`*/2` covers 0-7: Sunday, Tuesday, Thursday, Saturday; `*/7` is Sunday', () => {
    expect(days('0 0 * * */2', '2025-12-31T12:00:00Z', 4)).toEqual([
      '2026-01-01',
      '2026-01-03',
      '2026-01-04',
      '2026-01-06',
    ]);
    expect(days('0 0 * * */7', '2026-01-01T00:00:00Z', 2)).toEqual(SUNDAYS);
  });

  it('day-of-week 8 is refused', () => {
    const err = syntaxError('0 0 * * 8');
    expect([err.field, err.position]).toEqual(['day-of-week', 8]);
  });
});

describe("Unix dialect: cronie's day-of-month / day-of-week rule", () => {
  it('both fields restricted: a day matching EITHER fires (`0 3 1-7 * 1` = days 1-7 or Mondays)', () => {
    expect(days('0 3 1-7 * 1', '2026-01-01T00:00:00Z', 12)).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
      '2026-01-12',
      '2026-01-19',
      '2026-01-26',
      '2026-02-01',
      '2026-02-02',
    ]);
  });

  it('`0 0 13 * FRI` fires on every 13th and every Friday (not only Friday the 13th)', () => {
    expect(days('0 0 13 * FRI', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-02',
      '2026-01-09',
      '2026-01-13',
      '2026-01-16',
    ]);
  });

  it('a field starting with `*` is unrestricted, so both must match: `0 0 */2 * 1` = odd days that are Mondays', () => {
    expect(days('0 0 */2 * 1', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-05',
      '2026-01-19',
      '2026-02-09',
      '2026-02-23',
    ]);
  });

  it('the same days written without a leading `*` are restricted: `0 0 1-31/2 * 1` = odd days or Mondays', () => {
    expect(days('0 0 1-31/2 * 1', '2026-01-02T00:00:00Z', 4)).toEqual([
      '2026-01-03',
      '2026-01-05',
      '2026-01-07',
      '2026-01-09',
    ]);
    expect(days('0 0 1-31/2 * 1', '2026-01-10T00:00:00Z', 3)).toEqual([
      '2026-01-11',
      '2026-01-12',
      '2026-01-13',
    ]);
  });

  it('`*/2` in day-of-week with a restricted day-of-month: the 1st when it falls on Sun/Tue/Thu/Sat', () => {
    // 2026-02-01 Sun, 03-01 Sun, 04-01 Wed (no), 05-01 Fri (no), 06-01 Mon (no), 07-01 Wed (no), 08-01 Sat.
    expect(days('0 0 1 * */2', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-02-01',
      '2026-03-01',
      '2026-08-01',
    ]);
  });

  it('`*` in one field: only the other applies (`0 0 * * 1` Mondays, `0 0 15 * *` the 15th)', () => {
    expect(days('0 0 * * 1', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-05', '2026-01-12']);
    expect(days('0 0 15 * *', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-15', '2026-02-15']);
  });

  it('`?` is read as `*` (also for the day rule: `0 0 ? * 1` is Mondays only)', () => {
    expect(days('0 0 ? * ?', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-02', '2026-01-03']);
    expect(days('0 0 ? * 1', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-05', '2026-01-12']);
    expect(fires('? 0 * * *', '2026-01-01T00:00:00Z', 2)).toEqual(
      fires('* 0 * * *', '2026-01-01T00:00:00Z', 2),
    );
  });
});

describe('Unix dialect: six fields, seconds first', () => {
  it('`30 */7 * * * *` fires at second 30 of every 7th minute', () => {
    expect(fires('30 */7 * * * *', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:07:30.000Z',
      '2026-01-01T00:14:30.000Z',
    ]);
  });

  it('`*/15 * * * * *` fires every 15 seconds', () => {
    expect(fires('*/15 * * * * *', '2026-01-01T00:00:00Z', 3).map((t) => t.slice(14, 19))).toEqual([
      '00:15',
      '00:30',
      '00:45',
    ]);
  });

  it('seconds out of range are refused in the seconds field', () => {
    const err = syntaxError('60 * * * * *');
    expect([err.field, err.position]).toEqual(['seconds', 0]);
  });
});

describe('Unix dialect: macros', () => {
  const FROM = '2026-01-01T00:00:00Z';
  const EXPANSIONS: [string, string][] = [
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['@monthly', '0 0 1 * *'],
    ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@hourly', '0 * * * *'],
  ];

  it.each(EXPANSIONS)('%s = %s', (macro, expansion) => {
    expect(fires(macro, FROM, 4)).toEqual(fires(expansion, FROM, 4));
    expect(fires(macro.toUpperCase(), FROM, 4)).toEqual(fires(expansion, FROM, 4));
    expect(compileSchedule({ type: 'cron', expression: macro }).dialect).toBe('unix');
  });

  it('spot values: @yearly 2027-01-01, @weekly Sunday 2026-01-04, @hourly 01:00', () => {
    expect(fires('@yearly', FROM, 1)).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(fires('@weekly', FROM, 1)).toEqual(['2026-01-04T00:00:00.000Z']);
    expect(fires('@hourly', FROM, 1)).toEqual(['2026-01-01T01:00:00.000Z']);
  });

  it('@reboot is refused with a message pointing to manual schedules', () => {
    const err = scheduleError('@reboot');
    expect(err.pointer).toBe('/expression');
    expect(err.message).toMatch(/@reboot/);
    expect(err.message).toMatch(/manual/);
  });

  it('an unknown macro is refused, listing the known ones', () => {
    expect(scheduleError('@every').message).toMatch(/@yearly.*@hourly/);
  });
});

describe('Unix dialect: rejections', () => {
  const REJECTIONS: [string, string, string | null, number][] = [
    ['reversed day-of-month range', '0 0 5-1 * *', 'day-of-month', 4],
    ['reversed hour range', '0 23-1 * * *', 'hours', 2],
    ['reversed day-of-week range', '0 0 * * 7-5', 'day-of-week', 8],
    ['reversed named month range', '0 0 1 DEC-JAN *', 'month', 6],
    ['minute 60', '60 * * * *', 'minutes', 0],
    ['hour 24', '0 24 * * *', 'hours', 2],
    ['day-of-month 0', '0 0 0 * *', 'day-of-month', 4],
    ['month 13', '0 0 1 13 *', 'month', 6],
    ['step 0', '*/0 * * * *', 'minutes', 2],
    ['unknown name', '0 0 * * FUN', 'day-of-week', 8],
    ['4 fields', '0 0 * *', null, 7],
    ['7 fields', '0 0 0 * * * 2026', null, 12],
  ];

  it.each(REJECTIONS)('%s: %s', (_label, expression, field, position) => {
    const err = syntaxError(expression);
    expect(err.field).toBe(field);
    expect(err.position).toBe(position);
    const se = scheduleError(expression);
    expect(se.pointer).toBe('/expression');
    expect(se.message).toContain(`at character ${position + 1}`);
  });

  it('a reversed range says it runs backwards', () => {
    expect(syntaxError('0 0 5-1 * *').message).toMatch(/backwards/);
  });
});

describe('auto dialect detection', () => {
  const CASES: [string, string, 'unix' | 'quartz'][] = [
    ['5 fields', '0 12 * * *', 'unix'],
    ['a macro', '@daily', 'unix'],
    ['7 fields', '0 0 12 * * ? 2026', 'quartz'],
    ['7 fields, year *', '0 0 12 ? * MON *', 'quartz'],
    ['6 fields, ? in day-of-month', '0 0 12 ? * MON', 'quartz'],
    ['6 fields, ? in day-of-week', '0 0 12 1 * ?', 'quartz'],
    ['6 fields without ?', '0 0 12 * * *', 'unix'],
    ['6 fields without ?, named day', '0 0 12 * * MON', 'unix'],
  ];

  it.each(CASES)('%s: %s is %s', (_label, expression, dialect) => {
    expect(detectDialect(expression)).toBe(dialect);
    expect(parseCron(expression).dialect).toBe(dialect);
    const compiled = compileSchedule({ type: 'cron', expression });
    expect(compiled.dialect).toBe(dialect);
    // auto is the default and means the same as naming the dialect.
    expect(compileSchedule({ type: 'cron', expression, dialect: 'auto' }).dialect).toBe(dialect);
    expect(nextFireTimes(compiled, { from: Date.UTC(2026, 0, 1), count: 3 })).toEqual(
      nextFireTimes({ type: 'cron', expression, dialect }, { from: Date.UTC(2026, 0, 1), count: 3 }),
    );
  });

  it('the two readings of a 6-field expression differ in day-of-week numbering: 7 is Sunday in unix, Saturday in quartz', () => {
    // Auto reads '0 0 12 * * 7' as unix (no '?'): Sunday.
    expect(
      nextFireTimes(
        { type: 'cron', expression: '0 0 12 * * 7' },
        { from: Date.UTC(2026, 0, 1), count: 1 },
      )[0]?.getUTCDay(),
    ).toBe(0);
    expect(
      nextFireTimes(
        { type: 'cron', expression: '0 0 12 ? * 7', dialect: 'quartz' },
        { from: Date.UTC(2026, 0, 1), count: 1 },
      )[0]?.getUTCDay(),
    ).toBe(6);
  });

  it('a 6-field expression without ? is unix with seconds: `0 0 12 * * *` is daily at 12:00 (Quartz would refuse it)', () => {
    expect(
      nextFireTimes(
        { type: 'cron', expression: '0 0 12 * * *' },
        { from: Date.UTC(2026, 0, 1), count: 2 },
      ).map(iso),
    ).toEqual(['2026-01-01T12:00:00.000Z', '2026-01-02T12:00:00.000Z']);
  });

  it("7 fields are always Quartz, so restricting both day fields gets Quartz's message", () => {
    expect(detectDialect('0 0 12 1 * MON *')).toBe('quartz');
    expect(() => compileSchedule({ type: 'cron', expression: '0 0 12 1 * MON *' })).toThrow(/'\?'/);
  });

  it('naming the dialect overrides detection: 5 fields as quartz is refused', () => {
    expect(() => compileSchedule({ type: 'cron', expression: '0 12 * * *', dialect: 'quartz' })).toThrow(
      ScheduleError,
    );
  });

  it('other kinds report no dialect', () => {
    expect(compileSchedule({ type: 'manual' }).dialect).toBeNull();
  });
});
