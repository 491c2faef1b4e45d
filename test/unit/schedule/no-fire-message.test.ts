/**
 * What a preview says of a schedule with no fire after `from`: cron's field wording only when no date
 * matches the fields; every other case says no fires are left after the instant, and why.
 */

import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../../src/domain/types.js';
import { noFireMessage } from '../../../src/schedule/lint.js';
import { previewSchedule } from '../../../src/schedule/preview.js';

const FROM = Date.parse('2026-01-01T00:00:00Z');
const AFTER = 'the schedule has no fires left after 2026-01-01T00:00:00.000Z';

function neverFires(spec: ScheduleSpec, from = FROM): string {
  const p = previewSchedule(spec, { from, count: 5 });
  expect(p.valid).toBe(true);
  expect(p.nextFireTimes).toEqual([]);
  const w = p.warnings.find((x) => x.code === 'NEVER_FIRES');
  expect(w, JSON.stringify(p.warnings)).toBeDefined();
  return w!.message;
}

describe('NEVER_FIRES in the words of the kind', () => {
  it('cron: the field wording when no date matches, "no fires left" when it ended or its dates are past', () => {
    expect(neverFires({ type: 'cron', expression: '0 0 30 2 *' })).toBe('the schedule never fires (no date matches every field)');
    expect(neverFires({ type: 'cron', expression: '0 0 12 1 1 ? 2020' })).toBe(`${AFTER}: no later date matches every field`);
    expect(neverFires({ type: 'cron', expression: '0 0 * * *', endAt: '2025-06-01T00:00:00Z' })).toBe(`${AFTER}: it ends at 2025-06-01T00:00:00.000Z`);
    expect(neverFires({ type: 'cron', expression: '0 0 1 6 *', endAt: '2026-03-01T00:00:00Z' })).toBe(`${AFTER}: it ends at 2026-03-01T00:00:00.000Z, before its next fire (2026-06-01T00:00:00.000Z)`);
  });

  it('interval with repeatCount whose fires are all behind (a completed job)', () => {
    const m = neverFires({ type: 'interval', every: 'PT1H', startAt: '2025-01-01T00:00:00Z', repeatCount: 3 });
    expect(m).toBe(`${AFTER}: all 4 of its fires (the first at 2025-01-01T00:00:00.000Z, then repeatCount 3 more every PT1H) are at or before it`);
    expect(m).not.toMatch(/field/);
    expect(neverFires({ type: 'interval', every: 'PT1H', startAt: '2025-01-01T00:00:00Z', repeatCount: 0 })).toBe(
      `${AFTER}: its one fire (repeatCount 0), at 2025-01-01T00:00:00.000Z, is at or before it`,
    );
  });

  it('once previewed from a later instant; recurrence with a count; daily and window that ended', () => {
    expect(neverFires({ type: 'once', at: '2030-06-01T12:00:00Z' }, Date.parse('2031-01-01T00:00:00Z'))).toBe(
      'the schedule has no fires left after 2031-01-01T00:00:00.000Z: its one fire, at 2030-06-01T12:00:00.000Z, is at or before it',
    );
    expect(neverFires({ type: 'recurrence', frequency: 'day', startAt: '2025-01-01T00:00:00Z', count: 3 })).toBe(`${AFTER}: all 3 of its fires (count 3) are at or before it`);
    expect(neverFires({ type: 'recurrence', frequency: 'day', startAt: '2025-01-01T00:00:00Z', endTime: '2025-02-01T00:00:00Z' })).toBe(`${AFTER}: it ends at 2025-02-01T00:00:00.000Z`);
    expect(neverFires({ type: 'daily', daysOfWeek: [1], times: ['09:00'], endAt: '2025-01-01T00:00:00Z' })).toBe(`${AFTER}: it ends at 2025-01-01T00:00:00.000Z`);
    expect(neverFires({ type: 'window', daysOfWeek: [1], every: 'PT1H', from: '09:00', to: '17:00', endAt: '2025-01-01T00:00:00Z' })).toBe(`${AFTER}: it ends at 2025-01-01T00:00:00.000Z`);
  });

  it('for a job being saved, relative to now and saying "in the past"', () => {
    expect(noFireMessage({ type: 'once', at: '2020-01-01T00:00:00Z' }, FROM, { now: true })).toBe('the schedule has no fires left after now: its one fire, at 2020-01-01T00:00:00.000Z, is in the past');
    expect(noFireMessage({ type: 'cron', expression: '0 0 30 2 *' }, FROM, { now: true })).toBe('the schedule never fires (no date matches every field)');
  });
});
