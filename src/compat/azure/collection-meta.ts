/**
 * Azure job collections on sked collections. The plan and quota become sked's collection quotas
 * (`maxJobs`, `minInterval`, so exceeding them is sked's QUOTA_EXCEEDED, a 409 as Azure answers); what
 * sked's collections have no field for (plan, location, tags, cloud service, resource group) is
 * kept as one `azure:{...}` line in the collection's description.
 */

import type { Collection } from '../../domain/types.js';
import type { CollectionInput } from '../../service/collection-service.js';
import { parseDuration } from '../../schedule/instant.js';
import { badRequest } from './azure-api-error.js';

export const PLANS = {
  Free: { maxJobs: 5, minInterval: 'PT1H' },
  Standard: { maxJobs: 50, minInterval: 'PT1M' },
  P10Premium: { maxJobs: 50, minInterval: 'PT1M' },
  P20Premium: { maxJobs: 1000, minInterval: 'PT1M' },
} as const;
export type Plan = keyof typeof PLANS;

/** Frequencies of a collection's maxRecurrence (classic also has Second). */
const RECURRENCE_UNITS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 28 * 86_400_000 } as const;
type RecurrenceUnit = keyof typeof RECURRENCE_UNITS;

export interface MaxRecurrence {
  frequency: RecurrenceUnit;
  interval: number;
}

/** What Azure knows of a collection beyond sked's quotas. */
export interface AzureCollectionMeta {
  plan: Plan;
  location?: string;
  tags?: Record<string, string>;
  cloudService?: string;
  resourceGroup?: string;
  maxJobOccurrence?: number;
}

const MARKER = 'azure:';

export function parsePlan(value: unknown, pointer: string): Plan {
  const name = typeof value === 'string' ? (Object.keys(PLANS) as Plan[]).find((p) => p.toLowerCase() === value.toLowerCase()) : undefined;
  if (!name) throw badRequest(pointer, `must be one of ${Object.keys(PLANS).join(', ')}`);
  return name;
}

export function parseMaxRecurrence(frequency: unknown, interval: unknown, pointer: string): MaxRecurrence {
  const unit = typeof frequency === 'string' ? (frequency.toLowerCase() as RecurrenceUnit) : undefined;
  if (!unit || !(unit in RECURRENCE_UNITS)) throw badRequest(`${pointer}/frequency`, 'must be Second, Minute, Hour, Day, Week or Month');
  const n = typeof interval === 'string' && /^\d+$/.test(interval.trim()) ? Number(interval) : interval;
  if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 1000) throw badRequest(`${pointer}/interval`, 'must be an integer 1..1000');
  return { frequency: unit, interval: n as number };
}

/** The sked minInterval of a maxRecurrence (a month counts as its shortest, 28 days). */
export function minIntervalOf(r: MaxRecurrence): string {
  switch (r.frequency) {
    case 'second':
      return `PT${r.interval}S`;
    case 'minute':
      return `PT${r.interval}M`;
    case 'hour':
      return `PT${r.interval}H`;
    case 'day':
      return `P${r.interval}D`;
    case 'week':
      return `P${r.interval}W`;
    case 'month':
      return `P${r.interval * 28}D`;
  }
}

/** The maxRecurrence shown for a sked minInterval: the largest unit that divides it. */
export function maxRecurrenceOf(minInterval: string | null): MaxRecurrence | null {
  const ms = minInterval === null ? null : parseDuration(minInterval);
  if (ms === null || ms <= 0) return null;
  for (const unit of ['week', 'day', 'hour', 'minute', 'second'] as const) {
    const size = RECURRENCE_UNITS[unit];
    if (ms % size === 0) return { frequency: unit, interval: ms / size };
  }
  return { frequency: 'second', interval: Math.max(1, Math.round(ms / 1000)) };
}

/** The Azure facts of a collection: stored ones, or derived for collections Azure did not make. */
export function readMeta(c: Collection): AzureCollectionMeta {
  const line = c.description.startsWith(MARKER) ? c.description.slice(MARKER.length) : null;
  if (line !== null) {
    try {
      const parsed = JSON.parse(line) as Partial<AzureCollectionMeta>;
      if (parsed && typeof parsed === 'object' && typeof parsed.plan === 'string' && parsed.plan in PLANS) {
        return { ...parsed, plan: parsed.plan };
      }
    } catch {
      // not ours after all: derive below
    }
  }
  const free = c.maxJobs !== null && c.maxJobs <= PLANS.Free.maxJobs && (parseDuration(c.minInterval ?? '') ?? 0) >= 3_600_000;
  return { plan: free ? 'Free' : 'Standard' };
}

/** The description that stores the Azure facts. */
export function describeMeta(meta: AzureCollectionMeta): string {
  return MARKER + JSON.stringify(meta);
}

/** sked's quotas for a plan and the quota overrides sent with it (null: no limit, kept from sked). */
export function collectionInput(meta: AzureCollectionMeta, quota: { maxJobCount?: number | null | undefined; maxRecurrence?: MaxRecurrence | null | undefined }): CollectionInput {
  const plan = PLANS[meta.plan];
  const recurrence = quota.maxRecurrence;
  return {
    description: describeMeta(meta),
    maxJobs: quota.maxJobCount === undefined ? plan.maxJobs : quota.maxJobCount,
    minInterval: recurrence === undefined ? plan.minInterval : recurrence === null ? null : minIntervalOf(recurrence),
  };
}
