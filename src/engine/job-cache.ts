/**
 * Job definitions and compiled schedules the engine needs at firing time, bounded in memory: jobs are
 * kept in a least-recently-used map, and compiled schedules are shared by every job with the same
 * schedule (most jobs share a handful of expressions).
 */

import type { Job, ScheduleSpec } from '../domain/types.js';
import { compileSchedule, type CompiledSchedule } from '../schedule/compile.js';
import type { Store } from '../store/store.js';

export interface CachedJob {
  job: Job;
  schedule: CompiledSchedule;
}

class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Reads without refreshing the entry's recency. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}

export class JobCache {
  private readonly jobs: Lru<string, CachedJob>;
  private readonly schedules: Lru<string, CompiledSchedule>;

  constructor(private readonly store: Store, capacity = 20_000) {
    this.jobs = new Lru(capacity);
    this.schedules = new Lru(Math.max(1000, capacity / 4));
  }

  /** The compiled form of a schedule, shared between equal schedules. */
  compile(spec: ScheduleSpec): CompiledSchedule {
    const key = JSON.stringify(spec);
    let compiled = this.schedules.get(key);
    if (!compiled) {
      compiled = compileSchedule(spec);
      this.schedules.set(key, compiled);
    }
    return compiled;
  }

  /**
   * The cached jobs for these ids, loading the missing ones (and those older than the wanted version)
   * in one store call. Jobs that no longer exist are absent from the result.
   */
  async load(wanted: { jobId: string; version?: number }[]): Promise<Map<string, CachedJob>> {
    const out = new Map<string, CachedJob>();
    const missing: string[] = [];
    for (const w of wanted) {
      const hit = this.jobs.get(w.jobId);
      if (hit && (w.version === undefined || hit.job.version >= w.version)) out.set(w.jobId, hit);
      else missing.push(w.jobId);
    }
    if (missing.length) {
      for (const job of await this.store.getJobs([...new Set(missing)])) {
        const entry = this.put(job);
        if (entry) out.set(job.id, entry);
      }
    }
    return out;
  }

  /** Caches a job (e.g. just written by the service); returns null if its schedule does not compile. */
  put(job: Job): CachedJob | null {
    let schedule: CompiledSchedule;
    try {
      schedule = this.compile(job.schedule);
    } catch {
      return null;
    }
    const entry = { job, schedule };
    this.jobs.set(job.id, entry);
    return entry;
  }

  /** The job's runs must not overlap (unknown jobs count as exclusive, the safe answer). */
  exclusive(jobId: string): boolean {
    const hit = this.jobs.peek(jobId);
    return hit === undefined || hit.job.overlap !== 'allow';
  }

  invalidate(jobId: string): void {
    this.jobs.delete(jobId);
  }

  clear(): void {
    this.jobs.clear();
  }
}
