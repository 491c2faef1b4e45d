/**
 * An IDM schedule configuration (a PUT or create body) as a sked job definition. The checks and their
 * messages are IDM's ScheduleConfig's; everything about time and firing is then checked by the service.
 */

import type {
  CatchUpPolicy,
  DispatchStep,
  Job,
  OverlapPolicy,
  ScheduleSpec,
  Step,
} from '../../domain/types.js';
import { formatDuration } from '../../schedule/instant.js';
import type { JobInput } from '../../service/job-input.js';
import { IdmError } from './idm-errors.js';
import {
  idmActionOf,
  isIdmDispatch,
  NATIVE_SERVICE,
  SERVICE_PREFIX,
  type IdmExtension,
} from './idm-model.js';
import { ianaZone, parseIdmTime, type ParsedTime } from './idm-time.js';

/** Quartz's misfire window has no bound: fireAndProceed catches up however long the outage was. */
const FIRE_AND_PROCEED_WINDOW = 'P365D';

type Body = Record<string, unknown>;

/** IDM reads booleans as JSON booleans or as the strings "true"/"false". */
function bool(body: Body, name: string, fallback: boolean): boolean {
  const v = body[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.trim().toLowerCase() === 'true';
  throw new IdmError(400, `Expecting a boolean for ${name} (got ${JSON.stringify(v)})`);
}

function text(body: Body, name: string): string | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string')
    throw new IdmError(400, `Expecting a string for ${name} (got ${JSON.stringify(v)})`);
  return v.trim() === '' ? null : v;
}

function integer(body: Body, name: string, fallback: number): number {
  const v = body[name];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new IdmError(400, `Expecting an integer for ${name} (got ${JSON.stringify(v)})`);
  return n;
}

function time(body: Body, name: 'startTime' | 'endTime', zone: string): ParsedTime | null {
  const raw = text(body, name);
  if (raw === null) return null;
  const t = parseIdmTime(raw, zone);
  if (!t)
    throw new IdmError(
      400,
      `Unable to parse ${name} '${raw}': expected yyyy-MM-dd'T'HH:mm:ss, optionally with an offset such as +02:00`,
    );
  return t;
}

const iso = (t: ParsedTime | null): string | undefined =>
  t === null ? undefined : new Date(t.at).toISOString();

export interface IdmConfig {
  input: JobInput;
  extension: IdmExtension;
}

/**
 * The job definition of an IDM schedule. `existing` is the job being replaced (its collection, labels,
 * retry and timeout are kept, and so are its steps when the invoke fields are those it shows); `now` is
 * the start of a simple trigger without a startTime (Quartz starts those at once).
 */
