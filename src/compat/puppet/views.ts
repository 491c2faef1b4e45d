/**
 * Any sked job in the orchestrator's shapes: the legacy scheduled job item (`/scheduled_jobs`) and the
 * environment job (`/scheduled_jobs/environment_jobs`). Instants are ISO 8601 UTC with milliseconds, as in
 * the seed; `environment` is spelled correctly (the seed's example writes `enviroment`). A job made
 * elsewhere shows as a task named after the job, with `scheduled_time` its next fire and its sked schedule
 * in `job_options.schedule`.
 */

import type { Job, RunStatus } from '../../domain/types.js';
import { parseDuration, parseInstant } from '../../schedule/instant.js';
import { actionOf, extensionOf, type PuppetAction } from './action.js';
import { puppetNameOf } from './ids.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export const LEGACY_PATH = '/orchestrator/v1/scheduled_jobs';
export const ENVIRONMENT_PATH = '/orchestrator/v1/scheduled_jobs/environment_jobs';

/** The first run time and the repeat interval in seconds (null: runs once, or not on a seconds interval). */
export function scheduleParts(job: Job): { time: number | null; interval: number | null } {
  const s = job.schedule;
  if (s.type === 'once') return { time: parseInstant(s.at), interval: null };
  if (s.type === 'interval') {
    const ms = parseDuration(s.every);
    return { time: s.startAt ? parseInstant(s.startAt) : job.status.nextFireTime, interval: ms === null ? null : Math.round(ms / 1000) };
  }
  return { time: job.status.nextFireTime, interval: null };
}

export const nextRunOf = (job: Job): string | null => (job.state === 'enabled' ? iso(job.status.nextFireTime) : null);

const isPuppetJob = (job: Job): boolean => job.steps.some((s) => s.type === 'dispatch' && s.surface === 'puppet');

function jobOptionsOf(job: Job): Record<string, unknown> {
  const options = extensionOf(job).job_options;
  return isPuppetJob(job) ? options : { ...options, schedule: job.schedule };
}

export function legacyItem(job: Job, origin: string): Record<string, unknown> {
  const action = actionOf(job);
  const name = puppetNameOf(job.id);
  const { time, interval } = scheduleParts(job);
  return {
    id: `${origin}${LEGACY_PATH}/${name}`,
    name,
    type: action.type,
    ...(action.type === 'task' ? { task: action.name } : action.type === 'plan' ? { plan: action.name } : {}),
    scope: action.scope,
    environment: action.environment,
    owner: extensionOf(job).owner,
    description: job.description,
    scheduled_time: iso(time),
    next_run: nextRunOf(job),
    schedule_options: interval === null ? {} : { interval: { units: 'seconds', value: interval } },
    noop: action.noop,
    job_options: jobOptionsOf(job),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An environment job's input as shown: sensitive parameter values are left out and named instead. */
function inputView(action: PuppetAction): Record<string, unknown> {
  if (action.input) {
    const parameters: Record<string, unknown> = {};
    const sensitive: string[] = [];
    for (const [k, v] of Object.entries(isObject(action.input['parameters']) ? action.input['parameters'] : {})) {
      if (isObject(v) && v['sensitive'] === true) sensitive.push(k);
      else parameters[k] = v;
    }
    return { ...action.input, parameters, sensitive_parameters: sensitive };
  }
  const parameters = Object.fromEntries(Object.entries(action.params).map(([k, v]) => [k, { value: v }]));
  if (action.type === 'deploy') return { scope: action.scope, noop: action.noop };
  if (action.type === 'plan') return { name: action.name, parameters, sensitive_parameters: [] };
  return { name: action.name, parameters, sensitive_parameters: [], scope: action.scope, noop: action.noop };
}

const JOB_STATE: Record<RunStatus, string> = { queued: 'ready', running: 'running', succeeded: 'finished', failed: 'failed', timedOut: 'failed', interrupted: 'failed', cancelled: 'stopped' };

export function environmentItem(job: Job, origin: string): Record<string, unknown> {
  const action = actionOf(job);
  const ext = extensionOf(job);
  const name = puppetNameOf(job.id);
  const { time, interval } = scheduleParts(job);
  const last = job.status.lastRun;
  return {
    id: `${origin}${ENVIRONMENT_PATH}/${name}`,
    name,
    enabled: job.state !== 'paused' && job.state !== 'faulted',
    environment: action.environment,
    owner: ext.owner,
    description: job.description,
    type: action.type,
    input: inputView(action),
    userdata: ext.userdata,
    schedule: { start_time: iso(time), interval: interval === null ? null : { units: 'seconds', value: interval } },
    next_run: nextRunOf(job),
    last_run: last === null ? null : { timestamp: iso(job.status.lastFireTime), job: { id: `${origin}/api/v1/runs/${last.id}`, name: last.id, state: JOB_STATE[last.status] } },
  };
}

/** The fields a PUT on an environment job starts from. */
export function environmentFields(job: Job): { action: PuppetAction; input: Record<string, unknown>; schedule: Job['schedule']; userdata: Record<string, unknown> } {
  const action = actionOf(job);
  // The stored input (sensitive values included), so an edit of other keys keeps them.
  return { action, input: action.input ?? inputView(action), schedule: job.schedule, userdata: extensionOf(job).userdata };
}
