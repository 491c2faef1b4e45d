/** Jobs: the rules for creating, changing, deleting, triggering, pausing and resuming them. */

import { notFound, SkedError, validationError } from '../domain/errors.js';
import { uuidv7 } from '../domain/ids.js';
import type { Fire, Job, JobState, Run } from '../domain/types.js';
import type { CompiledSchedule } from '../schedule/compile.js';
import type { JobQuery, JobSortKey, NewRun, Page } from '../store/store.js';
import { authorize, type Actor } from './actor.js';
import type { CollectionService } from './collection-service.js';
import type { ServiceContext } from './context.js';
import { matchesFilter, parseFilter } from './crest-filter.js';
import { inputOf, normalizeJobInput, type JobInput } from './job-input.js';
import { KeyedLock } from './keyed-lock.js';
import { applyMergePatch } from './merge-patch.js';
import { jobView } from './views.js';
import { redactDefinition, sealDefinition } from '../domain/secrets.js';

export interface TriggerOptions {
  /** Refuse (CONFLICT) when the job has a queued or running run, atomically with writing the new one. */
  exclusive?: boolean | undefined;
}

export interface JobListQuery {
  limit: number;
  offset: number;
  state?: JobState | undefined;
  collection?: string | undefined;
  labels?: Record<string, string> | undefined;
  q?: string | undefined;
  filter?: string | undefined;
  /** Where the filter came from, for errors (default `/query/filter`). */
  filterPointer?: string | undefined;
  ids?: string[] | undefined;
  sort?: string | undefined;
}

const SORT_KEYS: Record<string, JobSortKey> = {
  id: 'id',
  name: 'name',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  nextFireTime: 'nextFireTime',
  state: 'state',
};

export function parseSort(sort: string | undefined, pointer = '/query/sort'): JobQuery['sort'] {
  if (!sort) return undefined;
  return sort.split(',').map((raw) => {
    const part = raw.trim();
    const descending = part.startsWith('-');
    const name = part.replace(/^[-+]/, '');
    const key = SORT_KEYS[name];
    if (!key) throw validationError([{ pointer, message: `unknown sort key '${name}' (use ${Object.keys(SORT_KEYS).join(', ')}, with - for descending)` }]);
    return { key, descending };
  });
}

