/** The fields of each step type (shell, exec, http, sql, noop); other fields of a step are kept as they are. */

import type { JSX } from 'preact';
import type { Step } from '../types';
import { Field } from './ui';

export type Errors = { pointer: string; message: string }[];

/** The messages for `pointer` and below (`/steps/0/request/url`), joined. */
export function errorAt(errors: Errors, pointer: string): string | null {
  const hits = errors.filter((e) => e.pointer === pointer || e.pointer.startsWith(`${pointer}/`));
  return hits.length
    ? hits.map((e) => `${e.pointer.slice(pointer.length) || ''} ${e.message}`.trim()).join('; ')
    : null;
}

export function StepFields({
  step,
  update,
  errors,
  at,
}: {
  step: Step;
  update: (s: Step) => void;
  errors: Errors;
  at: string;
}): JSX.Element | null {
  const set = (k: string, v: unknown): void => {
    const next: Step = { ...step };
    if (v === undefined || v === '') delete next[k];
    else next[k] = v;
    update(next);
  };
  const request = (step['request'] ?? {}) as Record<string, unknown>;
  const setRequest = (k: string, v: unknown): void => {
    const next = { ...request };
    if (v === undefined || v === '') delete next[k];
    else next[k] = v;
    set('request', next);
  };
  switch (step.type) {
    case 'shell':
      return (
        <Field
          label="Script"
          hint="runs with sh -c; SKED_RUN_ID and SKED_PAYLOAD are in the environment"
          error={errorAt(errors, `${at}/script`)}
          class="wide"
        >
          {(id, d, invalid) => (
            <textarea
              id={id}
              class="mono"
              rows={4}
              value={String(step['script'] ?? '')}
              aria-describedby={d}
              aria-invalid={invalid}
              spellcheck={false}
              onInput={(e) => set('script', e.currentTarget.value)}
            />
          )}
        </Field>
      );
    case 'exec':
      return (
        <>
          <Field label="Command" hint="absolute path of the program" error={errorAt(errors, `${at}/command`)}>
            {(id, d, invalid) => (
              <input
                id={id}
                class="mono"
                type="text"
                value={String(step['command'] ?? '')}
                aria-describedby={d}
                aria-invalid={invalid}
                spellcheck={false}
                onInput={(e) => set('command', e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="Arguments" hint="one per line" error={errorAt(errors, `${at}/args`)}>
            {(id, d, invalid) => (
              <textarea
                id={id}
                class="mono"
                rows={2}
                value={Array.isArray(step['args']) ? (step['args'] as string[]).join('\n') : ''}
                aria-describedby={d}
                aria-invalid={invalid}
                spellcheck={false}
                onInput={(e) => {
                  const lines = e.currentTarget.value.split('\n');
                  set('args', lines.length === 1 && lines[0] === '' ? undefined : lines);
                }}
              />
            )}
          </Field>
        </>
      );
    case 'http':
      return (
        <>
          <div class="row">
            <Field label="Method" error={errorAt(errors, `${at}/request/method`)} class="narrow">
              {(id, d) => (
                <select
                  id={id}
                  aria-describedby={d}
                  value={String(request['method'] ?? 'GET').toUpperCase()}
                  onChange={(e) => setRequest('method', e.currentTarget.value)}
                >
                  {['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="URL" error={errorAt(errors, `${at}/request/url`)} class="grow">
              {(id, d, invalid) => (
                <input
                  id={id}
                  class="mono"
                  type="url"
                  value={String(request['url'] ?? '')}
                  aria-describedby={d}
                  aria-invalid={invalid}
                  spellcheck={false}
                  onInput={(e) => setRequest('url', e.currentTarget.value)}
                />
              )}
            </Field>
          </div>
          <Field
            label="Body"
            hint="{{runId}} and {{payload}} are filled in"
            error={errorAt(errors, `${at}/request/body`)}
            class="wide"
          >
            {(id, d, invalid) => (
              <textarea
                id={id}
                class="mono"
                rows={2}
                value={String(request['body'] ?? '')}
                aria-describedby={d}
                aria-invalid={invalid}
                spellcheck={false}
                onInput={(e) => setRequest('body', e.currentTarget.value)}
              />
            )}
          </Field>
        </>
      );
    case 'sql':
      return (
        <>
          <Field label="Connection" error={errorAt(errors, `${at}/connection`)}>
            {(id, d, invalid) => (
              <input
                id={id}
                class="mono"
                type="text"
                value={String(step['connection'] ?? '')}
                aria-describedby={d}
                aria-invalid={invalid}
                spellcheck={false}
                onInput={(e) => set('connection', e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="SQL" error={errorAt(errors, `${at}/sql`)} class="wide">
            {(id, d, invalid) => (
              <textarea
                id={id}
                class="mono"
                rows={3}
                value={String(step['sql'] ?? '')}
                aria-describedby={d}
                aria-invalid={invalid}
                spellcheck={false}
                onInput={(e) => set('sql', e.currentTarget.value)}
              />
            )}
          </Field>
        </>
      );
    case 'noop':
      return (
        <Field
          label="Delay"
          hint="optional ISO 8601 duration, e.g. PT2S"
          error={errorAt(errors, `${at}/delay`)}
        >
          {(id, d, invalid) => (
            <input
              id={id}
              class="mono"
              type="text"
              value={String(step['delay'] ?? '')}
              aria-describedby={d}
              aria-invalid={invalid}
              onInput={(e) => set('delay', e.currentTarget.value)}
            />
          )}
        </Field>
      );
    default:
      return <p class="muted">This step type is kept as it is.</p>;
  }
}
