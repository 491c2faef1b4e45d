/**
 * ScheduleDto and ScheduleDetailDto for any sked job: fields sent through this surface are served back
 * verbatim while the schedule or step is still the one made from them; otherwise (a job made or changed
 * through another surface) the JIM view is derived from the sked definition. Ids are sked job ids (GUIDs
 * for schedules made here); steps made elsewhere get stable GUIDs derived from job id and position.
 */

import type { Job, Step } from '../../domain/types.js';
import { dotnetDate } from './dates.js';
import { readExtension, type JimExtension } from './extension.js';
import { derivedStepId, fingerprint, stepFingerprint } from './fingerprint.js';
import { scheduleViewOf, type ScheduleView } from './schedule-map.js';
import { fieldsOfSkedStep, timeoutSeconds, type StepDto } from './step-map.js';

/** The last-execution fields, filled only by the list call (null elsewhere, as in JIM). */
export interface LastExecution {
  lastExecutionId: string | null;
  lastExecutionStatus: string | null;
  lastExecutionCurrentStepIndex: number | null;
  lastExecutionTotalSteps: number | null;
  lastExecutionCompletedAt: string | null;
  lastExecutionErrorMessage: string | null;
}

export const NO_LAST_EXECUTION: LastExecution = {
  lastExecutionId: null,
  lastExecutionStatus: null,
  lastExecutionCurrentStepIndex: null,
  lastExecutionTotalSteps: null,
  lastExecutionCompletedAt: null,
  lastExecutionErrorMessage: null,
};

export interface ScheduleDto extends ScheduleView, LastExecution {
  id: string;
  name: string;
  description: string | null;
  isEnabled: boolean;
  lastRunTime: string | null;
  nextRunTime: string | null;
  stepCount: number;
  created: string;
  lastUpdated: string | null;
}

export interface ScheduleDetailDto extends ScheduleDto {
  steps: StepDto[];
}

/** A step of the job with its JIM view. */
export interface StepView {
  dto: StepDto;
  step: Step;
  position: number;
}

/** The job's steps as JIM shows them, ordered by stepIndex (stable). */
export function stepViews(job: Job, ext: JimExtension | null = readExtension(job.extensions)): StepView[] {
  const positioned = job.steps.map((step, position) => ({ step, position })).sort((a, b) => a.step.stepIndex - b.step.stepIndex || a.position - b.position);
  return positioned.map(({ step, position }, i) => {
    const sent = ext?.steps[position] ?? null;
    const same = sent !== null && sent.fp === stepFingerprint(step);
    const fields = same ? { ...sent, sqlConnectionString: step.type === 'sql' ? step.connection : sent.sqlConnectionString } : fieldsOfSkedStep(step);
    const previous = positioned[i - 1];
    const derivedMode = previous !== undefined && previous.step.stepIndex === step.stepIndex ? 'ParallelWithPrevious' : 'Sequential';
    const actionId = step.type === 'dispatch' && typeof step.action['stepId'] === 'string' ? step.action['stepId'] : null;
    const dto: StepDto = {
      id: sent?.id ?? actionId ?? derivedStepId(job.id, position),
      stepIndex: step.stepIndex,
      name: step.name ?? null,
      executionMode: (same ? sent.executionMode : null) ?? derivedMode,
      stepType: fields.stepType,
      continueOnFailure: step.continueOnFailure ?? false,
      timeoutSeconds: timeoutSeconds(step),
      connectedSystemId: fields.connectedSystemId,
      runProfileId: fields.runProfileId,
      scriptPath: fields.scriptPath,
      arguments: fields.arguments,
      executablePath: fields.executablePath,
      workingDirectory: fields.workingDirectory,
      sqlConnectionString: fields.sqlConnectionString,
      sqlScriptPath: fields.sqlScriptPath,
    };
    return { dto, step, position };
  });
}

export function scheduleDto(job: Job, last: LastExecution = NO_LAST_EXECUTION): ScheduleDto {
  const ext = readExtension(job.extensions);
  const sent = ext !== null && ext.schedule.fp === fingerprint(job.schedule) ? ext.schedule : null;
  const view = scheduleViewOf(job.schedule, sent);
  return {
    id: job.id,
    name: job.name,
    description: job.description === '' ? null : job.description,
    triggerType: view.triggerType,
    cronExpression: view.cronExpression,
    patternType: view.patternType,
    daysOfWeek: view.daysOfWeek,
    runTimes: view.runTimes,
    intervalValue: view.intervalValue,
    intervalUnit: view.intervalUnit,
    intervalWindowStart: view.intervalWindowStart,
    intervalWindowEnd: view.intervalWindowEnd,
    isEnabled: job.state === 'enabled',
    lastRunTime: dotnetDate(job.status.lastFireTime),
    nextRunTime: job.state === 'enabled' ? dotnetDate(job.status.nextFireTime) : null,
    stepCount: job.steps.length,
    created: dotnetDate(job.createdAt) as string,
    lastUpdated: job.version > 1 ? dotnetDate(job.updatedAt) : null,
    ...last,
  };
}

export function scheduleDetailDto(job: Job): ScheduleDetailDto {
  return { ...scheduleDto(job), steps: stepViews(job).map((v) => v.dto) };
}
