/**
 * A Puppet scheduled job as a sked job: `puppet-<n>`, in the default collection, named `<type> <name>`,
 * one dispatch step, a `once` or `interval` schedule, Puppet's bookkeeping in `extensions.puppet`. An
 * edit keeps everything Puppet does not know of (collection, labels, retry, other surfaces' extensions)
 * and, where the edit leaves them out, the job's own steps and schedule.
 */

import { SkedError } from '../../domain/errors.js';
import type { Job } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import { inputOf, type JobInput } from '../../service/job-input.js';
import { dispatchStepOf, extensionOf, titleOf } from './action.js';
import type { PuppetNumbers } from './ids.js';
import { ownerOf, type PuppetDefinition } from './request.js';

export function jobInputOf(def: PuppetDefinition, actor: Actor, existing: Job | null, changed = { action: true, schedule: true }): JobInput {
  const base: Partial<JobInput> = existing ? inputOf(existing, existing.state !== 'paused') : {};
  const ext = existing ? extensionOf(existing) : null;
  const rebuild = changed.action || existing === null;
  return {
    ...base,
    name: rebuild ? titleOf(def.action) : (existing as Job).name,
    description: def.action.description,
    schedule: changed.schedule || existing === null ? def.schedule : existing.schedule,
    steps: rebuild ? [dispatchStepOf(def.action)] : (existing as Job).steps,
    enabled: def.enabled,
    extensions: {
      ...(existing?.extensions ?? {}),
      puppet: { owner: ext?.owner ?? ownerOf(actor), userdata: def.userdata, job_options: ext?.job_options ?? def.jobOptions },
    },
  };
}

/** Creates the job under the next Puppet number; returns the number. */
export async function createPuppetJob(services: Services, numbers: PuppetNumbers, actor: Actor, input: JobInput): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const n = await numbers.next(actor);
    try {
      await services.jobs.createWithId(actor, `puppet-${n}`, input);
      return String(n);
    } catch (err) {
      // Another creation took the number meanwhile: take the next one.
      if (!(err instanceof SkedError && err.code === 'CONFLICT') || attempt >= 10) throw err;
    }
  }
}
