/**
 * Puppet request bodies: the legacy `command/schedule_task` and `command/schedule_plan`, and the current
 * `scheduled_jobs/environment_jobs`. `scheduled_time` / `schedule.start_time` (ISO 8601 with a zone) is
 * a sked `once` schedule; with `interval {units: "seconds", value}` it is an `interval` schedule (every
 * value seconds from that time). Every problem is reported as a 400 validation-error naming the field.
 */

import type { ScheduleSpec } from '../../domain/types.js';
import { parseInstant } from '../../schedule/instant.js';
import type { Actor } from '../../service/actor.js';
import { PUPPET_TYPES, type PuppetAction, type PuppetType, type Scope } from './action.js';
import { validationError } from './errors.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a request makes: the action, its schedule, and Puppet's bookkeeping. */
export interface PuppetDefinition {
  action: PuppetAction;
  schedule: ScheduleSpec;
  jobOptions: Obj;
  userdata: Obj;
  enabled: boolean | undefined;
}

class Checker {
  readonly problems: Record<string, string> = {};

  fail(field: string, message: string): undefined {
    this.problems[field] ??= message;
    return undefined;
  }

  string(body: Obj, field: string, opts: { required?: boolean; nonEmpty?: boolean; label?: string } = {}): string | undefined {
    const v = body[field];
    const label = opts.label ?? field;
    if (v === undefined || v === null) return opts.required ? this.fail(label, 'is required') : undefined;
    if (typeof v !== 'string') return this.fail(label, 'must be a string');
    if (opts.nonEmpty && v.trim() === '') return this.fail(label, 'must not be empty');
    return v;
  }

  object(body: Obj, field: string, opts: { required?: boolean; label?: string } = {}): Obj | undefined {
    const v = body[field];
    if (v === undefined || v === null) return opts.required ? this.fail(opts.label ?? field, 'is required') : undefined;
    return isObject(v) ? v : this.fail(opts.label ?? field, 'must be a JSON object');
  }

  scope(v: unknown, label: string): Scope {
    if (!isObject(v)) return this.fail(label, 'is required: an object with exactly one of nodes, query or node_group') ?? {};
    const keys = ['nodes', 'query', 'node_group'].filter((k) => v[k] !== undefined);
    if (keys.length !== 1) return this.fail(label, 'must contain exactly one of nodes, query or node_group') ?? {};
    if (keys[0] === 'nodes') {
      const nodes = v['nodes'];
      if (!Array.isArray(nodes) || nodes.length === 0 || nodes.some((n) => typeof n !== 'string' || n === '')) return this.fail(`${label}.nodes`, 'must be a non-empty array of node names') ?? {};
      return { nodes: nodes as string[] };
    }
    const key = keys[0] as 'query' | 'node_group';
    const value = v[key];
    if (typeof value !== 'string' || value.trim() === '') return this.fail(`${label}.${key}`, 'must be a non-empty string') ?? {};
    return key === 'query' ? { query: value } : { node_group: value };
  }

  time(v: unknown, label: string): number | undefined {
    if (v === undefined || v === null) return this.fail(label, 'is required: an ISO 8601 timestamp such as 2027-05-05T19:50:08Z');
    const t = typeof v === 'string' ? parseInstant(v) : null;
    return t === null ? this.fail(label, `must be an ISO 8601 timestamp with a time zone (got ${JSON.stringify(v)})`) : t;
  }

  /** `{units: "seconds", value: n}` (null or absent: none). */
  interval(v: unknown, label: string): number | null {
    if (v === undefined || v === null) return null;
    if (!isObject(v)) return this.fail(label, 'must be null or an object {units: "seconds", value}') ?? null;
    if (v['units'] !== 'seconds') this.fail(`${label}.units`, 'must be "seconds"');
    const value = v['value'];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return this.fail(`${label}.value`, 'must be a positive integer number of seconds') ?? null;
    return value;
  }

  bool(body: Obj, field: string): boolean | undefined {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.fail(field, 'must be true or false');
  }

  done(): void {
    if (Object.keys(this.problems).length) throw validationError(this.problems);
  }
}

export function scheduleOf(time: number, intervalSeconds: number | null): ScheduleSpec {
  const at = new Date(time).toISOString();
  return intervalSeconds === null ? { type: 'once', at } : { type: 'interval', every: `PT${intervalSeconds}S`, startAt: at };
}

/** The RBAC-style owner of jobs a key makes. */
export function ownerOf(actor: Actor): Obj {
  return { id: actor.id, login: actor.name, email: '', display_name: actor.name, is_revoked: false, last_login: null, is_remote: false, is_group: false, is_superuser: actor.role === 'admin', role_ids: [], inherited_role_ids: [], group_ids: [] };
}

const rest = (body: Obj, known: readonly string[]): Obj => Object.fromEntries(Object.entries(body).filter(([k]) => !known.includes(k)));

function bodyOf(body: unknown): Obj {
  if (!isObject(body)) throw validationError({ body: 'must be a JSON object' });
  return body;
}

