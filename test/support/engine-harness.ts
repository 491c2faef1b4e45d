/** An engine on a fake clock over a real SQLite store, with the services on top. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEFAULT_ENGINE_CONFIG, Engine, type EngineConfig } from '../../src/engine/engine.js';
import { FakeClock } from '../../src/engine/fake-clock.js';
import { SYSTEM_ACTOR } from '../../src/service/actor.js';
import { createServices, type Services } from '../../src/service/index.js';
import type { JobInput } from '../../src/service/job-input.js';
import { openStore } from '../../src/store/store-factory.js';
import type { Store } from '../../src/store/store.js';
import type { Fire, Job, Run } from '../../src/domain/types.js';
import { silentLogger } from '../../src/domain/logger.js';
import { ScriptedExecutor } from './scripted-executor.js';

export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

export interface Harness {
  clock: FakeClock;
  store: Store;
  engine: Engine;
  services: Services;
  executor: ScriptedExecutor;
  dir: string;
  createJob(input: Partial<JobInput> & { schedule: JobInput['schedule'] }, id?: string): Promise<Job>;
  /** Resolved fires, oldest first. */
  fires(jobId: string): Promise<Fire[]>;
  runs(jobId: string): Promise<Run[]>;
  /** A new engine on the same store (a restart), the old one dropped without a clean stop. */
  restart(config?: Partial<EngineConfig>): Promise<void>;
  close(): Promise<void>;
}

export async function engineHarness(config: Partial<EngineConfig> = {}, start = T0): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sked-engine-'));
  const clock = new FakeClock(start);
  const store = await openStore(`sqlite:${join(dir, 'sked.db')}`);
  const executor = new ScriptedExecutor(clock);
  const make = (extra: Partial<EngineConfig>): { engine: Engine; services: Services } => {
    let services: Services | null = null;
    const engine = new Engine({
      store,
      executor,
      clock,
      logger: silentLogger,
      config: { ...DEFAULT_ENGINE_CONFIG, nodeId: 'node-a', version: 'test', host: 'test', concurrency: 8, ...config, ...extra },
      maintenance: async () => {
        if (services) await services.jobs.resumeExpired(SYSTEM_ACTOR);
      },
    });
    services = createServices({ store, engine, clock, logger: silentLogger, newJobId: randomUUID, runRetention: 1000 });
    return { engine, services };
  };
  const h: Harness = {
    clock,
    store,
    executor,
    dir,
    ...make({}),
    async createJob(input, id) {
      const full: JobInput = { name: 'job', steps: [{ stepIndex: 0, type: 'noop' }], ...input };
      return id ? (await h.services.jobs.put(SYSTEM_ACTOR, id, full)).job : h.services.jobs.create(SYSTEM_ACTOR, full);
    },
    async fires(jobId) {
      // Fires already resolved; pending ones (acquired ahead of their instant) are left out.
      return (await store.listFires(jobId, { limit: 100_000, offset: 0 })).items.filter((f) => f.outcome !== 'pending').sort((a, b) => a.scheduledFor - b.scheduledFor);
    },
    async runs(jobId) {
      return (await store.listRuns({ jobId, limit: 100_000, offset: 0 })).items.sort((a, b) => a.queuedAt - b.queuedAt || (a.scheduledFor ?? 0) - (b.scheduledFor ?? 0));
    },
    async restart(extra = {}) {
      clock.dropAll();
      const next = make(extra);
      h.engine = next.engine;
      h.services = next.services;
      await h.engine.start();
    },
    async close() {
      await h.engine.stop(0).catch(() => undefined);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await h.engine.start();
  return h;
}
