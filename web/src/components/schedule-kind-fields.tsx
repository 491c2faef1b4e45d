/** The fields of each schedule kind (cron, interval, once, daily, window, recurrence, manual). */

import type { JSX } from 'preact';
import type { Schedule } from '../types';
import {
  DAY_NAMES,
  DaysOfWeek,
  errorAt,
  InstantField,
  ListInput,
  NumberField,
  parseInts,
  parseStrings,
  splitList,
  TextField,
  TimeZoneField,
  WEEKDAYS,
  type Errors,
} from './schedule-inputs';
import { Field } from './ui';
import { viewerZone } from '../format';

/** The fields of one kind. */
export function KindFields({
  schedule,
  set,
  setFields,
  errors,
}: {
  schedule: Schedule;
  set: (k: string, v: unknown) => void;
  setFields: (patch: Record<string, unknown>) => void;
  errors: Errors;
}): JSX.Element | null {
  const s = schedule;
  switch (s.type) {
    case 'cron':
      return (
        <>
          <TextField
            label="Cron expression"
            hint="Unix: min hour day month weekday · Quartz: sec min hour day month weekday [year]"
            schedule={s}
            field="expression"
            set={set}
            errors={errors}
            placeholder="0 30 2 * * ?"
            mono
          />
          <Field label="Dialect" error={errorAt(errors, 'dialect')}>
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={String(s['dialect'] ?? 'auto')}
                onChange={(e) => set('dialect', e.currentTarget.value)}
              >
                <option value="auto">auto (5 fields = Unix, 7 = Quartz)</option>
                <option value="unix">Unix (Vixie cron / cronie)</option>
                <option value="quartz">Quartz</option>
              </select>
            )}
          </Field>
          <TimeZoneField schedule={s} set={set} errors={errors} />
        </>
      );
    case 'interval':
      return (
        <>
          <TextField
            label="Every"
            hint="ISO 8601 duration: PT30S, PT15M, PT2H, P1D"
            schedule={s}
            field="every"
            set={set}
            errors={errors}
            placeholder="PT15M"
            mono
          />
          <NumberField
            label="Repeat count"
            hint="fires after the first (empty = forever)"
            value={s['repeatCount']}
            error={errorAt(errors, 'repeatCount')}
            min={0}
            onChange={(v) => set('repeatCount', v)}
          />
        </>
      );
    case 'once':
      return <InstantField label="At" schedule={s} field="at" set={set} errors={errors} />;
    case 'daily':
      return (
        <>
          <Field label="Times of day" hint="HH:MM, separated by commas" error={errorAt(errors, 'times')}>
            {(id, d, invalid) => (
              <ListInput
                id={id}
                value={s['times'] as unknown[] | undefined}
                parse={parseStrings}
                placeholder="09:00, 17:30"
                describedBy={d}
                invalid={invalid}
                onChange={(v) => set('times', v)}
              />
            )}
          </Field>
          <DaysOfWeek
            value={s['daysOfWeek']}
            error={errorAt(errors, 'daysOfWeek')}
            onChange={(v) => set('daysOfWeek', v)}
          />
          <TimeZoneField schedule={s} set={set} errors={errors} />
        </>
      );
    case 'window':
      return (
        <>
          <TextField
            label="Every"
            hint="ISO 8601 duration, e.g. PT30M"
            schedule={s}
            field="every"
            set={set}
            errors={errors}
            placeholder="PT30M"
            mono
          />
          <div class="row">
            <TextField
              label="From"
              hint="HH:MM"
              schedule={s}
              field="from"
              set={set}
              errors={errors}
              placeholder="08:00"
              mono
            />
            <TextField
              label="To"
              hint="HH:MM (not included)"
              schedule={s}
              field="to"
              set={set}
              errors={errors}
              placeholder="18:00"
              mono
            />
          </div>
          <DaysOfWeek
            value={s['daysOfWeek']}
            error={errorAt(errors, 'daysOfWeek')}
            onChange={(v) => set('daysOfWeek', v)}
          />
          <TimeZoneField schedule={s} set={set} errors={errors} />
        </>
      );
    case 'recurrence':
      return <RecurrenceFields schedule={s} set={set} setFields={setFields} errors={errors} />;
    case 'manual':
      return <p class="muted">A manual job fires only when someone triggers it.</p>;
    default:
      return null;
  }
}

/** Which fields of a recurrence's `schedule` each frequency takes (the server refuses the others). */
const RECURRENCE_FIELDS: Record<string, string[]> = {
  minute: [],
  hour: ['minutes'],
  day: ['hours', 'minutes'],
  week: ['hours', 'minutes', 'weekDays'],
  month: ['hours', 'minutes', 'monthDays', 'monthlyOccurrences'],
};

