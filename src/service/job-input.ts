/**
 * A job definition as sent (native API, a compat surface, a file for `sked jobs apply`), checked for
 * meaning and completed with defaults. Shapes and types are checked before this by the JSON schema; this
 * is where the rules that need code live (schedules compile and fire, durations parse, steps are
 * complete), each error naming its field with a JSON pointer.
 */

import { SkedError, validationError, type FieldError } from '../domain/errors.js';
import type { CatchUpPolicy, JobDefinition, OverlapPolicy, RetryPolicy, ScheduleSpec, Step } from '../domain/types.js';
import { compileSchedule, type CompiledSchedule } from '../schedule/compile.js';
import { MAX_DURATION_MS, parseDuration } from '../schedule/instant.js';
import { noFireMessage } from '../schedule/lint.js';
import { ScheduleError } from '../schedule/schedule-error.js';

/** What a caller sends: every field but name and schedule optional. */
export interface JobInput {
  name: string;
  description?: string | undefined;
  collection?: string | undefined;
  labels?: Record<string, string> | undefined;
  schedule: ScheduleSpec;
  steps?: Step[] | undefined;
  onFailure?: Step[] | undefined;
  retry?: RetryPolicy | null | undefined;
  overlap?: OverlapPolicy | undefined;
  catchUp?: { policy?: CatchUpPolicy | undefined; window?: string | undefined } | undefined;
  timeout?: string | null | undefined;
  /** false: create paused. */
  enabled?: boolean | undefined;
  extensions?: Record<string, unknown> | undefined;
}

export const LIMITS = {
  name: 200,
  description: 1000,
  steps: 100,
  onFailure: 20,
  labels: 64,
  retryAttempts: 100,
} as const;

export const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export interface NormalizedJob {
  definition: JobDefinition;
  schedule: CompiledSchedule;
  enabled: boolean;
}

function durationField(value: unknown, pointer: string, errors: FieldError[], opts: { min?: number } = {}): number | null {
  if (value === undefined || value === null) return null;
  const ms = typeof value === 'string' ? parseDuration(value) : null;
  if (ms === null) {
    errors.push({ pointer, message: `must be an ISO 8601 duration such as PT30S or PT10M (got ${JSON.stringify(value)})` });
    return null;
  }
  if (opts.min !== undefined && ms < opts.min) errors.push({ pointer, message: `must be at least ${opts.min} ms` });
  if (ms > MAX_DURATION_MS) errors.push({ pointer, message: 'must be at most 100 years' });
  return ms;
}

function checkRetry(retry: RetryPolicy, pointer: string, errors: FieldError[]): void {
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1 || retry.maxAttempts > LIMITS.retryAttempts) {
    errors.push({ pointer: `${pointer}/maxAttempts`, message: `must be a whole number 1..${LIMITS.retryAttempts}` });
  }
  durationField(retry.interval, `${pointer}/interval`, errors);
  if (retry.maxInterval !== undefined) durationField(retry.maxInterval, `${pointer}/maxInterval`, errors);
}

function checkSteps(steps: Step[], pointer: string, errors: FieldError[]): void {
  steps.forEach((step, i) => {
    const p = `${pointer}/${i}`;
    if (!Number.isInteger(step.stepIndex) || step.stepIndex < 0) errors.push({ pointer: `${p}/stepIndex`, message: 'must be a whole number >= 0' });
    if (step.timeout !== undefined) durationField(step.timeout, `${p}/timeout`, errors, { min: 1 });
    if (step.retry) checkRetry(step.retry, `${p}/retry`, errors);
    switch (step.type) {
      case 'http': {
        let url: URL | null = null;
        try {
          url = new URL(step.request.url);
        } catch {
          errors.push({ pointer: `${p}/request/url`, message: 'must be an absolute URL' });
        }
        if (url && url.protocol !== 'http:' && url.protocol !== 'https:' && !step.request.url.includes('{{')) {
          errors.push({ pointer: `${p}/request/url`, message: 'must be an http: or https: URL' });
        }
        break;
      }
      case 'exec':
        if (!step.command.trim()) errors.push({ pointer: `${p}/command`, message: 'must not be empty' });
        break;
      case 'shell':
        if (!step.script.trim()) errors.push({ pointer: `${p}/script`, message: 'must not be empty' });
        break;
      case 'sql':
        if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(step.connection)) errors.push({ pointer: `${p}/connection`, message: 'must be sqlite:PATH or postgres://...' });
        if (!step.sql.trim()) errors.push({ pointer: `${p}/sql`, message: 'must not be empty' });
        break;
      case 'noop':
        if (step.delay !== undefined) durationField(step.delay, `${p}/delay`, errors);
        break;
    }
  });
}