export function idmConfigToInput(id: string, raw: unknown, existing: Job | null, now: number): IdmConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new IdmError(400, 'Error creating schedule: the body must be a JSON object');
  const body = raw as Body;
  const enabled = bool(body, 'enabled', true);
  const persisted = bool(body, 'persisted', true);
  const recoverable = bool(body, 'recoverable', false);
  const concurrentExecution = bool(body, 'concurrentExecution', false);
  const misfirePolicy = text(body, 'misfirePolicy') ?? 'fireAndProceed';
  if (misfirePolicy !== 'fireAndProceed' && misfirePolicy !== 'doNothing')
    throw new IdmError(400, `Invalid misfire policy: ${misfirePolicy}`);
  const type = text(body, 'type') ?? 'cron';
  if (type !== 'cron' && type !== 'simple') {
    throw new IdmError(
      400,
      `Scheduler configuration contains unknown schedule type ${type}. Known types include cron, simple`,
    );
  }
  let invokeService = text(body, 'invokeService');
  if (invokeService === null) {
    throw new IdmError(
      400,
      `Invalid scheduler configuration, the invokeService property needs to be set but is empty. Complete config:${JSON.stringify(body)}`,
    );
  }
  if (!invokeService.includes('.')) invokeService = SERVICE_PREFIX + invokeService;
  const invokeContext = body['invokeContext'] ?? null;
  const invokeLogLevel = text(body, 'invokeLogLevel') ?? 'info';
  const zoneText = text(body, 'timeZone');
  const zone = zoneText === null ? null : ianaZone(zoneText);
  if (zoneText !== null && zone === null)
    throw new IdmError(400, `Scheduler configured timezone is not understood: ${zoneText}`);
  const start = time(body, 'startTime', zone ?? 'UTC');
  const end = time(body, 'endTime', zone ?? 'UTC');
  if (start?.offset && end?.offset && start.offset !== end.offset)
    throw new IdmError(400, 'startTime and endTime must use the same offset');

  let schedule: ScheduleSpec;
  if (type === 'cron') {
    const expression = text(body, 'schedule');
    if (expression === null)
      throw new IdmError(
        400,
        'Invalid scheduler configuration: a cron schedule needs a schedule (a Quartz cron expression such as 0 0/30 * * * ?)',
      );
    schedule = {
      type: 'cron',
      expression,
      dialect: 'quartz',
      dst: 'quartz',
      timeZone: zone ?? undefined,
      startAt: iso(start),
      endAt: iso(end),
    };
  } else {
    const repeatInterval = integer(body, 'repeatInterval', 0);
    const repeatCount = integer(body, 'repeatCount', -1);
    if (repeatCount < -1)
      throw new IdmError(400, `Invalid repeatCount ${repeatCount}: use -1 (forever) or a count >= 0`);
    // Quartz starts a simple trigger without a start time at once: here, at the next whole second.
    const startAt = start ? start.at : Math.floor(now / 1000) * 1000 + 1000;
    if (repeatCount === 0) {
      schedule = { type: 'once', at: new Date(startAt).toISOString(), endAt: iso(end) };
    } else {
      if (repeatInterval < 1000)
        throw new IdmError(
          400,
          `Invalid repeatInterval ${repeatInterval}: a simple schedule that repeats needs repeatInterval >= 1000 (ms)`,
        );
      schedule = {
        type: 'interval',
        every: formatDuration(repeatInterval),
        startAt: new Date(startAt).toISOString(),
        endAt: iso(end),
        repeatCount: repeatCount === -1 ? undefined : repeatCount,
      };
    }
  }

  const action = { invokeService, invokeContext, invokeLogLevel };
  const extension: IdmExtension = {
    persisted,
    recoverable,
    timeZone: zoneText,
    startTime: text(body, 'startTime'),
    endTime: text(body, 'endTime'),
  };
  return {
    input: {
      name: existing?.name ?? id,
      description: existing?.description,
      collection: existing?.collection,
      labels: existing?.labels,
      schedule,
      steps: stepsFor(action, existing),
      onFailure: existing?.onFailure,
      retry: existing?.retry,
      overlap: overlapFor(concurrentExecution, existing),
      catchUp: catchUpFor(misfirePolicy, existing),
      timeout: existing?.timeout,
      enabled,
      extensions: { ...existing?.extensions, idm: extension },
    },
    extension,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The steps: unchanged when the invoke fields are what the job shows, else the IDM dispatch step. */
function stepsFor(
  action: { invokeService: string; invokeContext: unknown; invokeLogLevel: string },
  existing: Job | null,
): Step[] {
  if (existing) {
    const shown = idmActionOf(existing);
    if (
      shown.invokeService === action.invokeService &&
      sameJson(shown.invokeContext, action.invokeContext) &&
      shown.invokeLogLevel === action.invokeLogLevel
    )
      return existing.steps;
    if (action.invokeService === NATIVE_SERVICE) return existing.steps;
  } else if (action.invokeService === NATIVE_SERVICE) {
    throw new IdmError(
      400,
      `invokeService '${NATIVE_SERVICE}' stands for a job's own sked steps: define those through /api/v1/jobs`,
    );
  }
  const dispatch: DispatchStep = {
    stepIndex: 0,
    name: 'invokeService',
    type: 'dispatch',
    surface: 'idm',
    action,
  };
  const steps = existing?.steps ?? [];
  const at = steps.findIndex(isIdmDispatch);
  if (at < 0) return [dispatch];
  return steps.map((s, i) => (i === at ? { ...dispatch, stepIndex: s.stepIndex } : s));
}

function overlapFor(concurrent: boolean, existing: Job | null): OverlapPolicy {
  if (concurrent) return 'allow';
  return existing && existing.overlap !== 'allow' ? existing.overlap : 'skip';
}

function catchUpFor(
  policy: 'fireAndProceed' | 'doNothing',
  existing: Job | null,
): { policy: CatchUpPolicy; window: string } {
  if (policy === 'doNothing')
    return { policy: 'none', window: existing?.catchUp.window ?? FIRE_AND_PROCEED_WINDOW };
  if (existing && existing.catchUp.policy !== 'none') return existing.catchUp;
  return { policy: 'latest', window: FIRE_AND_PROCEED_WINDOW };
}
