/** Which runner runs one attempt of a step, by type. */
import type { Step } from '../domain/types.js';
import { runHttpStep } from './http-step.js';
import { runNoopStep } from './noop-step.js';
import { runDispatchStep } from './dispatch-step.js';
import { runExecStep, runShellStep } from './process-step.js';
import { runSqlStep } from './sql-step.js';
import { failed, type AttemptContext, type AttemptOutcome } from './types.js';

export function runAttempt(step: Step, ctx: AttemptContext): Promise<AttemptOutcome> {
  switch (step.type) {
    case 'http':
      return runHttpStep(step, ctx);
    case 'exec':
      return runExecStep(step, ctx);
    case 'shell':
      return runShellStep(step, ctx);
    case 'sql':
      return runSqlStep(step, ctx);
    case 'noop':
      return runNoopStep(step, ctx);
    case 'dispatch':
      return runDispatchStep(step, ctx);
    default: {
      // Steps arrive from storage; a type this build does not know fails instead of crashing the run.
      const unknownStep: { type?: unknown } = step;
      return Promise.resolve(failed(`unknown step type '${String(unknownStep.type)}'`));
    }
  }
}
