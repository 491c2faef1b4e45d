/**
 * Runs one step to its result: type allowed, settings valid, then attempts (each under the step's
 * timeout) with the retry policy's backoff between them. Only the last attempt's output is kept; when
 * there was an earlier attempt, it starts with one marker line naming the attempt and why the previous
 * one failed, so the cause of a retry stays visible without mixing several attempts' output.
 */
import type { Dispatcher } from 'undici';
import type { Step, StepResult, StepStatus } from '../domain/types.js';
import { messageOf } from '../domain/errors.js';
import { formatDuration } from '../schedule/instant.js';
import { retryDelayMs } from './backoff.js';
import { runAttempt } from './step-dispatch.js';
import { runEnvironment } from './step-env.js';
import { stepLabel } from './step-label.js';
import { StepOutput } from './step-output.js';
import { planStep } from './step-plan.js';
import { linkStop, sleep, startTimer, StopRequest, stopKindOf, type Stop, type StopKind } from './stop.js';
import type { TemplateValues } from './template.js';
import { failed, type AttemptOutcome, type ExecutorSettings, type StepPhase } from './types.js';

export interface StepRun {
  step: Step;
  position: number;
  phase: StepPhase;
  /** The run's stop: fired on run timeout or cancellation. */
  signal: Stop;
  template: TemplateValues;
  settings: ExecutorSettings;
  dispatcher: () => Promise<Dispatcher>;
  /** Live output of the step, or null. */
  onOutput: ((text: string) => void) | null;
}

export async function runStep(run: StepRun): Promise<StepResult> {
  const { step, position, phase, settings } = run;
  const label = stepLabel(step, position, phase);
  const result: StepResult = {
    stepIndex: step.stepIndex,
    position,
    phase,
    name: step.name ?? null,
    type: step.type,
    status: 'running',
    attempt: 0,
    startedAt: settings.now(),
    finishedAt: null,
    exitCode: null,
    httpStatus: null,
    output: '',
    error: null,
  };
  const finish = (status: StepStatus, error: string | null): StepResult => {
    result.status = status;
    result.error = error === null ? null : `${label}: ${error}`;
    result.finishedAt = settings.now();
    return result;
  };
  const finishStopped = (kind: Exclude<StopKind, 'stepTimeout'>): StepResult =>
    kind === 'cancelled'
      ? finish('cancelled', 'cancelled')
      : finish('timedOut', 'stopped: the run timed out');

  if (settings.allowedStepTypes !== null && !settings.allowedStepTypes.has(step.type)) {
    return finish('failed', `step type '${step.type}' is not allowed on this node`);
  }
  const plan = planStep(step, settings);
  if (typeof plan === 'string') return finish('failed', plan);

  let previousError: string | null = null;
  for (let attempt = 1; ; attempt++) {
    const stopped = stopKindOf(run.signal);
    if (stopped === 'cancelled' || stopped === 'runTimeout') return finishStopped(stopped);

    // A step timeout needs a signal of the attempt's own; without one the run's signal is enough.
    const timeoutMs = plan.timeoutMs;
    const attemptControl = timeoutMs === null ? null : linkStop(run.signal);
    const attemptStop: Stop = attemptControl?.stop ?? run.signal;
    const cancelTimer =
      attemptControl === null || timeoutMs === null
        ? () => undefined
        : startTimer(timeoutMs, () => attemptControl.stop.abort(new StopRequest('stepTimeout')));
    const output = new StepOutput(settings.maxOutputBytes, run.onOutput);
    if (previousError !== null) {
      output.write(
        `[sked] attempt ${attempt} of ${plan.retry.maxAttempts}; attempt ${attempt - 1}: ${previousError}\n`,
      );
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await runAttempt(step, {
        // the AbortSignal is made only if the step waits on one
        get signal() {
          return attemptStop.signal();
        },
        output,
        runEnv: () => runEnvironment(run.template, attempt, phase === 'onFailure'),
        template: run.template,
        settings,
        dispatcher: run.dispatcher,
      });
    } catch (error) {
      // Runners report failures as outcomes; a throw is a defect, but it still only fails this step.
      outcome = failed(messageOf(error));
    } finally {
      cancelTimer();
      attemptControl?.dispose();
    }
    result.attempt = attempt;
    result.output = output.finish();
    result.exitCode = outcome.exitCode;
    result.httpStatus = outcome.httpStatus;

    const stop = stopKindOf(attemptStop);
    if (stop === 'cancelled' || stop === 'runTimeout') return finishStopped(stop);
    let status: 'failed' | 'timedOut';
    let error: string;
    if (stop === 'stepTimeout') {
      status = 'timedOut';
      error = `timed out after ${formatDuration(timeoutMs ?? 0)}`;
    } else if (outcome.ok) {
      return finish('succeeded', null);
    } else {
      status = 'failed';
      error = outcome.error ?? 'failed';
    }
    if (attempt >= plan.retry.maxAttempts) return finish(status, error);
    previousError = error;
    // Aborted backoff: the loop's first check reports the stop.
    await sleep(retryDelayMs(plan.retry, attempt), run.signal);
  }
}
