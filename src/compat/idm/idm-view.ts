/**
 * Any sked job in IDM's shapes: the schedule object of `/openidm/scheduler/job` (IDM 7/8 for resource
 * version 2, the 5/6 shape for version 1) and its Quartz trigger.
 *
 * Trigger states: a paused job is disabled in IDM's terms (`enabled: false`, no trigger: sked has one
 * paused state for IDM's pause and disable); a completed job has no trigger; a faulted one keeps an ERROR
 * trigger; a job with a run going is BLOCKED (what IDM's admin UI asks for as "running now"), otherwise
 * NORMAL. Version 1 writes states as Quartz 1.x integers (NONE -1, NORMAL 0, PAUSED 1, COMPLETE 2,
 * ERROR 3, BLOCKED 4).
 */

import type { Job } from '../../domain/types.js';
import { parseDuration } from '../../schedule/instant.js';
import type { IdmVersion } from './idm-request.js';
import { GROUP, idmActionOf, idmExtensionOf, triggerId, triggerName } from './idm-model.js';
import { formatIdmTime, ianaZone, parseIdmTime } from './idm-time.js';
import { quartzExpressionOf } from './quartz-expression.js';

/** Who holds what, read once per request: the node holding each job's acquired fire, and running runs. */
export interface IdmRuntime {
  acquired: ReadonlyMap<string, string>;
  running: ReadonlyMap<string, string>;
}

type TriggerState = 'NORMAL' | 'PAUSED' | 'COMPLETE' | 'ERROR' | 'BLOCKED' | 'NONE';
const STATE_NUMBER: Record<TriggerState, number> = {
  NONE: -1,
  NORMAL: 0,
  PAUSED: 1,
  COMPLETE: 2,
  ERROR: 3,
  BLOCKED: 4,
};

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
const ms = (text: string | undefined): number | null => (text === undefined ? null : Date.parse(text));

interface Shape {
  type: 'cron' | 'simple';
  schedule: string | null;
  repeatInterval: number;
  repeatCount: number;
  startAt: number | null;
  endAt: number | null;
  timeZone: string | null;
}

/** The IDM trigger type and fields of a job's schedule. */
function shapeOf(job: Job): Shape {
  const s = job.schedule;
  const bounds = { startAt: ms(s.startAt), endAt: ms(s.endAt) };
  switch (s.type) {
    case 'interval':
      return {
        type: 'simple',
        schedule: null,
        repeatInterval: parseDuration(s.every) ?? 0,
        repeatCount: s.repeatCount ?? -1,
        ...bounds,
        timeZone: null,
      };
    case 'once':
      return {
        type: 'simple',
        schedule: null,
        repeatInterval: 0,
        repeatCount: 0,
        ...bounds,
        startAt: ms(s.at),
        timeZone: null,
      };
    case 'manual':
      return { type: 'cron', schedule: null, repeatInterval: 0, repeatCount: 0, ...bounds, timeZone: null };
    default:
      return {
        type: 'cron',
        schedule: quartzExpressionOf(s),
        repeatInterval: 0,
        repeatCount: 0,
        ...bounds,
        timeZone: s.timeZone ?? null,
      };
  }
}

/** The original IDM text when it still means the stored instant, else the instant in IDM's format. */
function timeText(original: string | null | undefined, at: number | null, zone: string): string | null {
  if (at === null) return null;
  if (original) {
    const parsed = parseIdmTime(original, zone);
    if (parsed && parsed.at === at) return original;
  }
  return formatIdmTime(at, zone);
}

function stateOf(job: Job, rt: IdmRuntime): TriggerState | null {
  if (job.state === 'paused' || job.state === 'completed' || job.schedule.type === 'manual') return null;
  if (job.state === 'faulted') return 'ERROR';
  return rt.running.has(job.id) ? 'BLOCKED' : 'NORMAL';
}

