/** Actions shared by `/openidm/scheduler` and `/openidm/scheduler/job`. */

import type { Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import { IdmError } from './idm-errors.js';

export const ACTIONS = [
  'create',
  'listCurrentlyExecutingJobs',
  'pauseJobs',
  'resumeJobs',
  'validateQuartzCronExpression',
  'pause',
  'resume',
  'trigger',
] as const;

/** 400 naming the valid actions (as Advanced Identity Cloud does). */
export function unknownAction(action: string | null): never {
  if (action === null)
    throw new IdmError(400, `The _action parameter is required; valid actions are ${ACTIONS.join(', ')}`);
  throw new IdmError(400, `Unknown action: ${action}; valid actions are ${ACTIONS.join(', ')}`);
}

/** `{"cronExpression": "…"}` → `{"valid": true|false}`: does Quartz accept the expression? */
export function validateCron(services: Services, actor: Actor, body: unknown): { valid: boolean } {
  const expression =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)['cronExpression']
      : undefined;
  if (typeof expression !== 'string')
    throw new IdmError(
      400,
      'Expecting a string for cronExpression: send {"cronExpression": "0 0/30 * * * ?"}',
    );
  const preview = services.scheduler.preview(
    actor,
    { type: 'cron', expression, dialect: 'quartz' },
    { count: 0 },
  );
  return { valid: preview.valid };
}