export class JobService {
  /** Writes of one job id on this node, one at a time. */
  private readonly writes = new KeyedLock();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly collections: CollectionService,
  ) {}

  /** A job as anyone may read it: secrets shown as `***`. */
  private present(job: Job): Job {
    return redactDefinition(this.ctx.secrets ?? null, job);
  }

  private async load(id: string): Promise<Job> {
    const job = await this.ctx.store.getJob(id);
    if (!job) throw notFound('job', id);
    return job;
  }

  async list(actor: Actor, query: JobListQuery): Promise<Page<Job>> {
    authorize(actor, 'read', 'list jobs');
    const base: JobQuery = {
      limit: query.limit,
      offset: query.offset,
      state: query.state,
      collection: query.collection,
      labels: query.labels,
      nameContains: query.q,
      ids: query.ids,
      sort: parseSort(query.sort),
    };
    if (!query.filter) {
      const page = await this.ctx.store.listJobs(base);
      return { items: page.items.map((j) => this.present(j)), total: page.total };
    }
    // CREST filters run over the public JSON of each job, page by page.
    const filter = parseFilter(query.filter, query.filterPointer);
    const matched: Job[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.ctx.store.listJobs({ ...base, limit: 1000, offset });
      for (const job of page.items) {
        const shown = this.present(job);
        if (matchesFilter(filter, jobView(shown))) matched.push(shown);
      }
      if (page.items.length < 1000) break;
    }
    return { items: matched.slice(query.offset, query.offset + query.limit), total: matched.length };
  }

  async get(actor: Actor, id: string): Promise<Job> {
    authorize(actor, 'read', 'read jobs');
    return this.present(await this.load(id));
  }

  /** Creates a job with a generated id. */
  create(actor: Actor, input: JobInput): Promise<Job> {
    return this.insert(actor, this.ctx.newJobId(), input);
  }

  /** Creates a job with the given id; CONFLICT when it exists. */
  async createWithId(actor: Actor, id: string, input: JobInput): Promise<Job> {
    authorize(actor, 'write', 'create jobs');
    if (await this.ctx.store.getJob(id)) throw new SkedError('CONFLICT', `job '${id}' already exists (use PUT to replace it)`);
    return this.insert(actor, id, input);
  }

  /** Creates (`created`: true) or replaces the job with this id; `ifMatch` guards the replacement. */
  async put(actor: Actor, id: string, input: JobInput, ifMatch?: number, mustExist = false): Promise<{ job: Job; created: boolean }> {
    authorize(actor, 'write', 'create or change jobs');
    return this.writes.run(id, () => this.putOnce(actor, id, input, ifMatch, mustExist));
  }

  private async putOnce(actor: Actor, id: string, input: JobInput, ifMatch: number | undefined, mustExist: boolean): Promise<{ job: Job; created: boolean }> {
    // Concurrent PUTs of one id (on this node they take turns; across nodes they race): one creates it,
    // the others replace it (last writer wins) — unless If-Match pins a version, when losing the race is
    // the 412 it asks for.
    for (let attempt = 1; ; attempt++) {
      const existing = await this.ctx.store.getJob(id);
      const retry = ifMatch === undefined && attempt < PUT_ATTEMPTS;
      try {
        if (!existing) {
          if (ifMatch !== undefined || mustExist) throw new SkedError('PRECONDITION_FAILED', `job '${id}' does not exist (If-Match given)`);
          return { job: await this.insert(actor, id, input), created: true };
        }
        return { job: await this.replace(actor, existing, input, ifMatch), created: false };
      } catch (err) {
        const lostRace = err instanceof SkedError && (existing ? err.code === 'PRECONDITION_FAILED' || err.code === 'NOT_FOUND' : err.code === 'CONFLICT');
        if (!retry || !lostRace) throw err;
      }
    }
  }

  /** Applies a JSON merge patch (RFC 7396) to the job's definition. */
  async patch(actor: Actor, id: string, patch: unknown, ifMatch?: number, validate?: (input: unknown) => JobInput): Promise<Job> {
    authorize(actor, 'write', 'change jobs');
    return this.writes.run(id, async () => {
      const existing = await this.load(id);
      const merged = applyMergePatch(inputOf(existing, existing.state !== 'paused'), patch);
      const input = validate ? validate(merged) : (merged as JobInput);
      return this.replace(actor, existing, input, ifMatch);
    });
  }

  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    authorize(actor, 'write', 'delete jobs');
    const job = await this.ctx.store.getJob(id);
    if (!job) throw notFound('job', id);
    if (ifMatch !== undefined && ifMatch !== job.version) throw preconditionFailed(id, ifMatch, job.version);
    for (const run of await this.ctx.store.activeRuns([id])) await this.ctx.engine.cancelRun(run.id);
    if (!(await this.ctx.store.deleteJob(id, ifMatch))) throw notFound('job', id);
    this.ctx.engine.jobChanged(id);
    this.ctx.emit?.('job.deleted', { jobId: id });
    this.ctx.audit?.record(actor, 'job.delete', { type: 'job', id }, jobView(this.present(job)), null);
  }

  /**
   * Runs the job now with an optional payload; returns the run id. With `exclusive`, CONFLICT when the
   * job already has a queued or running run, decided by the store as it writes the run (two concurrent
   * calls cannot both pass).
   */
  async trigger(actor: Actor, id: string, payload: unknown = null, options: TriggerOptions = {}): Promise<string> {
    authorize(actor, 'operate', 'trigger jobs');
    const job = await this.get(actor, id);
    const now = this.ctx.clock.now();
    const runId = uuidv7(now);
    const run: NewRun = { id: runId, jobId: id, trigger: 'manual', scheduledFor: null, queuedAt: now, status: 'queued', nodeId: null, startedAt: null, attempt: 1, retryOf: null, notBefore: null, payload, exclusive: job.overlap !== 'allow' };
    if (options.exclusive === true) {
      if (!(await this.ctx.store.insertRunIfIdle(run))) throw new SkedError('CONFLICT', `job '${id}' already has a queued or running run`);
    } else {
      await this.ctx.store.insertRuns([run]);
    }
    this.ctx.engine.runsQueued();
    this.ctx.emit?.('job.triggered', { jobId: id, runId, by: actor.name });
    this.ctx.audit?.record(actor, 'job.trigger', { type: 'job', id }, null, { runId, payload });
    return runId;
  }

  async pause(actor: Actor, id: string, options: { reason?: string | null | undefined; until?: number | null | undefined } = {}): Promise<Job> {
    authorize(actor, 'operate', 'pause jobs');
    const job = await this.load(id);
    if (job.state === 'completed') throw new SkedError('CONFLICT', `job '${id}' is completed: it has no fires left to pause`);
    const now = this.ctx.clock.now();
    if (options.until !== undefined && options.until !== null && options.until <= now) {
      throw validationError([{ pointer: '/until', message: 'must be in the future' }]);
    }
    const next: Job = {
      ...job,
      state: 'paused',
      pause: { reason: options.reason ?? null, until: options.until ?? null, pausedAt: now, by: actor.name },
      version: job.version + 1,
      updatedAt: now,
    };
    await this.ctx.store.updateJob(next, job.version, { nextFireAt: null });
    this.ctx.engine.jobChanged(id);
    this.ctx.emit?.('job.paused', { jobId: id, by: actor.name });
    const after = await this.get(actor, id);
    this.ctx.audit?.record(actor, 'job.pause', { type: 'job', id }, { state: job.state, pause: job.pause }, { state: after.state, pause: after.pause });
    return after;
  }

  async resume(actor: Actor, id: string): Promise<Job> {
    authorize(actor, 'operate', 'resume jobs');
    const job = await this.load(id);
    if (job.state !== 'paused' && job.state !== 'faulted') return this.present(job);
    const now = this.ctx.clock.now();
    const schedule = this.ctx.engine.cache.compile(job.schedule);
    const nextFireAt = schedule.nextAfter(now);
    const next: Job = { ...job, state: nextFireAt === null && job.schedule.type !== 'manual' ? 'completed' : 'enabled', pause: null, version: job.version + 1, updatedAt: now };
    await this.ctx.store.updateJob(next, job.version, { nextFireAt });
    this.ctx.engine.jobChanged(id);
    this.ctx.emit?.('job.resumed', { jobId: id, by: actor.name });
    const after = await this.get(actor, id);
    this.ctx.audit?.record(actor, 'job.resume', { type: 'job', id }, { state: job.state, pause: job.pause }, { state: after.state, pause: after.pause });
    return after;
  }

  /** Pauses the listed jobs, or those matching a filter, or all when neither is given. */
  /** Pauses the listed jobs, or those matching a filter, or all when neither is given; returns those paused. */
  async pauseMany(actor: Actor, select: BulkSelect, options: { reason?: string | null; until?: number | null } = {}): Promise<{ count: number; ids: string[] }> {
    authorize(actor, 'operate', 'pause jobs');
    const done: string[] = [];
    for (const id of await this.select(actor, select, 'enabled')) {
      const job = await this.ctx.store.getJob(id);
      if (!job || job.state !== 'enabled') continue;
      if (await this.pause(actor, id, options).then(() => true, ignoreGone)) done.push(id);
    }
    return { count: done.length, ids: done };
  }

  /** Resumes the listed jobs, or those matching a filter, or all; returns those resumed. */
  async resumeMany(actor: Actor, select: BulkSelect): Promise<{ count: number; ids: string[] }> {
    authorize(actor, 'operate', 'resume jobs');
    const done: string[] = [];
    for (const id of await this.select(actor, select, 'paused')) {
      const job = await this.ctx.store.getJob(id);
      if (!job || (job.state !== 'paused' && job.state !== 'faulted')) continue;
      if (await this.resume(actor, id).then(() => true, ignoreGone)) done.push(id);
    }
    return { count: done.length, ids: done };
  }

  async runs(actor: Actor, id: string, page: { limit: number; offset: number; status?: Run['status'][] | undefined }): Promise<Page<Run>> {
    await this.get(actor, id);
    return this.ctx.store.listRuns({ ...page, jobId: id });
  }

  /** The fire ledger (newest first) and the next planned fires. */
  async fires(actor: Actor, id: string, page: { limit: number; offset: number }, planned = 10): Promise<Page<Fire> & { next: { scheduledFor: number }[] }> {
    const job = await this.get(actor, id);
    const ledger = await this.ctx.store.listFires(id, page);
    const next: { scheduledFor: number }[] = [];
    const from = await this.ctx.store.nextFireAt(id);
    if (from !== null && job.state === 'enabled') {
      const schedule = this.ctx.engine.cache.compile(job.schedule);
      let t: number | null = from;
      while (t !== null && next.length < planned) {
        next.push({ scheduledFor: t });
        t = schedule.nextAfter(t);
      }
    }
    return { ...ledger, next };
  }

  /** Resumes paused jobs whose `until` has passed (run by the engine on every poll). */
  async resumeExpired(actor: Actor): Promise<void> {
    for (const id of await this.ctx.store.expiredPauses(this.ctx.clock.now())) {
      await this.resume(actor, id).then(() => true, ignoreGone);
    }
  }

  private async select(actor: Actor, select: BulkSelect, state: JobState): Promise<string[]> {
    if (select.ids) return select.ids;
    const page = await this.list(actor, { limit: 1_000_000, offset: 0, state, filter: select.filter, filterPointer: select.filterPointer });
    return page.items.map((j) => j.id);
  }

  private async insert(actor: Actor, id: string, input: JobInput): Promise<Job> {
    authorize(actor, 'write', 'create jobs');
    const now = this.ctx.clock.now();
    const normalized = normalizeJobInput(input, now, { allowedStepTypes: this.ctx.allowedStepTypes, checkUrl: this.ctx.checkUrl });
    const { schedule, enabled } = normalized;
    const definition = this.ctx.secrets ? sealDefinition(this.ctx.secrets, normalized.definition, null) : normalized.definition;
    await this.collections.admit(definition.collection, schedule, now, true);
    const job: Job = {
      ...definition,
      id,
      state: enabled ? 'enabled' : 'paused',
      pause: enabled ? null : { reason: 'created disabled', until: null, pausedAt: now, by: actor.name },
      status: { nextFireTime: null, lastFireTime: null, lastRun: null, runCount: 0, failureCount: 0 },
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.ctx.store.insertJob(job, enabled ? schedule.nextAfter(now) : null);
    this.ctx.engine.jobChanged(id);
    this.ctx.emit?.('job.created', { jobId: id, by: actor.name });
    const created = this.present((await this.ctx.store.getJob(id)) ?? job);
    this.ctx.audit?.record(actor, 'job.create', { type: 'job', id }, null, jobView(created));
    return created;
  }

  private async replace(actor: Actor, existing: Job, input: JobInput, ifMatch?: number): Promise<Job> {
    authorize(actor, 'write', 'change jobs');
    if (ifMatch !== undefined && ifMatch !== existing.version) throw preconditionFailed(existing.id, ifMatch, existing.version);
    const now = this.ctx.clock.now();
    const normalized = normalizeJobInput(input, now, { allowedStepTypes: this.ctx.allowedStepTypes, checkUrl: this.ctx.checkUrl });
    const { schedule, enabled } = normalized;
    const definition = this.ctx.secrets ? sealDefinition(this.ctx.secrets, normalized.definition, existing) : normalized.definition;
    await this.collections.admit(definition.collection, schedule, now, definition.collection !== existing.collection);
    const wasPaused = existing.state === 'paused';
    // `enabled` decides the state; leaving it out keeps a paused job paused.
    const paused = input.enabled === undefined ? wasPaused : !enabled;
    const state: JobState = paused ? 'paused' : 'enabled';
    const job: Job = {
      ...existing,
      ...definition,
      state,
      pause: paused ? (existing.pause ?? { reason: null, until: null, pausedAt: now, by: actor.name }) : null,
      version: existing.version + 1,
      updatedAt: now,
    };
    const nextFireAt = state === 'enabled' ? nextFrom(schedule, now) : null;
    await this.ctx.store.updateJob(job, existing.version, { nextFireAt });
    this.ctx.engine.jobChanged(existing.id);
    this.ctx.emit?.('job.updated', { jobId: existing.id, by: actor.name });
    const updated = this.present((await this.ctx.store.getJob(existing.id)) ?? job);
    this.ctx.audit?.record(actor, 'job.update', { type: 'job', id: existing.id }, jobView(this.present(existing)), jobView(updated));
    return updated;
  }
}

/** Tries of a PUT that keeps losing a race with other writers of the same id. */
const PUT_ATTEMPTS = 5;

function nextFrom(schedule: CompiledSchedule, now: number): number | null {
  return schedule.nextAfter(now);
}

function preconditionFailed(id: string, expected: number, actual: number): SkedError {
  return new SkedError('PRECONDITION_FAILED', `job '${id}' is at version ${actual}, not ${expected} (If-Match)`);
}

/** A job that vanished or changed state meanwhile is not an error for a bulk action (it is just not counted). */
function ignoreGone(err: unknown): false {
  if (err instanceof SkedError && (err.code === 'NOT_FOUND' || err.code === 'CONFLICT' || err.code === 'PRECONDITION_FAILED')) return false;
  throw err;
}

export interface BulkSelect {
  ids?: string[] | undefined;
  filter?: string | undefined;
  filterPointer?: string | undefined;
}