function RecurrenceFields({
  schedule: s,
  set,
  setFields,
  errors,
}: {
  schedule: Schedule;
  set: (k: string, v: unknown) => void;
  setFields: (patch: Record<string, unknown>) => void;
  errors: Errors;
}): JSX.Element {
  const frequency = String(s['frequency'] ?? 'day');
  const takes = new Set(RECURRENCE_FIELDS[frequency] ?? []);
  const inner = (s['schedule'] ?? {}) as Record<string, unknown>;
  const setInner = (k: string, v: unknown): void => {
    const next: Record<string, unknown> = { ...inner };
    if (v === undefined) delete next[k];
    else next[k] = v;
    set('schedule', Object.keys(next).length ? next : undefined);
  };
  // A field shows when the frequency takes it, or when it is set anyway (so it can be seen and cleared).
  const shows = (k: string): boolean => takes.has(k) || inner[k] !== undefined;
  const weekDays = new Set(Array.isArray(inner['weekDays']) ? (inner['weekDays'] as string[]) : []);
  const occurrences = Array.isArray(inner['monthlyOccurrences'])
    ? (inner['monthlyOccurrences'] as { day: string; occurrence: number }[])
    : undefined;
  return (
    <>
      <div class="row">
        <Field label="Frequency" error={errorAt(errors, 'frequency')}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={frequency}
              onChange={(e) => {
                // Fields the new frequency does not take are dropped (they are hidden below).
                const f = e.currentTarget.value;
                const allowed = new Set(RECURRENCE_FIELDS[f] ?? []);
                const kept = Object.fromEntries(Object.entries(inner).filter(([k]) => allowed.has(k)));
                setFields({ frequency: f, schedule: Object.keys(kept).length ? kept : undefined });
              }}
            >
              {['minute', 'hour', 'day', 'week', 'month'].map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          )}
        </Field>
        <NumberField
          label="Interval"
          hint="every N periods"
          value={s['interval']}
          error={errorAt(errors, 'interval')}
          min={1}
          onChange={(v) => set('interval', v)}
        />
      </div>
      <InstantField
        label="Start at"
        hint={`periods count from here; your time (${viewerZone})`}
        schedule={s}
        field="startAt"
        set={set}
        errors={errors}
      />
      {(shows('hours') || shows('minutes')) && (
        <div class="row">
          {shows('hours') && (
            <Field label="Hours" hint="0–23, commas" error={errorAt(errors, 'schedule/hours')}>
              {(id, d, invalid) => (
                <ListInput
                  id={id}
                  value={inner['hours'] as unknown[] | undefined}
                  parse={parseInts}
                  placeholder="9, 17"
                  describedBy={d}
                  invalid={invalid}
                  onChange={(v) => setInner('hours', v)}
                />
              )}
            </Field>
          )}
          {shows('minutes') && (
            <Field label="Minutes" hint="0–59, commas" error={errorAt(errors, 'schedule/minutes')}>
              {(id, d, invalid) => (
                <ListInput
                  id={id}
                  value={inner['minutes'] as unknown[] | undefined}
                  parse={parseInts}
                  placeholder="0, 30"
                  describedBy={d}
                  invalid={invalid}
                  onChange={(v) => setInner('minutes', v)}
                />
              )}
            </Field>
          )}
        </div>
      )}
      {shows('weekDays') && (
        <fieldset class={`field days ${errorAt(errors, 'schedule/weekDays') ? 'has-error' : ''}`}>
          <legend>Week days</legend>
          <div class="day-boxes">
            {WEEKDAYS.map((d, i) => (
              <label key={d} class="check">
                <input
                  type="checkbox"
                  checked={weekDays.has(d)}
                  onChange={(e) => {
                    const next = new Set(weekDays);
                    if (e.currentTarget.checked) next.add(d);
                    else next.delete(d);
                    setInner('weekDays', next.size ? WEEKDAYS.filter((w) => next.has(w)) : undefined);
                  }}
                />
                {DAY_NAMES[i]}
              </label>
            ))}
          </div>
          {errorAt(errors, 'schedule/weekDays') && (
            <small class="field-error">{errorAt(errors, 'schedule/weekDays')}</small>
          )}
        </fieldset>
      )}
      {(shows('monthDays') || shows('monthlyOccurrences')) && (
        <div class="row">
          {shows('monthDays') && (
            <Field
              label="Month days"
              hint="1–31, −1 = last day"
              error={errorAt(errors, 'schedule/monthDays')}
            >
              {(id, d, invalid) => (
                <ListInput
                  id={id}
                  value={inner['monthDays'] as unknown[] | undefined}
                  parse={parseInts}
                  placeholder="1, 15, -1"
                  describedBy={d}
                  invalid={invalid}
                  onChange={(v) => setInner('monthDays', v)}
                />
              )}
            </Field>
          )}
          {shows('monthlyOccurrences') && (
            <Field
              label="Monthly occurrences"
              hint="day:occurrence, e.g. monday:1, friday:-1 (last)"
              error={errorAt(errors, 'schedule/monthlyOccurrences')}
            >
              {(id, d, invalid) => (
                <ListInput
                  id={id}
                  value={occurrences?.map((o) => `${o.day}:${o.occurrence}`)}
                  parse={(t) => {
                    const l = splitList(t).map((p) => {
                      const [day, occ] = p.split(':');
                      return { day: (day ?? '').toLowerCase(), occurrence: Number(occ ?? 1) };
                    });
                    return l.length ? l : undefined;
                  }}
                  placeholder="monday:1"
                  describedBy={d}
                  invalid={invalid}
                  onChange={(v) => setInner('monthlyOccurrences', v)}
                />
              )}
            </Field>
          )}
        </div>
      )}
      <div class="row">
        <NumberField
          label="Count"
          hint="stop after this many fires"
          value={s['count']}
          error={errorAt(errors, 'count')}
          min={1}
          onChange={(v) => set('count', v)}
        />
        <InstantField label="End time" schedule={s} field="endTime" set={set} errors={errors} />
      </div>
      <TimeZoneField schedule={s} set={set} errors={errors} />
    </>
  );
}
