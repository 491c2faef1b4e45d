/**
 * A JIM create/update request as a sked job definition. On update the steps are reconciled by step id, as
 * JIM does: a step sent back with its id and unchanged fields keeps its sked step as it is (so steps made
 * through other surfaces, sealed connection passwords and SQL scripts read earlier survive a round trip
 * through Get-JIMSchedule / Set-JIMSchedule); other steps are made anew. Everything JIM does not know of
 * (collection, labels, retry, onFailure steps, other surfaces' extensions) is kept.
 */

import { randomUUID } from 'node:crypto';
import { redactConnection } from '../../domain/secrets.js';
import type { Job, Step } from '../../domain/types.js';
import { inputOf, type JobInput } from '../../service/job-input.js';
import { JimError, validationFailed, type ValidationErrors } from './errors.js';
import { extensionJson, type JimExtension, type StepExtension } from './extension.js';
import { fingerprint, stepFingerprint } from './fingerprint.js';
import type { PatternFields, ScheduleRequest, StepRequest } from './request.js';
import { scheduleSpecOf } from './schedule-map.js';
import { sameFields, skedStepOf, withBase } from './step-map.js';
import { scheduleDto, stepViews } from './views.js';

function patternFieldsOf(req: ScheduleRequest): PatternFields {
  return {
    triggerType: req.triggerType,
    patternType: req.patternType,
    daysOfWeek: req.daysOfWeek,
    runTimes: req.runTimes,
    intervalValue: req.intervalValue,
    intervalUnit: req.intervalUnit,
    intervalWindowStart: req.intervalWindowStart,
    intervalWindowEnd: req.intervalWindowEnd,
    cronExpression: req.cronExpression,
  };
}

function extensionOf(req: StepRequest, id: string, step: Step): StepExtension {
  return {
    id,
    fp: stepFingerprint(step),
    executionMode: req.executionMode,
    stepType: req.stepType,
    connectedSystemId: req.connectedSystemId,
    runProfileId: req.runProfileId,
    scriptPath: req.scriptPath,
    arguments: req.arguments,
    executablePath: req.executablePath,
    workingDirectory: req.workingDirectory,
    sqlConnectionString: req.sqlConnectionString === null ? null : redactConnection(req.sqlConnectionString),
    sqlScriptPath: req.sqlScriptPath,
  };
}

function sameSchedule(sent: PatternFields, shown: PatternFields): boolean {
  const keys: (keyof PatternFields)[] = ['triggerType', 'patternType', 'daysOfWeek', 'runTimes', 'intervalValue', 'intervalUnit', 'intervalWindowStart', 'intervalWindowEnd', 'cronExpression'];
  return keys.every((k) => (sent[k] ?? null) === (shown[k] ?? null));
}

/** The sked steps (ordered by stepIndex, stable) and what the extension keeps of them. */
async function stepsOf(requests: readonly StepRequest[], existing: Job | null, errors: ValidationErrors): Promise<{ steps: Step[]; ext: StepExtension[] }> {
  const views = existing ? stepViews(existing) : [];
  const used = new Set<string>();
  const ordered = [...requests].sort((a, b) => a.stepIndex - b.stepIndex || a.position - b.position);
  const steps: Step[] = [];
  const ext: StepExtension[] = [];
  for (const req of ordered) {
    const id = req.id !== null && !used.has(req.id) ? req.id : randomUUID();
    used.add(id);
    const kept = req.id === null ? undefined : views.find((v) => v.dto.id === req.id && sameFields(v.dto, req));
    const step = kept ? withBase(kept.step, req) : await skedStepOf(req, id, errors);
    steps.push(step);
    ext.push(extensionOf(req, id, step));
  }
  return { steps, ext };
}

/** The job input for a request; `existing` on update. Throws a 400 listing every problem. */
export async function jobInputOf(req: ScheduleRequest, existing: Job | null, now: number): Promise<JobInput> {
  const errors: ValidationErrors = {};
  let schedule: JobInput['schedule'] | null = null;
  try {
    // Sent back as shown: the schedule stays as it is (a job from another surface keeps its own kind,
    // zone and dialect rather than becoming JIM's UTC equivalent).
    schedule = existing && sameSchedule(patternFieldsOf(req), scheduleDto(existing)) ? existing.schedule : scheduleSpecOf(req, now);
  } catch (err) {
    if (!(err instanceof JimError) || !err.validationErrors) throw err;
    Object.assign(errors, err.validationErrors);
  }
  const { steps, ext } = await stepsOf(req.steps, existing, errors);
  if (Object.keys(errors).length || schedule === null) throw validationFailed(errors);
  const extension: JimExtension = { schedule: { ...patternFieldsOf(req), fp: fingerprint(schedule) }, steps: ext, changeReason: req.changeReason };
  const base: Partial<JobInput> = existing ? inputOf(existing, existing.state !== 'paused') : {};
  return {
    ...base,
    name: req.name,
    description: req.description ?? '',
    schedule,
    steps,
    enabled: req.isEnabled,
    extensions: { ...(existing?.extensions ?? {}), jim: extensionJson(extension) },
  };
}
