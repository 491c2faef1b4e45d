/** Environment of exec and shell steps. */
import type { TemplateValues } from './template.js';
import { formatInstant } from '../schedule/instant.js';

/**
 * The `SKED_*` variables describing a run to a process step. onFailure steps also get `SKED_FAILED=1`
 * and `SKED_ERROR` (the run's error).
 */
export function runEnvironment(
  values: TemplateValues,
  stepAttempt: number,
  onFailure: boolean,
): Record<string, string> {
  const env: Record<string, string> = {
    SKED_PAYLOAD:
      values.payload === null || values.payload === undefined ? '' : JSON.stringify(values.payload),
    SKED_RUN_ID: values.runId,
    SKED_JOB_ID: values.jobId,
    SKED_ATTEMPT: String(values.attempt),
    SKED_STEP_ATTEMPT: String(stepAttempt),
    SKED_SCHEDULED_FOR: values.scheduledFor === null ? '' : formatInstant(values.scheduledFor),
  };
  if (onFailure) {
    env['SKED_FAILED'] = '1';
    env['SKED_ERROR'] = values.error ?? '';
  }
  return env;
}

/**
 * sked's own environment, then the step's env, then the run's `SKED_*` variables (last wins). The
 * server's own `SKED_*` settings (API key, store URL...) are not passed on: they configure sked, not the
 * jobs it runs, and the API key must not leak into every step.
 */
export function processEnvironment(
  stepEnv: Readonly<Record<string, string>> | undefined,
  runEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('SKED_')) env[key] = value;
  }
  return Object.assign(env, stepEnv, runEnv);
}
