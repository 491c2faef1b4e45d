/** The services, built together over one context. */

import { CollectionService } from './collection-service.js';
import type { ServiceContext } from './context.js';
import { JobService } from './job-service.js';
import { KeyService } from './key-service.js';
import { RunService } from './run-service.js';
import { SchedulerService } from './scheduler-service.js';

export interface Services {
  jobs: JobService;
  runs: RunService;
  scheduler: SchedulerService;
  collections: CollectionService;
  keys: KeyService;
}

export function createServices(ctx: ServiceContext): Services {
  const collections = new CollectionService(ctx);
  return {
    jobs: new JobService(ctx, collections),
    runs: new RunService(ctx),
    scheduler: new SchedulerService(ctx),
    collections,
    keys: new KeyService(ctx),
  };
}

export type { Actor, Role } from './actor.js';
export type { ServiceContext } from './context.js';
