/**
 * InfinniPlatform's JobInfo on sked jobs.
 *
 * - Id: the sked job id. Infinni ids are `<Group>.<Name>`; the path id of `POST /scheduler/jobs/{id}`
 *   is the job id as it is (it must match sked's `[A-Za-z0-9._-]{1,128}`).
 * - Group: the job's collection. Group `Default` (Infinni's default) is collection `default`; any other
 *   group is the collection of that name, and collection `default` shows as group `Default`.
 * - Name: the job's name (default: the id without its `<Group>.` prefix).
 * - State: 0 Planned (enabled or completed), 1 Paused (paused or faulted).
 * - CronExpression: the Quartz expression (dialect quartz, dst quartz, UTC unless the job has a zone);
 *   jobs with other schedules show the equivalent Quartz cron when there is one.
 * - MisfirePolicy: 0 DoNothing = catch-up `none`, 1 FireAndProceed = `latest`.
 * - HandlerType and Data: a `dispatch` step (surface `infinni`) carrying `{HandlerType, Name, Group,
 *   Data}`; a trigger without a body runs with Data as its payload, as InfinniPlatform does.
 */

import type { DispatchStep, Job, ScheduleSpec, Step } from '../../domain/types.js';
import { parseInstant } from '../../schedule/instant.js';
import type { JobInput } from '../../service/job-input.js';
import { quartzExpressionOf } from '../idm/quartz-expression.js';
import { withoutNulls } from './infinni-envelope.js';

export const DEFAULT_GROUP = 'Default';

export function groupOf(collection: string): string {
  return collection === 'default' ? DEFAULT_GROUP : collection;
}

export function collectionOf(group: string): string {
  return group === DEFAULT_GROUP ? 'default' : group;
}

function isInfinniDispatch(step: Step): step is DispatchStep {
  return step.type === 'dispatch' && step.surface === 'infinni';
}

/** The Data of a job: its dispatch step's, or null. */
export function dataOf(job: Job): Record<string, unknown> | null {
  const data = job.steps.find(isInfinniDispatch)?.action['Data'];
  return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
}

/** Newtonsoft-style: enums are integers or case-insensitive names; Instants with `Z`/offset are kept, none = UTC. */
function utc(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${name} must be a date-time string`);
  const text = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const t = parseInstant(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (t === null) throw new Error(`${name} '${value}' is not a date-time such as 2018-01-01T00:00:00Z`);
  return new Date(t).toISOString();
}

function enumValue(value: unknown, names: readonly string[], name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length)
    return value;
  if (typeof value === 'string') {
    const i = names.findIndex((n) => n.toLowerCase() === value.trim().toLowerCase());
    if (i >= 0) return i;
    if (/^\d+$/.test(value.trim()) && Number(value) < names.length) return Number(value);
  }
  throw new Error(`${name} must be one of ${names.map((n, i) => `${i} (${n})`).join(', ')}`);
}

/** Infinni timestamps (DateTimeOffset): `2018-01-01T00:00:00+00:00`, fractions only when there are some. */
function infinniTime(text: string | undefined): string | null {
  if (text === undefined) return null;
  const t = Date.parse(text);
  if (Number.isNaN(t)) return null;
  return new Date(t)
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/Z$/, '+00:00');
}

/** Any sked job as a JobInfo (PascalCase, enums as integers, nulls left out). */
export function jobInfoOf(job: Job): Record<string, unknown> {
  const dispatch = job.steps.find(isInfinniDispatch);
  const handler = dispatch?.action['HandlerType'];
  return withoutNulls({
    Id: job.id,
    Name: job.name,
    Group: groupOf(job.collection),
    State: job.state === 'paused' || job.state === 'faulted' ? 1 : 0,
    Description: job.description === '' ? null : job.description,
    HandlerType: typeof handler === 'string' ? handler : null,
    CronExpression: quartzExpressionOf(job.schedule),
    StartTimeUtc: infinniTime(job.schedule.startAt),
    EndTimeUtc: infinniTime(job.schedule.endAt),
    MisfirePolicy: job.catchUp.policy === 'none' ? 0 : 1,
    Data: dataOf(job),
  });
}

/** JSON property names match case-insensitively, as Newtonsoft reads them. */
function lookup(body: Record<string, unknown>): (name: string) => unknown {
  const byLower = new Map(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => byLower.get(name.toLowerCase());
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${name} must be a string`);
  return value;
}