const LEGACY_KEYS: Record<PuppetType, readonly string[]> = {
  task: ['environment', 'task', 'params', 'scope', 'scheduled_time', 'schedule_options', 'description', 'noop'],
  plan: ['environment', 'plan_name', 'params', 'scheduled_time', 'schedule_options', 'description'],
  deploy: ['environment', 'scope', 'scheduled_time', 'schedule_options', 'description', 'noop'],
};

/** POST /command/schedule_task, /command/schedule_plan and /command/schedule_deploy. */
export function readLegacy(raw: unknown, type: PuppetType): PuppetDefinition {
  const body = bodyOf(raw);
  const c = new Checker();
  const name = type === 'task' ? c.string(body, 'task', { required: true, nonEmpty: true }) : type === 'plan' ? c.string(body, 'plan_name', { required: true, nonEmpty: true }) : undefined;
  const params = type === 'task' ? c.object(body, 'params', { required: true }) : type === 'plan' ? c.object(body, 'params') : undefined;
  const environment = c.string(body, 'environment', { nonEmpty: true }) ?? 'production';
  const scope = type === 'plan' ? {} : c.scope(body['scope'], 'scope');
  const time = c.time(body['scheduled_time'], 'scheduled_time');
  const options = c.object(body, 'schedule_options');
  const interval = c.interval(options?.['interval'], 'schedule_options.interval');
  const description = c.string(body, 'description') ?? '';
  const noop = type === 'plan' ? false : (c.bool(body, 'noop') ?? false);
  c.done();
  return {
    action: { type, environment, name: name ?? null, params: params ?? {}, scope, noop, description, input: null },
    schedule: scheduleOf(time as number, interval),
    jobOptions: rest(body, LEGACY_KEYS[type]),
    userdata: {},
    enabled: undefined,
  };
}

/** Parameter values with environment jobs' `{value: …}` wrappers removed. */
function plainParameters(parameters: Obj | undefined): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(parameters ?? {})) out[k] = isObject(v) && 'value' in v ? v['value'] : v;
  return out;
}

/** An environment job's input checked for its type (deploy and task need a scope; task and plan a name). */
function actionOfInput(c: Checker, type: PuppetType, input: Obj, environment: string, description: string): PuppetAction {
  const name = type === 'deploy' ? undefined : c.string(input, 'name', { required: true, nonEmpty: true, label: 'input.name' });
  const parameters = c.object(input, 'parameters', { label: 'input.parameters' });
  const scope = type === 'plan' ? {} : c.scope(input['scope'], 'input.scope');
  const noop = input['noop'] === true;
  return { type, environment, name: name ?? null, params: plainParameters(parameters), scope, noop, description, input };
}

/**
 * POST /scheduled_jobs/environment_jobs (`current` null), or PUT on one (`current`: the job's present
 * fields; keys left out of the body keep their values).
 */
export function readEnvironmentJob(raw: unknown, current: { action: PuppetAction; input: Obj; schedule: ScheduleSpec; userdata: Obj } | null): PuppetDefinition & { changed: { action: boolean; schedule: boolean } } {
  const body = bodyOf(raw);
  const c = new Checker();
  const allowed = current ? ['input', 'environment', 'schedule', 'description', 'userdata', 'enabled'] : ['type', 'input', 'environment', 'schedule', 'description', 'userdata', 'enabled'];
  for (const key of Object.keys(body)) if (!allowed.includes(key)) c.fail(key, `is not a known key (use ${allowed.join(', ')})`);
  let type: PuppetType = current?.action.type ?? 'task';
  if (!current) {
    const t = c.string(body, 'type', { required: true });
    if (t !== undefined && !PUPPET_TYPES.includes(t as PuppetType)) c.fail('type', 'must be one of deploy, task, plan');
    else if (t !== undefined) type = t as PuppetType;
  }
  const input = c.object(body, 'input', { required: !current }) ?? current?.input ?? {};
  const environment = c.string(body, 'environment', { required: !current }) ?? current?.action.environment ?? '';
  if (environment === '' && type !== 'deploy' && (!current || body['environment'] !== undefined)) c.fail('environment', 'must not be empty for task and plan jobs');
  const description = c.string(body, 'description') ?? current?.action.description ?? '';
  const userdata = c.object(body, 'userdata') ?? current?.userdata ?? {};
  const enabled = c.bool(body, 'enabled');
  const sched = c.object(body, 'schedule', { required: !current });
  let schedule = current?.schedule ?? null;
  if (sched) {
    const time = c.time(sched['start_time'], 'schedule.start_time');
    const interval = c.interval(sched['interval'], 'schedule.interval');
    if (time !== undefined) schedule = scheduleOf(time, interval);
  }
  const actionChanged = !current || body['input'] !== undefined || body['environment'] !== undefined;
  // An edit that leaves input and environment out keeps the action as it is (only its description may change).
  const action = actionChanged || !current ? actionOfInput(c, type, input, environment, description) : { ...current.action, description };
  c.done();
  return { action, schedule: schedule as ScheduleSpec, jobOptions: {}, userdata, enabled, changed: { action: actionChanged, schedule: !current || sched !== undefined } };
}
