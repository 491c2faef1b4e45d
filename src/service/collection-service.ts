/** Collections: namespaces of jobs with quotas (`maxJobs`, `minInterval`), Azure's job collections. */

import { notFound, SkedError, validationError } from '../domain/errors.js';
import type { Collection } from '../domain/types.js';
import type { CompiledSchedule } from '../schedule/compile.js';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../schedule/instant.js';
import { authorize, type Actor } from './actor.js';
import type { ServiceContext } from './context.js';
import { ID_PATTERN, smallestGap } from './job-input.js';

export interface CollectionInput {
  description?: string | undefined;
  maxJobs?: number | null | undefined;
  minInterval?: string | null | undefined;
}

export class CollectionService {
  constructor(private readonly ctx: ServiceContext) {}

  async list(actor: Actor): Promise<Collection[]> {
    authorize(actor, 'read', 'list collections');
    return this.ctx.store.listCollections();
  }

  async get(actor: Actor, name: string): Promise<Collection> {
    authorize(actor, 'read', 'read collections');
    const c = await this.ctx.store.getCollection(name);
    if (!c) throw notFound('collection', name);
    return c;
  }

  /** Creates or replaces a collection; refuses quotas that its current jobs already exceed. */
  async put(actor: Actor, name: string, input: CollectionInput): Promise<{ collection: Collection; created: boolean }> {
    authorize(actor, 'write', 'change collections');
    if (!ID_PATTERN.test(name)) throw validationError([{ pointer: '/name', message: 'must match [A-Za-z0-9._-]{1,128}' }]);
    if (input.minInterval !== undefined && input.minInterval !== null) {
      const ms = parseDuration(input.minInterval);
      if (ms === null || ms > MAX_DURATION_MS) throw validationError([{ pointer: '/minInterval', message: 'must be an ISO 8601 duration such as PT1H, at most 100 years' }]);
    }
    const now = this.ctx.clock.now();
    const existing = await this.ctx.store.getCollection(name);
    const collection: Collection = {
      name,
      description: input.description ?? existing?.description ?? '',
      maxJobs: input.maxJobs === undefined ? (existing?.maxJobs ?? null) : input.maxJobs,
      minInterval: input.minInterval === undefined ? (existing?.minInterval ?? null) : input.minInterval,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    if (collection.maxJobs !== null) {
      const { total } = await this.ctx.store.countJobs(name);
      if (total > collection.maxJobs) throw new SkedError('QUOTA_EXCEEDED', `collection '${name}' holds ${total} jobs, more than maxJobs ${collection.maxJobs}`);
    }
    await this.ctx.store.putCollection(collection);
    this.ctx.audit?.record(actor, 'collection.put', { type: 'collection', id: name }, existing, collection);
    return { collection, created: !existing };
  }

  async delete(actor: Actor, name: string): Promise<void> {
    authorize(actor, 'write', 'delete collections');
    const existing = await this.ctx.store.getCollection(name);
    if (!(await this.ctx.store.deleteCollection(name))) throw notFound('collection', name);
    this.ctx.audit?.record(actor, 'collection.delete', { type: 'collection', id: name }, existing, null);
  }

  /**
   * Checks that a job with this schedule may join (or stay in) the collection, creating the collection
   * without quotas on first use. `adding`: the job is new to the collection (counts against maxJobs).
   */
  async admit(name: string, schedule: CompiledSchedule, now: number, adding: boolean): Promise<void> {
    if (!ID_PATTERN.test(name)) throw validationError([{ pointer: '/collection', message: 'must match [A-Za-z0-9._-]{1,128}' }]);
    let c = await this.ctx.store.getCollection(name);
    if (!c) {
      c = { name, description: '', maxJobs: null, minInterval: null, createdAt: now, updatedAt: now };
      await this.ctx.store.putCollection(c);
    }
    if (adding && c.maxJobs !== null) {
      const { total } = await this.ctx.store.countJobs(name);
      if (total >= c.maxJobs) throw new SkedError('QUOTA_EXCEEDED', `collection '${name}' allows at most ${c.maxJobs} jobs`);
    }
    const min = c.minInterval ? parseDuration(c.minInterval) : null;
    if (min !== null) {
      const gap = smallestGap(schedule, now);
      if (gap !== null && gap < min) {
        throw new SkedError('QUOTA_EXCEEDED', `collection '${name}' allows fires at most every ${c.minInterval}; this schedule fires ${formatDuration(gap)} apart`);
      }
    }
  }
}