export interface NormalizeOptions {
  /** Step types this server runs (SKED_ALLOW_STEPS); others are refused with 403. */
  allowedStepTypes?: ReadonlySet<string> | undefined;
  /** The http host policy: a URL it refuses (a denied address or name) is refused with 403 already here. */
  checkUrl?: ((url: URL) => void) | undefined;
}

/**
 * Validates a definition and applies defaults. Throws a 400 listing every invalid field, or a 403 for a
 * step type switched off on this server.
 */
export function normalizeJobInput(input: JobInput, now: number, options: NormalizeOptions = {}): NormalizedJob {
  const errors: FieldError[] = [];
  let schedule: CompiledSchedule | null = null;
  try {
    schedule = compileSchedule(input.schedule);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    errors.push({ pointer: `/schedule${err.pointer}`, message: err.message });
  }
  if (schedule && schedule.type !== 'manual' && schedule.nextAfter(now) === null) {
    errors.push({ pointer: '/schedule', message: noFireMessage(input.schedule, now, { now: true }) });
  }
  const steps = input.steps ?? [];
  const onFailure = input.onFailure ?? [];
  checkSteps(steps, '/steps', errors);
  checkSteps(onFailure, '/onFailure', errors);
  if (input.retry) checkRetry(input.retry, '/retry', errors);
  const catchUp = { policy: input.catchUp?.policy ?? 'latest', window: input.catchUp?.window ?? 'PT1H' };
  durationField(catchUp.window, '/catchUp/window', errors);
  if (input.timeout !== undefined && input.timeout !== null) durationField(input.timeout, '/timeout', errors, { min: 1 });
  if (!input.name.trim()) errors.push({ pointer: '/name', message: 'must not be blank' });
  if (errors.length || !schedule) throw validationError(errors);
  const allowed = options.allowedStepTypes;
  if (allowed) {
    const refused: FieldError[] = [];
    for (const [list, steps] of [['steps', input.steps ?? []], ['onFailure', input.onFailure ?? []]] as const) {
      steps.forEach((step, i) => {
        if (!allowed.has(step.type)) refused.push({ pointer: `/${list}/${i}/type`, message: `step type '${step.type}' is switched off on this server (SKED_ALLOW_STEPS=${[...allowed].join(',')})` });
      });
    }
    if (refused.length) throw new SkedError('FORBIDDEN', refused[0]?.message ?? 'step type switched off', { errors: refused });
  }
  if (options.checkUrl) {
    const refused: FieldError[] = [];
    for (const [list, steps] of [['steps', input.steps ?? []], ['onFailure', input.onFailure ?? []]] as const) {
      steps.forEach((step, i) => {
        if (step.type !== 'http' || step.request.url.includes('{{')) return;
        try {
          options.checkUrl?.(new URL(step.request.url));
        } catch (err) {
          refused.push({ pointer: `/${list}/${i}/request/url`, message: err instanceof Error ? err.message : String(err) });
        }
      });
    }
    if (refused.length) throw new SkedError('FORBIDDEN', refused[0]?.message ?? 'http target refused', { errors: refused });
  }
  return {
    definition: {
      name: input.name,
      description: input.description ?? '',
      collection: input.collection ?? 'default',
      labels: input.labels ?? {},
      schedule: input.schedule,
      steps,
      onFailure,
      retry: input.retry ?? null,
      overlap: input.overlap ?? 'skip',
      catchUp,
      timeout: input.timeout ?? null,
      extensions: input.extensions ?? {},
    },
    schedule,
    enabled: input.enabled ?? true,
  };
}

/** The definition part of a job, as input again (for merge patches and the CLI's round trips). */
export function inputOf(def: JobDefinition, enabled: boolean): JobInput {
  return {
    name: def.name,
    description: def.description,
    collection: def.collection,
    labels: def.labels,
    schedule: def.schedule,
    steps: def.steps,
    onFailure: def.onFailure,
    retry: def.retry,
    overlap: def.overlap,
    catchUp: def.catchUp,
    timeout: def.timeout,
    enabled,
    extensions: def.extensions,
  };
}

/** The smallest gap between the next fires (for a collection's minInterval quota), or null. */
export function smallestGap(schedule: CompiledSchedule, now: number, samples = 50): number | null {
  let prev = schedule.nextAfter(now);
  let best: number | null = null;
  for (let i = 0; i < samples && prev !== null; i++) {
    const next = schedule.nextAfter(prev);
    if (next === null) break;
    const gap = next - prev;
    if (best === null || gap < best) best = gap;
    prev = next;
  }
  return best;
}
