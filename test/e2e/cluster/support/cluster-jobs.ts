/**
 * The jobs the cluster tests fire: every second (Quartz cron `* * * * * ?` or interval PT1S, both on
 * whole seconds), one step that does nothing, sleeps, or fails after a while; any overlap, catch-up and
 * retry policy. Each test file picks its own mix.
 */

export type CatchUp = 'all' | 'none' | 'latest';
export const CATCH_UPS: readonly CatchUp[] = ['all', 'none', 'latest'];

/** The job's one step: `noop`, `/bin/sleep <seconds>`, or a shell that fails (exit 3) after `seconds`. */
export type StepKind =
  { type: 'noop' } | { type: 'sleep'; seconds: number } | { type: 'fail'; seconds: number };

export interface JobSpec {
  id: string;
  kind: 'cron' | 'interval';
  overlap: 'allow' | 'skip';
  catchUp: CatchUp;
  /** maxAttempts of a fixed 0.5 s retry policy, or null without one. */
  maxAttempts: number | null;
  step: StepKind;
}

function stepOf(step: StepKind): Record<string, unknown> {
  switch (step.type) {
    case 'noop':
      return { stepIndex: 0, type: 'noop' };
    case 'sleep':
      return { stepIndex: 0, type: 'exec', command: '/bin/sleep', args: [String(step.seconds)] };
    case 'fail':
      return {
        stepIndex: 0,
        type: 'exec',
        command: '/bin/sh',
        args: ['-c', `sleep ${step.seconds}; exit 3`],
      };
  }
}

/** The body of `PUT /api/v1/jobs/<id>`. */
export function jobBody(s: JobSpec): Record<string, unknown> {
  return {
    name: s.id,
    schedule:
      s.kind === 'cron' ? { type: 'cron', expression: '* * * * * ?' } : { type: 'interval', every: 'PT1S' },
    overlap: s.overlap,
    catchUp: { policy: s.catchUp, window: 'PT1H' },
    retry:
      s.maxAttempts === null ? null : { maxAttempts: s.maxAttempts, backoff: 'fixed', interval: 'PT0.5S' },
    steps: [stepOf(s.step)],
  };
}
