/**
 * A Puppet task, plan or deploy as sked runs it: one `dispatch` step to the puppet surface's URL, whose
 * action carries the original fields (type, environment, task or plan name, params, scope, noop, and for
 * environment jobs the `input` object verbatim). Puppet's own bookkeeping (owner, userdata, job_options)
 * is kept in the job's `extensions.puppet`. Jobs made elsewhere have neither, and show as tasks named
 * after the job.
 */

import type { DispatchStep, Job, Step } from '../../domain/types.js';

export type PuppetType = 'task' | 'plan' | 'deploy';
export const PUPPET_TYPES: readonly PuppetType[] = ['task', 'plan', 'deploy'];

/** Exactly one of nodes, query (PQL) or node_group. */
export type Scope = { nodes: string[] } | { query: string } | { node_group: string } | Record<string, never>;

export interface PuppetAction {
  type: PuppetType;
  environment: string;
  /** The task or plan name (null for deploys). */
  name: string | null;
  /** Parameter values, plain (environment jobs' `{value}` wrappers removed). */
  params: Record<string, unknown>;
  scope: Scope;
  noop: boolean;
  description: string;
  /** An environment job's `input`, verbatim. */
  input: Record<string, unknown> | null;
}

export interface PuppetExtension {
  owner: Record<string, unknown>;
  userdata: Record<string, unknown>;
  job_options: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `task package`, `plan canary::deploy`, `deploy production`: the sked job's and step's name. */
export const titleOf = (action: PuppetAction): string => `${action.type} ${action.name ?? (action.environment || 'all environments')}`;

/** The dispatch step running an action. */
export function dispatchStepOf(action: PuppetAction): DispatchStep {
  const fields: Record<string, unknown> = { type: action.type, environment: action.environment };
  if (action.type === 'task') fields['task'] = action.name;
  if (action.type === 'plan') fields['plan'] = action.name;
  fields['params'] = action.params;
  if (action.type !== 'plan') fields['scope'] = action.scope;
  fields['noop'] = action.noop;
  fields['description'] = action.description;
  if (action.input) fields['input'] = action.input;
  return { stepIndex: 0, type: 'dispatch', surface: 'puppet', name: titleOf(action), action: fields };
}

function scopeOf(v: unknown): Scope {
  if (!isObject(v)) return {};
  if (Array.isArray(v['nodes'])) return { nodes: v['nodes'].filter((n): n is string => typeof n === 'string') };
  if (typeof v['query'] === 'string') return { query: v['query'] };
  if (typeof v['node_group'] === 'string') return { node_group: v['node_group'] };
  return {};
}

/** The Puppet action of a job: its puppet dispatch step, or (for a job made elsewhere) a task named after it. */
export function actionOf(job: Job): PuppetAction {
  const step = job.steps.find((s: Step): s is DispatchStep => s.type === 'dispatch' && s.surface === 'puppet');
  if (!step) return { type: 'task', environment: 'production', name: job.name, params: {}, scope: {}, noop: false, description: job.description, input: null };
  const a = step.action;
  const type = PUPPET_TYPES.includes(a['type'] as PuppetType) ? (a['type'] as PuppetType) : 'task';
  const name = typeof a['task'] === 'string' ? a['task'] : typeof a['plan'] === 'string' ? a['plan'] : null;
  return {
    type,
    environment: typeof a['environment'] === 'string' ? a['environment'] : 'production',
    name,
    params: isObject(a['params']) ? a['params'] : {},
    scope: scopeOf(a['scope']),
    noop: a['noop'] === true,
    description: job.description,
    input: isObject(a['input']) ? a['input'] : null,
  };
}

export function extensionOf(job: Job): PuppetExtension {
  const ext = job.extensions['puppet'];
  const e = isObject(ext) ? ext : {};
  return {
    owner: isObject(e['owner']) ? e['owner'] : { id: null, login: 'sked', display_name: 'sked', email: '', is_revoked: false, is_remote: false, is_group: false, role_ids: [], group_ids: [] },
    userdata: isObject(e['userdata']) ? e['userdata'] : {},
    job_options: isObject(e['job_options']) ? e['job_options'] : {},
  };
}
