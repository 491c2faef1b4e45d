/**
 * A simple steps editor: noop, shell, exec, http and sql steps with stepIndex, name, timeout and
 * continueOnFailure. Fields it does not show (env, cwd, auth, retry...) are kept as they are.
 */

import type { JSX } from 'preact';
import type { Step } from '../types';
import { errorAt, StepFields, type Errors } from './step-fields';
import { Field } from './ui';

export const STEP_TYPES = ['shell', 'exec', 'http', 'noop', 'sql'] as const;

/** A fresh step of `type`, keeping index, name and the common policies of `from`. */
export function newStep(type: string, from?: Step, stepIndex = 0): Step {
  const base: Step = { type, stepIndex: from?.stepIndex ?? stepIndex };
  const kept = base as Record<string, unknown>;
  for (const k of ['name', 'timeout', 'continueOnFailure', 'retry'])
    if (from?.[k] !== undefined) kept[k] = from[k];
  switch (type) {
    case 'shell':
      return { ...base, script: 'echo "hello from run $SKED_RUN_ID"' };
    case 'exec':
      return { ...base, command: '/bin/echo', args: ['hello'] };
    case 'http':
      return {
        ...base,
        request: { method: 'POST', url: 'https://example.com/hook', body: '{"run": "{{runId}}"}' },
      };
    case 'sql':
      return { ...base, connection: 'postgres://user@localhost/db', sql: 'select 1' };
    default:
      return { ...base, type: 'noop' };
  }
}

export function StepsEditor({
  steps,
  onChange,
  errors,
  pointer = '/steps',
}: {
  steps: Step[];
  onChange: (s: Step[]) => void;
  errors: Errors;
  pointer?: string;
}): JSX.Element {
  const update = (i: number, s: Step): void => onChange(steps.map((x, j) => (j === i ? s : x)));
  const maxIndex = steps.reduce((m, s) => Math.max(m, Number(s.stepIndex) || 0), -1);
  return (
    <div class="steps-editor">
      {steps.length === 0 && <p class="muted">No steps: a run of this job does nothing (but is recorded).</p>}
      <ol class="step-list">
        {steps.map((step, i) => {
          const at = `${pointer}/${i}`;
          const parallel = steps.some((s, j) => j !== i && s.stepIndex === step.stepIndex);
          return (
            <li key={i} class="step-card card" aria-label={`Step ${i + 1}`}>
              <div class="row step-head">
                <Field
                  label="Step index"
                  hint={parallel ? 'runs in parallel with the same index' : 'groups run in ascending order'}
                  error={errorAt(errors, `${at}/stepIndex`)}
                  class="narrow"
                >
                  {(id, d, invalid) => (
                    <input
                      id={id}
                      type="number"
                      min={0}
                      value={String(step.stepIndex)}
                      aria-describedby={d}
                      aria-invalid={invalid}
                      onInput={(e) => update(i, { ...step, stepIndex: Number(e.currentTarget.value || 0) })}
                    />
                  )}
                </Field>
                <Field label="Type" error={errorAt(errors, `${at}/type`)} class="narrow">
                  {(id, d) => (
                    <select
                      id={id}
                      aria-describedby={d}
                      value={step.type}
                      onChange={(e) => update(i, newStep(e.currentTarget.value, step))}
                    >
                      {STEP_TYPES.map((t) => (
                        <option key={t} value={t}>
                          {t}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label="Name" error={errorAt(errors, `${at}/name`)} class="grow">
                  {(id, d, invalid) => (
                    <input
                      id={id}
                      type="text"
                      value={step.name ?? ''}
                      aria-describedby={d}
                      aria-invalid={invalid}
                      onInput={(e) => {
                        const next: Step = { ...step };
                        if (e.currentTarget.value) next.name = e.currentTarget.value;
                        else delete next.name;
                        update(i, next);
                      }}
                    />
                  )}
                </Field>
              </div>
              <StepFields step={step} update={(s) => update(i, s)} errors={errors} at={at} />
              <div class="row step-foot">
                <Field
                  label="Timeout"
                  hint="ISO 8601, e.g. PT10M"
                  error={errorAt(errors, `${at}/timeout`)}
                  class="narrow"
                >
                  {(id, d, invalid) => (
                    <input
                      id={id}
                      class="mono"
                      type="text"
                      value={String(step['timeout'] ?? '')}
                      aria-describedby={d}
                      aria-invalid={invalid}
                      onInput={(e) => {
                        const next: Step = { ...step };
                        if (e.currentTarget.value) next['timeout'] = e.currentTarget.value;
                        else delete next['timeout'];
                        update(i, next);
                      }}
                    />
                  )}
                </Field>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={step['continueOnFailure'] === true}
                    onChange={(e) => {
                      const next: Step = { ...step };
                      if (e.currentTarget.checked) next['continueOnFailure'] = true;
                      else delete next['continueOnFailure'];
                      update(i, next);
                    }}
                  />
                  Continue on failure
                </label>
                <button
                  type="button"
                  class="danger-outline"
                  onClick={() => onChange(steps.filter((_, j) => j !== i))}
                >
                  Remove step {i + 1}
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <button type="button" onClick={() => onChange([...steps, newStep('shell', undefined, maxIndex + 1)])}>
        + Add step
      </button>
    </div>
  );
}
