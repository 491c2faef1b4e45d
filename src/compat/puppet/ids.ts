/**
 * Puppet job ids are small integers in URLs (`/scheduled_jobs/2`). Job n is the sked job `puppet-<n>`;
 * any other sked job is addressed by its own id (`/scheduled_jobs/nightly-report`). New numbers are 1 +
 * the largest `puppet-<n>` there is or this process has handed out (so a number is not reused while the
 * process runs, even after its job is deleted); two creations racing for one number retry with the next.
 */

import type { Actor } from '../../service/actor.js';
import { ID_PATTERN } from '../../service/job-input.js';
import type { Services } from '../../service/index.js';

const PUPPET_ID = /^puppet-([1-9]\d*)$/;

/** The Puppet name (`2`) of a sked job id (`puppet-2`); other ids are their own name. */
export function puppetNameOf(jobId: string): string {
  return PUPPET_ID.exec(jobId)?.[1] ?? jobId;
}

/** The sked job id a Puppet name addresses, or null when it cannot be one. */
export function jobIdOf(name: string): string | null {
  if (/^\d+$/.test(name)) return Number(name) > 0 && Number.isSafeInteger(Number(name)) ? `puppet-${Number(name)}` : null;
  return ID_PATTERN.test(name) ? name : null;
}

export class PuppetNumbers {
  private highWater = 0;

  constructor(private readonly services: Services) {}

  /** The next free number (not yet taken by a job). */
  async next(actor: Actor): Promise<number> {
    let max = this.highWater;
    for (let offset = 0; ; offset += 1000) {
      const page = await this.services.jobs.list(actor, { limit: 1000, offset, filter: 'id sw "puppet-"' });
      for (const job of page.items) {
        const m = PUPPET_ID.exec(job.id);
        if (m) max = Math.max(max, Number(m[1]));
      }
      if (page.items.length < 1000) break;
    }
    this.highWater = max + 1;
    return max + 1;
  }
}
