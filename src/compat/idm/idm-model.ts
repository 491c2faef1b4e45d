/**
 * How an IDM schedule sits on a sked job.
 *
 * - The IDM id is the sked job id (ids must match sked's `[A-Za-z0-9._-]{1,128}`); new IDM jobs go to
 *   collection `default`, replaced ones keep theirs. The job's name is its id.
 * - `invokeService` / `invokeContext` / `invokeLogLevel` are one `dispatch` step (surface `idm`) carrying
 *   them, POSTed to SKED_DISPATCH_IDM_URL when the job fires.
 * - `concurrentExecution` is the overlap policy (false = `skip`, true = `allow`); `misfirePolicy`
 *   `fireAndProceed` = catch-up `latest`, `doNothing` = `none`.
 * - `type: cron` is a Quartz cron schedule with `dst: quartz`; `type: simple` an interval schedule
 *   (`repeatInterval` ms, `repeatCount`, -1 = forever), or a one-time fire when `repeatCount` is 0.
 * - The fields sked has no place for (`persisted`, `recoverable`, the original `timeZone`, `startTime` and
 *   `endTime` texts) are kept in `extensions.idm` and shown back.
 */

import type { DispatchStep, Job, Step } from '../../domain/types.js';

/** Quartz's job and trigger group in IDM. */
export const GROUP = 'scheduler-service-group';
/** The service a native sked job (no IDM dispatch step) shows as: its own steps run. */
export const NATIVE_SERVICE = 'org.forgerock.openidm.sked';
/** IDM prefixes service names without a dot. */
export const SERVICE_PREFIX = 'org.forgerock.openidm.';

/** What `extensions.idm` holds. */
export interface IdmExtension {
  persisted: boolean;
  recoverable: boolean;
  timeZone: string | null;
  startTime: string | null;
  endTime: string | null;
}

export interface IdmAction {
  invokeService: string;
  invokeContext: unknown;
  invokeLogLevel: string;
}

export function isIdmDispatch(step: Step): step is DispatchStep {
  return step.type === 'dispatch' && step.surface === 'idm';
}

/** The IDM action of a job: its IDM dispatch step, or the native stand-in for any other job. */
export function idmActionOf(job: Job): IdmAction {
  const step = job.steps.find(isIdmDispatch);
  if (step) {
    const a = step.action;
    return {
      invokeService: typeof a['invokeService'] === 'string' ? a['invokeService'] : NATIVE_SERVICE,
      invokeContext: a['invokeContext'] ?? null,
      invokeLogLevel: typeof a['invokeLogLevel'] === 'string' ? a['invokeLogLevel'] : 'info',
    };
  }
  return { invokeService: NATIVE_SERVICE, invokeContext: { steps: job.steps }, invokeLogLevel: 'info' };
}

export function idmExtensionOf(job: Job): Partial<IdmExtension> {
  const ext = job.extensions['idm'];
  return ext && typeof ext === 'object' && !Array.isArray(ext) ? (ext as Partial<IdmExtension>) : {};
}

export function triggerName(jobId: string): string {
  return `trigger-${jobId}`;
}

export function triggerId(jobId: string): string {
  return `${GROUP}.${triggerName(jobId)}`;
}

/** The trigger ids of the repo objects `acquiredTriggers` / `waitingTriggers` (RepoJobStore). */
export function repoTriggerId(jobId: string): string {
  return `${GROUP}_$x$x$_${triggerName(jobId)}`;
}

/** The job id of a trigger id (`scheduler-service-group.trigger-<id>`, or `trigger-<id>`), or null. */
export function jobIdOfTrigger(id: string): string | null {
  const name = id.startsWith(`${GROUP}.`) ? id.slice(GROUP.length + 1) : id;
  return name.startsWith('trigger-') && name.length > 'trigger-'.length
    ? name.slice('trigger-'.length)
    : null;
}
