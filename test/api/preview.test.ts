/** POST /api/v1/preview: validity, dialect, description, next fire times (local, offset, DST), warnings, errors. */

import { describe, expect, it } from 'vitest';
import { client, expectInvalid, snapshot, useSked } from './support.js';

const sked = useSked();
const api = client(sked);

async function preview(schedule: unknown, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await api.post('/api/v1/preview', { schedule, ...extra });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const at = (p: { nextFireTimes: { at: string }[] }) => p.nextFireTimes.map((f) => f.at);
const codes = (p: { warnings: { code: string }[] }) => p.warnings.map((w) => w.code);
const FROM = '2026-01-01T00:00:00Z';

describe('cron', () => {
  it('a 5-field expression is Unix cron: dialect, description, fires with local time and offset', async () => {
    const p = await preview({ type: 'cron', expression: '0 9 * * *' }, { from: FROM, count: 3 });
    expect(p).toMatchObject({
      valid: true,
      type: 'cron',
      dialect: 'unix',
      timeZone: 'UTC',
      errors: [],
      warnings: [],
    });
    expect(p.description).toMatch(/09:00/);
    expect(p.nextFireTimes).toEqual([
      { at: '2026-01-01T09:00:00.000Z', local: '2026-01-01T09:00:00+00:00', offset: '+00:00', dst: null },
      { at: '2026-01-02T09:00:00.000Z', local: '2026-01-02T09:00:00+00:00', offset: '+00:00', dst: null },
      { at: '2026-01-03T09:00:00.000Z', local: '2026-01-03T09:00:00+00:00', offset: '+00:00', dst: null },
    ]);
  });

  it('a 6-field expression is Quartz cron (seconds first)', async () => {
    const p = await preview({ type: 'cron', expression: '0 0 12 ? * MON-FRI' }, { from: FROM, count: 3 });
    expect(p).toMatchObject({ valid: true, dialect: 'quartz' });
    // 1 January 2026 is a Thursday.
    expect(at(p)).toEqual([
      '2026-01-01T12:00:00.000Z',
      '2026-01-02T12:00:00.000Z',
      '2026-01-05T12:00:00.000Z',
    ]);
  });

  it('a 7-field Quartz expression with a year fires only in that year', async () => {
    const p = await preview({ type: 'cron', expression: '0 0 0 1 1 ? 2030' }, { from: FROM, count: 3 });
    expect(p.dialect).toBe('quartz');
    expect(at(p)).toEqual(['2030-01-01T00:00:00.000Z']);
  });

  it('honours an explicit dialect and reports it', async () => {
    expect(
      (await preview({ type: 'cron', expression: '0 12 * * 1', dialect: 'unix' }, { from: FROM })).dialect,
    ).toBe('unix');
    const q = await preview(
      { type: 'cron', expression: '0 0 12 ? * 2', dialect: 'quartz' },
      { from: FROM, count: 1 },
    );
    expect(q.dialect).toBe('quartz');
    // Quartz day-of-week 2 is Monday: 5 January 2026.
    expect(at(q)).toEqual(['2026-01-05T12:00:00.000Z']);
  });

  it('lists 10 fires by default and `count` of them when asked, up to 1000', async () => {
    expect(
      (await preview({ type: 'cron', expression: '* * * * *' }, { from: FROM })).nextFireTimes,
    ).toHaveLength(10);
    const many = await preview({ type: 'cron', expression: '* * * * * ?' }, { from: FROM, count: 1000 });
    expect(many.nextFireTimes).toHaveLength(1000);
    expect(many.nextFireTimes[999].at).toBe('2026-01-01T00:16:40.000Z');
  });

  it('starts after now when no `from` is given', async () => {
    const before = Date.now();
    const p = await preview({ type: 'cron', expression: '* * * * * ?' }, { count: 2 });
    expect(Date.parse(p.nextFireTimes[0].at)).toBeGreaterThan(before - 1000);
    expect(Date.parse(p.nextFireTimes[0].at)).toBeLessThan(Date.now() + 2000);
  });
});

describe('time zones and daylight saving (America/New_York)', () => {
  it('2026-03-08: 02:30 does not exist; "compatible" fires shifted forward by the gap, flagged', async () => {
    const p = await preview(
      { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'America/New_York' },
      { from: '2026-03-06T00:00:00Z', count: 4 },
    );
    expect(p).toMatchObject({ valid: true, timeZone: 'America/New_York' });
    expect(p.nextFireTimes.map((f: Record<string, unknown>) => [f.at, f.local, f.offset, f.dst])).toEqual([
      ['2026-03-06T07:30:00.000Z', '2026-03-06T02:30:00-05:00', '-05:00', null],
      ['2026-03-07T07:30:00.000Z', '2026-03-07T02:30:00-05:00', '-05:00', null],
      ['2026-03-08T07:30:00.000Z', '2026-03-08T03:30:00-04:00', '-04:00', 'shifted'],
      ['2026-03-09T06:30:00.000Z', '2026-03-09T02:30:00-04:00', '-04:00', null],
    ]);
    expect(p.nextFireTimes[2].note).toMatch(/gap/);
    expect(codes(p)).toContain('DST_AFFECTED');
  });

  it('2026-03-08 with dst "quartz": the missing 02:30 does not fire at all', async () => {
    const p = await preview(
      { type: 'cron', expression: '0 30 2 * * ?', timeZone: 'America/New_York', dst: 'quartz' },
      { from: '2026-03-07T00:00:00Z', count: 2 },
    );
    expect(at(p)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
  });

  it('2026-11-01: 01:30 happens twice; "compatible" fires once, at the first, flagged repeated', async () => {
    const p = await preview(
      { type: 'cron', expression: '30 1 * * *', timeZone: 'America/New_York' },
      { from: '2026-10-31T12:00:00Z', count: 2 },
    );
    expect(p.nextFireTimes.map((f: Record<string, unknown>) => [f.at, f.local, f.offset, f.dst])).toEqual([
      ['2026-11-01T05:30:00.000Z', '2026-11-01T01:30:00-04:00', '-04:00', 'repeated'],
      ['2026-11-02T06:30:00.000Z', '2026-11-02T01:30:00-05:00', '-05:00', null],
    ]);
    expect(p.nextFireTimes[0].note).toMatch(/first/);
    expect(codes(p)).toContain('DST_AFFECTED');
  });

  it('2026-11-01 with dst "quartz": the repeated 01:30 fires at its second occurrence', async () => {
    const p = await preview(
      { type: 'cron', expression: '0 30 1 * * ?', timeZone: 'America/New_York', dst: 'quartz' },
      { from: '2026-10-31T12:00:00Z', count: 2 },
    );
    expect(at(p)).toEqual(['2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    expect(p.nextFireTimes[0].note).toMatch(/second/);
  });

  it('an hourly job fires in both 01:00 hours of 2026-11-01 (elapsed hours are not lost)', async () => {
    const p = await preview(
      { type: 'cron', expression: '0 * * * *', timeZone: 'America/New_York' },
      { from: '2026-11-01T04:30:00Z', count: 3 },
    );
    expect(p.nextFireTimes.map((f: Record<string, unknown>) => [f.local, f.dst])).toEqual([
      ['2026-11-01T01:00:00-04:00', 'repeated'],
      ['2026-11-01T01:00:00-05:00', 'repeated'],
      ['2026-11-01T02:00:00-05:00', null],
    ]);
  });
});

describe('warnings', () => {
  it('DAY_FIELDS_OR for "0 3 1-7 * 1", with the Quartz "first Monday" hint', async () => {
    const p = await preview({ type: 'cron', expression: '0 3 1-7 * 1' }, { from: FROM, count: 3 });
    expect(p.valid).toBe(true);
    const w = p.warnings.find((x: { code: string }) => x.code === 'DAY_FIELDS_OR');
    expect(w.message).toMatch(/EITHER/);
    expect(w.message).toContain('MON#1');
    // Unix semantics: 1 January 2026 (a Thursday, day 1) fires.
    expect(at(p)[0]).toBe('2026-01-01T03:00:00.000Z');
  });

  it('EVERY_MINUTE_IN_HOUR, SHORT_MONTHS_SKIPPED, DAY_OF_WEEK_NUMBERING, FIRES_RARELY', async () => {
    expect(codes(await preview({ type: 'cron', expression: '* 3 * * *' }, { from: FROM }))).toContain(
      'EVERY_MINUTE_IN_HOUR',
    );
    expect(codes(await preview({ type: 'cron', expression: '0 0 31 * *' }, { from: FROM }))).toContain(
      'SHORT_MONTHS_SKIPPED',
    );
    expect(codes(await preview({ type: 'cron', expression: '0 0 * * 1' }, { from: FROM }))).toContain(
      'DAY_OF_WEEK_NUMBERING',
    );
    expect(codes(await preview({ type: 'cron', expression: '0 0 29 2 *' }, { from: FROM }))).toContain(
      'FIRES_RARELY',
    );
  });

  it('NEVER_FIRES for an expression no date matches (30 February), with no fire times', async () => {
    const p = await preview({ type: 'cron', expression: '0 0 30 2 *' }, { from: FROM });
    expect(codes(p)).toContain('NEVER_FIRES');
    expect(p.nextFireTimes).toEqual([]);
  });
});

describe('errors', () => {
  it('a bad expression: valid false, the field and the character named', async () => {
    const p = await preview({ type: 'cron', expression: '0 25 * * *' });
    expect(p).toMatchObject({
      valid: false,
      dialect: null,
      description: null,
      nextFireTimes: [],
      warnings: [],
    });
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({ field: 'hours', position: 2 });
    expect(p.errors[0].pointer).toMatch(/\/expression$/);
    expect(p.errors[0].message).toMatch(/25.*character 3/);
  });

  it('names the field for other syntax errors', async () => {
    const dow = await preview({ type: 'cron', expression: '0 0 12 ? * FOO' });
    expect(dow.errors[0]).toMatchObject({ field: 'day-of-week', position: 11 });
    expect(dow.errors[0].message).toContain('FOO');
    const fields = await preview({ type: 'cron', expression: '* * *' });
    expect(fields.valid).toBe(false);
    expect(fields.errors[0].message).toMatch(/fields/);
  });

  it('an unknown time zone, an unknown type, and bad fields of the other kinds', async () => {
    const cases: [unknown, string][] = [
      [{ type: 'cron', expression: '* * * * *', timeZone: 'Mars/Olympus' }, '/timeZone'],
      [{ type: 'weekly' }, '/type'],
      [{ type: 'cron', expression: 5 }, '/expression'],
      [{ type: 'cron', expression: '* * * * *', dst: 'x' }, '/dst'],
      [{ type: 'interval', every: '5m' }, '/every'],
      [{ type: 'once', at: 'soon' }, '/at'],
      [{ type: 'daily', times: ['25:00'] }, '/times/0'],
      [{ type: 'daily', times: ['09:00'], daysOfWeek: 'x' }, '/daysOfWeek'],
      [{ type: 'window', every: 'PT1H', from: '10:00', to: '09:00' }, '/to'],
      [{ type: 'recurrence', frequency: 'day' }, '/startAt'],
      [
        { type: 'recurrence', frequency: 'day', startAt: FROM, schedule: { hours: [99] } },
        '/schedule/hours/0',
      ],
    ];
    for (const [schedule, pointer] of cases) {
      const p = await preview(schedule);
      expect(p.valid, JSON.stringify(schedule)).toBe(false);
      expect(p.errors[0].pointer, JSON.stringify(schedule)).toMatch(
        new RegExp(`${pointer.replace(/\//g, '\\/')}$`),
      );
      expect(p.nextFireTimes).toEqual([]);
    }
    const notObject = await preview('0 0 * * *');
    expect(notObject.valid).toBe(false);
  });

  it('refuses a malformed body with a 400 naming the field', async () => {
    expectInvalid(await api.post('/api/v1/preview', {}), '/schedule');
    expectInvalid(await api.post('/api/v1/preview', { schedule: { type: 'manual' }, count: 0 }), '/count');
    expectInvalid(await api.post('/api/v1/preview', { schedule: { type: 'manual' }, count: 1001 }), '/count');
    expectInvalid(await api.post('/api/v1/preview', { schedule: { type: 'manual' }, count: '3' }), '/count');
    expectInvalid(await api.post('/api/v1/preview', { schedule: { type: 'manual' }, from: 'now' }), '/from');
    expectInvalid(await api.post('/api/v1/preview', { schedule: { type: 'manual' }, tz: 'UTC' }), '/tz');
  });

  it('reports unknown schedule fields, as creating a job with the schedule would', async () => {
    // BUG: the preview validates the schedule itself and ignores unknown fields, so a typo such as
    // `timezone` (for `timeZone`) previews as valid (in UTC), while POST /api/v1/jobs with the same
    // schedule answers 400 /schedule/timezone. Expected: valid false and an error naming /timezone.
    const p = await preview({ type: 'cron', expression: '0 9 * * *', timezone: 'Europe/London' });
    expect(p.valid).toBe(false);
    expect(p.errors[0].pointer).toMatch(/\/timezone$/);
  });
});

describe('other schedule kinds', () => {
  it('interval, daily, window, recurrence, once and manual', async () => {
    const interval = await preview({ type: 'interval', every: 'PT15M' }, { from: FROM, count: 2 });
    expect(interval).toMatchObject({ valid: true, type: 'interval', dialect: null });
    expect(interval.description).toMatch(/15 minutes/);
    expect(at(interval)).toEqual(['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z']);

    const daily = await preview(
      { type: 'daily', times: ['09:00'], daysOfWeek: [1], timeZone: 'Europe/Paris' },
      { from: FROM, count: 2 },
    );
    expect(daily).toMatchObject({ valid: true, type: 'daily', timeZone: 'Europe/Paris' });
    expect(daily.nextFireTimes.map((f: { local: string }) => f.local)).toEqual([
      '2026-01-05T09:00:00+01:00',
      '2026-01-12T09:00:00+01:00',
    ]);

    const windowed = await preview(
      { type: 'window', every: 'PT30M', from: '09:00', to: '10:00' },
      { from: FROM, count: 3 },
    );
    expect(at(windowed)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T09:30:00.000Z',
      '2026-01-02T09:00:00.000Z',
    ]);

    const recurrence = await preview(
      {
        type: 'recurrence',
        frequency: 'week',
        startAt: FROM,
        schedule: { weekDays: ['monday'], hours: [9], minutes: [0] },
        timeZone: 'Europe/Berlin',
      },
      { from: FROM, count: 2 },
    );
    expect(at(recurrence)).toEqual(['2026-01-05T08:00:00.000Z', '2026-01-12T08:00:00.000Z']);

    const once = await preview({ type: 'once', at: '2030-06-01T12:00:00Z' }, { from: FROM, count: 5 });
    expect(at(once)).toEqual(['2030-06-01T12:00:00.000Z']);
    const past = await preview({ type: 'once', at: '2020-06-01T12:00:00Z' }, { from: FROM });
    expect(past.valid).toBe(true);
    expect(codes(past)).toContain('NEVER_FIRES');

    const manual = await preview({ type: 'manual' }, { from: FROM });
    expect(manual).toMatchObject({ valid: true, type: 'manual', nextFireTimes: [], warnings: [] });
    expect(manual.description).toEqual(expect.any(String));
  });

  it('writes nothing', async () => {
    const before = await snapshot(api);
    await preview({ type: 'cron', expression: '*/5 * * * *' });
    expect(await snapshot(api)).toEqual(before);
  });
});
