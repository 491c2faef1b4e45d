/**
 * IDM jobs fire at Quartz's instants. Rows of the Quartz differential corpus (test/fixtures, answers from
 * Quartz 2.3.2 itself) whose start lies in the future become IDM cron jobs with that start as startTime
 * and the row's zone as timeZone; the job's nextRunDate, its native next fire and its planned fires
 * must be exactly Quartz's answers, DST changes included.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { client, useSked } from '../../api/support.js';
import { idmClient, scriptSchedule } from './support.js';

interface Row {
  line: number;
  expression: string;
  zone: string;
  start: number;
  answers: string[];
  /** The answers cross a change of the zone's UTC offset (a DST change). */
  dst: boolean;
}

function offsetAt(zone: string, iso: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(iso));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** Rows with a start at least a day ahead and at least one answer. */
function futureRows(): Row[] {
  const text = readFileSync(new URL('../../fixtures/quartz-corpus.tsv', import.meta.url), 'utf8');
  const rows: Row[] = [];
  const horizon = Date.now() + 86_400_000;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('#')) return;
    const [expression, zone, start, , answer] = line.split('\t');
    if (!expression || !zone || !start || !answer) return;
    const t = Date.parse(start);
    if (t <= horizon) return;
    const answers = answer.split(' ').map((a) => new Date(a).toISOString());
    const dst = new Set(answers.map((a) => offsetAt(zone, a))).size > 1;
    rows.push({ line: i + 1, expression, zone, start: t, answers, dst });
  });
  return rows;
}

/** A deterministic sample: evenly spread rows, and as many rows whose fires cross a DST change. */
function sample(rows: Row[], count: number, dstCount: number): Row[] {
  const pick = <T>(list: T[], n: number): T[] =>
    list.length <= n
      ? list
      : Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)] as T);
  return [
    ...pick(
      rows.filter((r) => !r.dst),
      count,
    ),
    ...pick(
      rows.filter((r) => r.dst),
      dstCount,
    ),
  ];
}

const sked = useSked();
const idm = idmClient(sked);
const api = client(sked);

describe('IDM cron jobs fire at the instants Quartz computes', () => {
  const rows = sample(futureRows(), 50, 50);

  it('has corpus rows to check (with DST changes among them)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => r.dst).length).toBeGreaterThanOrEqual(10);
  });

  it('nextRunDate, the native next fire and the planned fires equal Quartz answers', async () => {
    for (const [i, row] of rows.entries()) {
      const where = `corpus line ${row.line}: ${row.expression} in ${row.zone} after ${new Date(row.start).toISOString()}`;
      // Quartz's answers are strictly after `start`; a trigger starting at the next whole second fires
      // at exactly those instants (a start time itself is a valid first fire for Quartz and for sked).
      const startTime = new Date(Math.floor(row.start / 1000) * 1000 + 1000)
        .toISOString()
        .replace(/\.000Z$/, '+00:00');
      const res = await idm.put(
        `/openidm/scheduler/job/q${i}`,
        scriptSchedule({ schedule: row.expression, timeZone: row.zone, startTime }),
      );
      expect(res.statusCode, `${where}: ${res.body}`).toBe(201);
      expect(res.json().nextRunDate, where).toBe(row.answers[0]);
      const native = (await api.get(`/api/v1/jobs/q${i}`)).json();
      expect(native.status.nextFireTime, where).toBe(row.answers[0]);
      expect(native.schedule, where).toMatchObject({
        type: 'cron',
        dialect: 'quartz',
        dst: 'quartz',
        timeZone: row.zone,
      });
      const planned = (await api.get(`/api/v1/jobs/q${i}/fires`))
        .json()
        .next.map((f: { scheduledFor: string }) => f.scheduledFor);
      expect(planned.slice(0, row.answers.length), where).toEqual(row.answers.slice(0, planned.length));
      expect(planned.length, where).toBeGreaterThanOrEqual(Math.min(row.answers.length, 10));
    }
  });
});