/** The job's Quartz trigger, or null when it has none (disabled, completed, manual). */
export function triggerView(job: Job, rt: IdmRuntime, version: IdmVersion): Record<string, unknown> | null {
  const state = stateOf(job, rt);
  if (state === null) return null;
  const shape = shapeOf(job);
  const ext = idmExtensionOf(job);
  const nodeId = rt.running.get(job.id) ?? rt.acquired.get(job.id) ?? null;
  const common = {
    calendarName: null,
    description: null,
    endTime: shape.endAt,
    fireInstanceId: null,
    group: GROUP,
    jobGroup: GROUP,
    jobName: job.id,
    name: triggerName(job.id),
    nextFireTime: state === 'ERROR' ? null : job.status.nextFireTime,
    previousFireTime: job.status.lastFireTime,
    priority: 5,
    startTime: shape.startAt ?? job.createdAt,
    volatility: ext.persisted === false,
  };
  const serialized =
    shape.type === 'cron'
      ? {
          type: 'CronTriggerImpl',
          ...common,
          cronEx: { cronExpression: shape.schedule, timeZone: shape.timeZone ?? 'UTC' },
          misfireInstruction: job.catchUp.policy === 'none' ? 2 : 1,
          timeZone: shape.timeZone ?? 'UTC',
        }
      : {
          type: 'SimpleTriggerImpl',
          ...common,
          misfireInstruction: 1,
          repeatCount: shape.repeatCount,
          repeatInterval: shape.repeatInterval,
          timesTriggered: job.status.runCount,
        };
  if (version === 1) {
    return {
      _id: triggerId(job.id),
      _rev: String(job.version),
      name: triggerName(job.id),
      group: GROUP,
      state: STATE_NUMBER[state],
      previous_state: STATE_NUMBER.NONE,
      acquired: nodeId !== null,
      nodeId,
      serialized: JSON.stringify(serialized),
    };
  }
  return {
    _id: triggerId(job.id),
    _rev: String(job.version),
    calendar: null,
    group: GROUP,
    jobKey: `${GROUP}.${job.id}`,
    name: triggerName(job.id),
    nodeId,
    previousState: null,
    serialized,
    state,
  };
}

/** The schedule configuration fields (what `listCurrentlyExecutingJobs` returns), in IDM's order. */
export function configView(job: Job, version: IdmVersion): Record<string, unknown> {
  const shape = shapeOf(job);
  const ext = idmExtensionOf(job);
  const action = idmActionOf(job);
  const zoneForTimes = shape.timeZone ?? (ext.timeZone ? ianaZone(ext.timeZone) : null) ?? 'UTC';
  // Simple triggers keep no zone in sked (their instants are absolute): the one IDM was given is shown.
  const keptZone = ext.timeZone && (shape.type === 'simple' || ianaZone(ext.timeZone) === shape.timeZone);
  const shownZone = keptZone ? ext.timeZone : shape.timeZone;
  const out: Record<string, unknown> = {
    enabled: job.state !== 'paused',
    persisted: ext.persisted ?? true,
  };
  if (version === 2) out['recoverable'] = ext.recoverable ?? false;
  out['misfirePolicy'] = job.catchUp.policy === 'none' ? 'doNothing' : 'fireAndProceed';
  out['schedule'] = shape.schedule;
  if (version === 2 || shape.type === 'simple') {
    out['repeatInterval'] = shape.repeatInterval;
    out['repeatCount'] = shape.repeatCount;
  }
  out['type'] = shape.type;
  out['invokeService'] = action.invokeService;
  out['invokeContext'] = action.invokeContext;
  out['invokeLogLevel'] = action.invokeLogLevel;
  out['timeZone'] = shownZone;
  // A simple trigger IDM was given no startTime for started at its creation: IDM shows none.
  const startedAtCreation = shape.type === 'simple' && ext.startTime === null;
  out['startTime'] = startedAtCreation ? null : timeText(ext.startTime, shape.startAt, zoneForTimes);
  out['endTime'] = timeText(ext.endTime, shape.endAt, zoneForTimes);
  out['concurrentExecution'] = job.overlap === 'allow';
  return out;
}

/** The schedule object of `/openidm/scheduler/job/{id}`. */
export function scheduleView(job: Job, rt: IdmRuntime, version: IdmVersion): Record<string, unknown> {
  const trigger = triggerView(job, rt, version);
  const out: Record<string, unknown> = {
    _id: job.id,
    _rev: String(job.version),
    ...configView(job, version),
    triggers: trigger ? [trigger] : [],
  };
  if (version === 2) out['previousRunDate'] = iso(job.status.lastFireTime);
  out['nextRunDate'] =
    trigger && trigger['state'] !== 'ERROR' && trigger['state'] !== 3 ? iso(job.status.nextFireTime) : null;
  return out;
}
