/**
 * Job collection operations on sked collections: read (with the Azure facts and the derived state),
 * create or replace (plan and quota as sked quotas), delete with every job in it (as Azure does), and
 * enable or disable all its jobs. A collection is Disabled when it has jobs and none of them is enabled.
 */

import { createHash } from 'node:crypto';
import { SkedError } from '../../domain/errors.js';
import type { Collection } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import { AzureApiError } from './azure-api-error.js';
import { collectionInput, readMeta, type AzureCollectionMeta, type MaxRecurrence } from './collection-meta.js';

export interface CollectionState {
  collection: Collection;
  meta: AzureCollectionMeta;
  disabled: boolean;
  etag: string;
}

export interface QuotaSpec {
  /** undefined: the plan's; null: no limit. */
  maxJobCount?: number | null | undefined;
  maxRecurrence?: MaxRecurrence | null | undefined;
}

/** An opaque ETag (Azure shows GUIDs) that changes with every change to the collection. */
function etagOf(c: Collection): string {
  const h = createHash('sha256').update(`${c.name}\n${c.updatedAt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

async function stateOf(services: Services, actor: Actor, collection: Collection): Promise<CollectionState> {
  const count = async (state: 'enabled' | 'paused'): Promise<number> =>
    (await services.jobs.list(actor, { limit: 1, offset: 0, collection: collection.name, state })).total;
  const disabled = (await count('enabled')) === 0 && (await count('paused')) > 0;
  return { collection, meta: readMeta(collection), disabled, etag: etagOf(collection) };
}

export async function findCollection(services: Services, actor: Actor, jc: string): Promise<CollectionState | null> {
  try {
    return await stateOf(services, actor, await services.collections.get(actor, jc));
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND') return null;
    throw err;
  }
}

export async function readCollection(services: Services, actor: Actor, jc: string): Promise<CollectionState> {
  const found = await findCollection(services, actor, jc);
  if (!found) throw new AzureApiError(404, 'ResourceNotFound', `job collection '${jc}' does not exist`);
  return found;
}

export async function listCollections(services: Services, actor: Actor): Promise<CollectionState[]> {
  const all = await services.collections.list(actor);
  return Promise.all(all.map((c) => stateOf(services, actor, c)));
}

/** Creates or replaces the collection; sked refuses quotas its jobs already exceed (409). */
export async function writeCollection(services: Services, actor: Actor, jc: string, meta: AzureCollectionMeta, quota: QuotaSpec): Promise<{ state: CollectionState; created: boolean }> {
  const { collection, created } = await services.collections.put(actor, jc, collectionInput(meta, quota));
  return { state: await stateOf(services, actor, collection), created };
}

/** sked's own collection, which cannot be deleted (checked first: its jobs must not go before the refusal). */
const DEFAULT_COLLECTION = 'default';

/** Deletes the collection and every job in it. */
export async function removeCollection(services: Services, actor: Actor, jc: string): Promise<void> {
  await readCollection(services, actor, jc);
  if (jc === DEFAULT_COLLECTION) throw new SkedError('CONFLICT', `job collection '${jc}' is sked's default collection and cannot be deleted`);
  for (let round = 0; round < 10_000; round++) {
    const page = await services.jobs.list(actor, { limit: 500, offset: 0, collection: jc });
    if (!page.items.length) break;
    for (const job of page.items) {
      await services.jobs.delete(actor, job.id).catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'NOT_FOUND') throw err;
      });
    }
  }
  await services.collections.delete(actor, jc);
}
