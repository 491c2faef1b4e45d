/**
 * An Azure job (the classic body, or ARM's `properties`) as a sked job definition. What Azure has no
 * field for (name, description, labels, overlap, catch-up) is kept from the job being replaced; the
 * outbound authentication sked keeps as facts only lives in `extensions.azure.auth`.
 */

import type { Job, Step } from '../../domain/types.js';
import { inputOf, type JobInput } from '../../service/job-input.js';
import { actionToStep, retryOf } from './action-input.js';
import { badRequest } from './azure-api-error.js';
import { toSchedule } from './recurrence-input.js';
import { checkKnown, enumValue, isObject, optionalObject, type Json } from './values.js';

export const JOB_FIELDS = ['id', 'startTime', 'action', 'recurrence', 'state', 'status', 'stateDetails'];
const STATES = ['enabled', 'disabled', 'completed', 'faulted'] as const;

/** What `extensions.azure` holds. */
export interface AzureExtension {
  auth?: { action?: Json; errorAction?: Json };
}

export function azureExtension(job: Job | null | undefined): AzureExtension {
  const ext = job?.extensions['azure'];
  return isObject(ext) ? (ext as AzureExtension) : {};
}

export interface JobInputContext {
  /** The Azure job id (also the name of a job Azure creates). */
  name: string;
  collection: string;
  now: number;
  pointer: string;
  existing: Job | null;
}

/** `state` as sked's `enabled`; completed and faulted are the service's to set, never a client's. */
export function enabledOf(state: unknown, pointer: string): boolean | undefined {
  if (state === undefined || state === null) return undefined;
  const s = enumValue(state, STATES, pointer);
  if (s === 'completed' || s === 'faulted') throw badRequest(pointer, `cannot be set to ${s} (only enabled or disabled)`);
  return s === 'enabled';
}

/** The parts of a definition an action decides: steps, error steps, retry, authentication facts. */
export function actionParts(actionValue: unknown, pointer: string, existing: Job | null): Pick<JobInput, 'steps' | 'onFailure' | 'retry'> & { auth: AzureExtension['auth'] } {
  const action = optionalObject(actionValue, pointer);
  if (!action) throw badRequest(pointer, 'is required');
  const previousAuth = azureExtension(existing).auth;
  const main = actionToStep(action, { pointer, stepName: 'MainAction', previous: existing?.steps[0], previousAuth: previousAuth?.action });
  const errorValue = optionalObject(action['errorAction'], `${pointer}/errorAction`);
  const error = errorValue
    ? actionToStep(errorValue, { pointer: `${pointer}/errorAction`, stepName: 'ErrorAction', previous: existing?.onFailure[0], previousAuth: previousAuth?.errorAction })
    : null;
  const auth: NonNullable<AzureExtension['auth']> = {};
  if (main.auth) auth.action = main.auth;
  if (error?.auth) auth.errorAction = error.auth;
  const onFailure: Step[] = error ? [error.step] : [];
  return { steps: [main.step], onFailure, retry: retryOf(action['retryPolicy'], `${pointer}/retryPolicy`), auth: Object.keys(auth).length ? auth : undefined };
}

/** The extensions of a job whose Azure authentication facts are now `auth`. */
export function extensionsWith(existing: Job | null, auth: AzureExtension['auth']): Record<string, unknown> {
  const { azure: _old, ...others } = existing?.extensions ?? {};
  const ext: AzureExtension = auth ? { auth } : {};
  return Object.keys(ext).length ? { ...others, azure: ext } : others;
}

/** A whole Azure job (PUT or POST) as the definition that creates or replaces the sked job. */
export function jobInputOf(body: Json, ctx: JobInputContext): JobInput {
  checkKnown(body, JOB_FIELDS, ctx.pointer);
  if (body['id'] !== undefined && body['id'] !== null && body['id'] !== ctx.name) {
    throw badRequest(`${ctx.pointer}/id`, `must be the job id of the URL ('${ctx.name}') or left out`);
  }
  const enabled = enabledOf(body['state'], `${ctx.pointer}/state`);
  const parts = actionParts(body['action'], `${ctx.pointer}/action`, ctx.existing);
  const schedule = toSchedule(body['startTime'], body['recurrence'], ctx.pointer, { now: ctx.now, adjust: true });
  const base = ctx.existing ? inputOf(ctx.existing, ctx.existing.state !== 'paused') : null;
  return {
    name: base?.name ?? ctx.name,
    description: base?.description ?? '',
    collection: ctx.collection,
    labels: base?.labels ?? {},
    schedule,
    steps: parts.steps,
    onFailure: parts.onFailure,
    retry: parts.retry,
    ...(base?.overlap ? { overlap: base.overlap } : {}),
    ...(base?.catchUp ? { catchUp: base.catchUp } : {}),
    timeout: base?.timeout ?? null,
    // Left out on a replacement: a disabled job stays disabled (sked's rule for PUT without `enabled`).
    enabled: enabled ?? (ctx.existing ? undefined : true),
    extensions: extensionsWith(ctx.existing, parts.auth),
  };
}