/**
 * A posted JobInfo as a job definition. The path id wins over any Id in the body; `existing` (the job being
 * updated) keeps what JobInfo does not say (labels, retry, timeout, a zone, non-Infinni steps).
 */
export function jobInfoToInput(id: string, raw: unknown, existing: Job | null): JobInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('the body must be a JobInfo object');
  const get = lookup(raw as Record<string, unknown>);
  const group =
    optionalText(get('Group'), 'Group') ?? (existing ? groupOf(existing.collection) : DEFAULT_GROUP);
  const name =
    optionalText(get('Name'), 'Name') ??
    existing?.name ??
    (id.startsWith(`${group}.`) && id.length > group.length + 1 ? id.slice(group.length + 1) : id);
  const state = enumValue(get('State'), ['Planned', 'Paused'], 'State');
  const misfire = enumValue(get('MisfirePolicy'), ['DoNothing', 'FireAndProceed'], 'MisfirePolicy') ?? 0;
  const handlerType = optionalText(get('HandlerType'), 'HandlerType');
  const dataRaw = get('Data');
  if (dataRaw !== undefined && dataRaw !== null && (typeof dataRaw !== 'object' || Array.isArray(dataRaw)))
    throw new Error('Data must be an object');
  const data = (dataRaw ?? null) as Record<string, unknown> | null;
  const cron = optionalText(get('CronExpression'), 'CronExpression');
  const startAt = utc(get('StartTimeUtc'), 'StartTimeUtc');
  const endAt = utc(get('EndTimeUtc'), 'EndTimeUtc');
  let schedule: ScheduleSpec;
  if (cron !== undefined && cron.trim() !== '') {
    const zone = existing?.schedule.type === 'cron' ? existing.schedule.timeZone : undefined;
    schedule = {
      type: 'cron',
      expression: cron,
      dialect: 'quartz',
      dst: 'quartz',
      timeZone: zone,
      startAt,
      endAt,
    };
  } else if (existing) {
    // A JobInfo of a job without a Quartz equivalent (an interval, a one-time fire) keeps its schedule.
    schedule = {
      ...existing.schedule,
      startAt: startAt ?? existing.schedule.startAt,
      endAt: endAt ?? existing.schedule.endAt,
    };
  } else {
    throw new Error('CronExpression is required (a Quartz cron expression such as 0 0/5 * * * ?)');
  }
  const description = optionalText(get('Description'), 'Description');
  return {
    name,
    description: description ?? existing?.description,
    collection: collectionOf(group),
    labels: existing?.labels,
    schedule,
    steps: stepsFor(existing, handlerType, { Name: name, Group: group, Data: data }),
    onFailure: existing?.onFailure,
    retry: existing?.retry,
    // InfinniPlatform hands each fire to a task queue: fires of one job may overlap.
    overlap: existing?.overlap ?? 'allow',
    catchUp: { policy: misfire === 0 ? 'none' : 'latest', window: existing?.catchUp.window },
    timeout: existing?.timeout,
    enabled: state === undefined ? undefined : state === 0,
    extensions: existing?.extensions,
  };
}

function stepsFor(
  existing: Job | null,
  handlerType: string | undefined,
  fields: { Name: string; Group: string; Data: Record<string, unknown> | null },
): Step[] {
  const steps = existing?.steps ?? [];
  const at = steps.findIndex(isInfinniDispatch);
  if (handlerType === undefined) {
    // No handler: a job with an Infinni step keeps it (with the new Data); any other keeps its steps.
    if (at < 0) return steps;
    const previous = steps[at] as DispatchStep;
    return steps.map((s, i) => (i === at ? { ...previous, action: { ...previous.action, ...fields } } : s));
  }
  const step: DispatchStep = {
    stepIndex: 0,
    name: 'HandlerType',
    type: 'dispatch',
    surface: 'infinni',
    action: { HandlerType: handlerType, ...fields },
  };
  // A handler named for a job that had none replaces its steps: the handler is what the job now runs.
  if (at < 0) return [step];
  return steps.map((s, i) => (i === at ? { ...step, stepIndex: s.stepIndex } : s));
}
