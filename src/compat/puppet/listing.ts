/**
 * The orchestrator's list parameters: `limit` and `offset` (integers ≥ 0; anything else is a 400
 * validation-error, as the seed documents), `order_by`, `order` (asc|desc) and `type` (deploy|task|plan);
 * `pagination.total` counts every job the filter matches, ignoring limit and offset. Jobs are filtered,
 * sorted and paged in memory over every sked job (each is a scheduled job here).
 */

import type { Job } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import { actionOf, extensionOf, PUPPET_TYPES, type PuppetType } from './action.js';
import { validationError } from './errors.js';
import { puppetNameOf } from './ids.js';
import { scheduleParts } from './views.js';

type Query = Record<string, unknown>;

export interface ListRequest {
  limit: number | null;
  offset: number;
  orderBy: string;
  descending: boolean;
  type: PuppetType | null;
}

const text = (q: Query, k: string): string | undefined => {
  const v = q[k];
  return Array.isArray(v) ? (v[0] as string | undefined) : (v as string | undefined);
};

function integer(q: Query, k: string, problems: Record<string, string>): number | undefined {
  const v = text(q, k);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v.trim())) {
    problems[k] = `The ${k} parameter must be a non-negative integer (got '${v}')`;
    return undefined;
  }
  return Number(v);
}

export function readList(query: unknown, orderKeys: readonly string[], defaultOrder: string): ListRequest {
  const q = (query ?? {}) as Query;
  const problems: Record<string, string> = {};
  const limit = integer(q, 'limit', problems);
  const offset = integer(q, 'offset', problems);
  const orderBy = text(q, 'order_by') ?? defaultOrder;
  if (!orderKeys.includes(orderBy)) problems['order_by'] = `must be one of ${orderKeys.join(', ')} (got '${orderBy}')`;
  const order = text(q, 'order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') problems['order'] = `must be asc or desc (got '${order}')`;
  const type = text(q, 'type');
  if (type !== undefined && !PUPPET_TYPES.includes(type as PuppetType)) problems['type'] = `must be one of deploy, task, plan (got '${type}')`;
  if (Object.keys(problems).length) throw validationError(problems);
  return { limit: limit ?? null, offset: offset ?? 0, orderBy, descending: order === 'desc', type: (type as PuppetType | undefined) ?? null };
}

/** Puppet names compare as numbers when both are. */
function compareNames(a: Job, b: Job): number {
  const x = puppetNameOf(a.id);
  const y = puppetNameOf(b.id);
  const nx = /^\d+$/.test(x) ? Number(x) : NaN;
  const ny = /^\d+$/.test(y) ? Number(y) : NaN;
  if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
  if (!Number.isNaN(nx)) return -1;
  if (!Number.isNaN(ny)) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Nulls last whichever the order. */
const byNumber = (f: (j: Job) => number | null) => (a: Job, b: Job, descending: boolean): number => {
  const x = f(a);
  const y = f(b);
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  return descending ? y - x : x - y;
};
const byText = (f: (j: Job) => string) => (a: Job, b: Job, descending: boolean): number => {
  const c = f(a).localeCompare(f(b));
  return descending ? -c : c;
};

const nextRun = (j: Job): number | null => (j.state === 'enabled' ? j.status.nextFireTime : null);

const ORDERINGS: Record<string, (a: Job, b: Job, descending: boolean) => number> = {
  next_run: byNumber(nextRun),
  next_run_time: byNumber(nextRun),
  scheduled_time: byNumber((j) => scheduleParts(j).time),
  name: (a, b, d) => (d ? -compareNames(a, b) : compareNames(a, b)),
  environment: byText((j) => actionOf(j).environment),
  owner: byText((j) => String(extensionOf(j).owner['login'] ?? '')),
  type: byText((j) => actionOf(j).type),
};

async function allJobs(services: Services, actor: Actor): Promise<Job[]> {
  const out: Job[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await services.jobs.list(actor, { limit: 1000, offset });
    out.push(...page.items);
    if (page.items.length < 1000) return out;
  }
}

/** The page of jobs and the total the filter matches. */
export async function listJobs(services: Services, actor: Actor, req: ListRequest): Promise<{ items: Job[]; total: number }> {
  let jobs = await allJobs(services, actor);
  if (req.type) jobs = jobs.filter((j) => actionOf(j).type === req.type);
  const order = ORDERINGS[req.orderBy] ?? ORDERINGS['name'];
  jobs.sort((a, b) => (order ? order(a, b, req.descending) : 0) || compareNames(a, b));
  const end = req.limit === null ? undefined : req.offset + req.limit;
  return { items: jobs.slice(req.offset, end), total: jobs.length };
}
