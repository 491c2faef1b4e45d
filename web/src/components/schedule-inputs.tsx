/** The inputs of the schedule editor: lists, weekdays, time zones, instants, with their errors. */

import type { JSX } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { isoToLocalInput, localInputToIso, viewerZone } from '../format';
import type { Schedule } from '../types';
import { Field } from './ui';

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

let zones: string[] | null = null;
export function timeZones(): string[] {
  if (!zones) {
    try {
      zones = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
    } catch {
      zones = ['UTC', viewerZone];
    }
  }
  return zones;
}

export type Errors = { pointer: string; message: string }[];

/** The messages for a field (`/schedule/<path>` and below), joined. */
export function errorAt(errors: Errors, path: string): string | null {
  const p = `/schedule/${path}`;
  const hits = errors.filter((e) => e.pointer === p || e.pointer.startsWith(`${p}/`));
  return hits.length ? hits.map((e) => e.message).join('; ') : null;
}

/** A text box for a list (`09:00, 17:30`), keeping what is typed while it parses. */
export function ListInput(props: {
  id: string;
  value: unknown[] | undefined;
  parse: (text: string) => unknown[] | undefined;
  placeholder?: string;
  describedBy: string | undefined;
  invalid: boolean;
  onChange: (v: unknown[] | undefined) => void;
}): JSX.Element {
  const shown = (props.value ?? []).join(', ');
  const [text, setText] = useState(shown);
  useEffect(() => {
    if (JSON.stringify(props.parse(text)) !== JSON.stringify(props.value)) setText(shown);
    // only when the value changes from outside
  }, [shown]);
  return (
    <input
      id={props.id}
      type="text"
      value={text}
      placeholder={props.placeholder}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid}
      onInput={(e) => {
        const t = e.currentTarget.value;
        setText(t);
        props.onChange(props.parse(t));
      }}
    />
  );
}

export const splitList = (t: string): string[] =>
  t
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
export const parseStrings = (t: string): string[] | undefined => {
  const l = splitList(t);
  return l.length ? l : undefined;
};
export const parseInts = (t: string): unknown[] | undefined => {
  const l = splitList(t).map((s) => (/^-?\d+$/.test(s) ? Number(s) : s));
  return l.length ? l : undefined;
};

export function DaysOfWeek({
  value,
  onChange,
  error,
}: {
  value: unknown;
  onChange: (v: number[] | undefined) => void;
  error: string | null;
}): JSX.Element {
  const chosen = new Set(Array.isArray(value) ? (value as number[]) : []);
  return (
    <fieldset class={`field days ${error ? 'has-error' : ''}`}>
      <legend>Days of the week</legend>
      <div class="day-boxes">
        {DAY_NAMES.map((d, i) => (
          <label key={d} class="check">
            <input
              type="checkbox"
              checked={chosen.has(i)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.currentTarget.checked) next.add(i);
                else next.delete(i);
                onChange(next.size ? [...next].sort((a, b) => a - b) : undefined);
              }}
            />
            {d}
          </label>
        ))}
      </div>
      <small class="hint">none ticked = every day</small>
      {error && <small class="field-error">{error}</small>}
    </fieldset>
  );
}

export function TimeZoneField({
  schedule,
  set,
  errors,
}: {
  schedule: Schedule;
  set: (k: string, v: unknown) => void;
  errors: Errors;
}): JSX.Element {
  const listId = useId();
  return (
    <Field
      label="Time zone"
      hint="IANA name, e.g. Europe/London (empty = UTC)"
      error={errorAt(errors, 'timeZone')}
    >
      {(id, d, invalid) => (
        <>
          <input
            id={id}
            type="text"
            list={listId}
            value={String(schedule['timeZone'] ?? '')}
            aria-describedby={d}
            aria-invalid={invalid}
            autoComplete="off"
            onInput={(e) => set('timeZone', e.currentTarget.value)}
          />
          <datalist id={listId}>
            {timeZones().map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}

export function InstantField({
  label,
  hint,
  schedule,
  field,
  set,
  errors,
}: {
  label: string;
  hint?: string;
  schedule: Schedule;
  field: string;
  set: (k: string, v: unknown) => void;
  errors: Errors;
}): JSX.Element {
  return (
    <Field label={label} hint={hint ?? `your time (${viewerZone})`} error={errorAt(errors, field)}>
      {(id, d, invalid) => (
        <input
          id={id}
          type="datetime-local"
          step="1"
          value={isoToLocalInput(schedule[field] as string | undefined)}
          aria-describedby={d}
          aria-invalid={invalid}
          onInput={(e) => set(field, localInputToIso(e.currentTarget.value))}
        />
      )}
    </Field>
  );
}

export function TextField({
  label,
  hint,
  schedule,
  field,
  set,
  errors,
  placeholder,
  mono,
}: {
  label: string;
  hint?: string;
  schedule: Schedule;
  field: string;
  set: (k: string, v: unknown) => void;
  errors: Errors;
  placeholder?: string;
  mono?: boolean;
}): JSX.Element {
  return (
    <Field label={label} hint={hint} error={errorAt(errors, field)}>
      {(id, d, invalid) => (
        <input
          id={id}
          class={mono ? 'mono' : undefined}
          type="text"
          value={String(schedule[field] ?? '')}
          placeholder={placeholder}
          aria-describedby={d}
          aria-invalid={invalid}
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => set(field, e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

export function NumberField({
  label,
  hint,
  value,
  error,
  onChange,
  min,
}: {
  label: string;
  hint?: string;
  value: unknown;
  error: string | null;
  onChange: (v: number | undefined) => void;
  min?: number;
}): JSX.Element {
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, d, invalid) => (
        <input
          id={id}
          type="number"
          min={min}
          value={value === undefined || value === null ? '' : String(value)}
          aria-describedby={d}
          aria-invalid={invalid}
          onInput={(e) => {
            const v = e.currentTarget.value;
            onChange(v === '' ? undefined : Number(v));
          }}
        />
      )}
    </Field>
  );
}
