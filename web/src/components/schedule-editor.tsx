/**
 * The schedule editor: a form for every schedule kind (cron, interval, once, daily, window,
 * recurrence, manual) and a live preview from `POST /api/v1/preview` (debounced): validity, the
 * description, errors with their field, warnings, and the next fire times with DST flags.
 */

import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { viewerZone } from '../format';
import type { Schedule } from '../types';
import { KindFields } from './schedule-kind-fields';
import { errorAt, InstantField, type Errors } from './schedule-inputs';
import { PreviewView, usePreview } from './schedule-preview';
import { Field } from './ui';

export const SCHEDULE_KINDS: { type: string; label: string; hint: string }[] = [
  {
    type: 'cron',
    label: 'Cron',
    hint: 'a cron expression, Unix (5 fields) or Quartz (6–7 fields with seconds)',
  },
  { type: 'interval', label: 'Interval', hint: 'every fixed duration' },
  { type: 'once', label: 'Once', hint: 'one instant' },
  { type: 'daily', label: 'Daily', hint: 'times of day on chosen weekdays' },
  { type: 'window', label: 'Window', hint: 'every N minutes between two times of day' },
  { type: 'recurrence', label: 'Recurrence', hint: 'Azure-style: every N minutes/hours/days/weeks/months' },
  { type: 'manual', label: 'Manual', hint: 'only when triggered' },
];

function nextHourIso(): string {
  const d = new Date(Date.now() + 3_600_000);
  d.setMinutes(0, 0, 0);
  return d.toISOString();
}

function nowMinuteIso(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return d.toISOString();
}

/** A sensible schedule of `type`, keeping the zone and the bounds of `from`. */
export function defaultSchedule(type: string, from?: Schedule): Schedule {
  const keep: Record<string, unknown> = {};
  // A recurrence's startAt is its own anchor (set by default), not a bound the viewer chose: it stays behind.
  const bounds = from?.type === 'recurrence' ? ['endAt', 'dst'] : ['startAt', 'endAt', 'dst'];
  for (const k of bounds) if (from?.[k] !== undefined) keep[k] = from[k];
  const timeZone = typeof from?.['timeZone'] === 'string' ? from['timeZone'] : viewerZone;
  switch (type) {
    case 'cron':
      return { type, expression: '*/5 * * * *', dialect: 'auto', timeZone, ...keep };
    case 'interval':
      return { type, every: 'PT15M', ...keep };
    case 'once':
      return { type, at: nextHourIso(), ...keep };
    case 'daily':
      return { type, times: ['09:00'], timeZone, ...keep };
    case 'window':
      return {
        type,
        every: 'PT30M',
        from: '08:00',
        to: '18:00',
        daysOfWeek: [1, 2, 3, 4, 5],
        timeZone,
        ...keep,
      };
    case 'recurrence':
      return {
        type,
        frequency: 'week',
        interval: 1,
        schedule: { weekDays: ['monday'], hours: [9], minutes: [0] },
        timeZone,
        startAt: nowMinuteIso(),
        ...keep,
      };
    default:
      return { type: 'manual', ...keep };
  }
}

/** The editor: kind, its fields, bounds and DST policy; `errors` are the server's, for `/schedule/...`. */
export function ScheduleEditor({
  value,
  onChange,
  errors = [],
}: {
  value: Schedule;
  onChange: (s: Schedule) => void;
  errors?: Errors;
}): JSX.Element {
  const live = usePreview(value, 10);
  const preview = live.preview;
  // Show the preview's own errors beside the fields too (they are the same checks as saving).
  const all: Errors = [...errors, ...(preview?.errors ?? [])];
  // An error on a bound (repeatCount needs startAt, say) opens the folded section that holds its field.
  const bounds = useRef<HTMLDetailsElement>(null);
  const boundsError = ['startAt', 'endAt', 'dst'].some(
    (f) => errorAt(all, f) !== null && !(value.type === 'recurrence' && f === 'startAt'),
  );
  useEffect(() => {
    if (boundsError && bounds.current) bounds.current.open = true;
  }, [boundsError]);
  /** Sets several fields at once (an empty value removes its field). */
  const setFields = (patch: Record<string, unknown>): void => {
    const next: Schedule = { ...value };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === null || v === '') delete next[k];
      else next[k] = v;
    }
    onChange(next);
  };
  const set = (k: string, v: unknown): void => setFields({ [k]: v });
  return (
    <div class="schedule-editor">
      <div class="schedule-form">
        <fieldset class="kinds">
          <legend>Kind</legend>
          <div class="kind-options">
            {SCHEDULE_KINDS.map((k) => (
              <label key={k.type} class="kind" title={k.hint}>
                <input
                  type="radio"
                  name="schedule-kind"
                  value={k.type}
                  checked={value.type === k.type}
                  onChange={() => onChange(defaultSchedule(k.type, value))}
                />
                {k.label}
              </label>
            ))}
          </div>
          <small class="hint">{SCHEDULE_KINDS.find((k) => k.type === value.type)?.hint}</small>
        </fieldset>
        <KindFields schedule={value} set={set} setFields={setFields} errors={all} />
        <details class="bounds" ref={bounds}>
          <summary>Bounds and daylight saving</summary>
          <div class="row">
            {value.type !== 'recurrence' && (
              <InstantField label="Start at" schedule={value} field="startAt" set={set} errors={all} />
            )}
            <InstantField label="End at" schedule={value} field="endAt" set={set} errors={all} />
          </div>
          <Field
            label="DST policy"
            hint="compatible: a missing wall time fires shifted forward, a repeated one once · quartz: as Quartz does"
            error={errorAt(all, 'dst')}
          >
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={String(value['dst'] ?? 'compatible')}
                onChange={(e) =>
                  set('dst', e.currentTarget.value === 'compatible' ? undefined : e.currentTarget.value)
                }
              >
                <option value="compatible">compatible (default)</option>
                <option value="quartz">quartz</option>
              </select>
            )}
          </Field>
        </details>
      </div>
      <PreviewView {...live} title="Live preview" />
    </div>
  );
}
