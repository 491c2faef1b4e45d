/**
 * Runs one list of steps (a run's main steps, or its onFailure steps): groups in ascending stepIndex,
 * the steps of a group in parallel. After a group in which a step failed without continueOnFailure,
 * or once the phase is stopped, the remaining steps are `skipped`. A failing group is never cut short:
 * its other steps finish.
 */
import type { Dispatcher } from 'undici';
import type { Step, StepResult } from '../domain/types.js';
import { groupSteps } from './step-groups.js';
import { runStep } from './step-runner.js';
import type { TemplateValues } from './template.js';
import type { Stop } from './stop.js';
import type { ExecutorSettings, StepPhase } from './types.js';

export interface PhaseRun {
  steps: readonly Step[];
  phase: StepPhase;
  /** Fired on run timeout or cancellation. */
  signal: Stop;
  template: TemplateValues;
  settings: ExecutorSettings;
  dispatcher: () => Promise<Dispatcher>;
  onOutput: ((position: number, phase: StepPhase, chunk: string) => void) | null;
  onStepFinished: ((result: StepResult) => void) | null;
}

export interface PhaseResult {
  /** One result per step, in position order. */
  results: StepResult[];
  /** The error of the first step (by position, in the first failing group) that failed the phase. */
  failure: string | null;
}

export async function runPhase(run: PhaseRun): Promise<PhaseResult> {
  const results = new Map<number, StepResult>();
  let failure: string | null = null;
  const report = (result: StepResult): StepResult => {
    results.set(result.position, result);
    callHook(run.onStepFinished, result);
    return result;
  };

  for (const group of groupSteps(run.steps)) {
    const steps = group.positions.map((position) => ({ position, step: stepAt(run.steps, position) }));
    if (failure !== null || run.signal.aborted) {
      for (const { position, step } of steps) report(skippedResult(step, position, run.phase));
      continue;
    }
    const finished = await Promise.all(
      steps.map(async ({ position, step }) =>
        report(
          await runStep({
            step,
            position,
            phase: run.phase,
            signal: run.signal,
            template: run.template,
            settings: run.settings,
            dispatcher: run.dispatcher,
            onOutput: liveOutput(run, position),
          }),
        ),
      ),
    );
    for (const result of finished) {
      const failedStep = result.status !== 'succeeded' && result.status !== 'skipped';
      if (failedStep && !stepAt(run.steps, result.position).continueOnFailure) failure ??= result.error;
    }
  }
  const ordered = [...results.values()].sort((a, b) => a.position - b.position);
  return { results: ordered, failure };
}

function stepAt(steps: readonly Step[], position: number): Step {
  const step = steps[position];
  if (step === undefined) throw new Error(`no step at position ${position}`);
  return step;
}

function skippedResult(step: Step, position: number, phase: StepPhase): StepResult {
  return {
    stepIndex: step.stepIndex,
    position,
    phase,
    name: step.name ?? null,
    type: step.type,
    status: 'skipped',
    attempt: 0,
    startedAt: null,
    finishedAt: null,
    exitCode: null,
    httpStatus: null,
    output: '',
    error: null,
  };
}

function liveOutput(run: PhaseRun, position: number): ((text: string) => void) | null {
  const hook = run.onOutput;
  return hook === null ? null : (text) => hook(position, run.phase, text);
}

/** Calls an observer hook; its failure must not break the run it observes. */
function callHook<T>(hook: ((value: T) => void) | null, value: T): void {
  if (hook === null) return;
  try {
    hook(value);
  } catch {
    // Ignored on purpose (see above).
  }
}
