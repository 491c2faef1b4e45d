/**
 * JIM's CreateScheduleRequest / UpdateScheduleRequest and their steps, read and checked against the
 * seed's field limits (name 1–200, description ≤ 1000, paths ≤ 500, arguments ≤ 2000, intervalValue 1–59,
 * timeoutSeconds 1–86400, changeReason ≤ 2000) and the controller's own rules (a Cron trigger needs a
 * cron expression or a pattern; each step type needs its fields). Every broken rule is reported at once.
 */

import { addError, validationFailed, type ValidationErrors } from './errors.js';
import { FieldReader, isObject } from './fields.js';

export const TRIGGER_TYPES = ['Cron', 'Manual'] as const;
export const PATTERN_TYPES = ['SpecificTimes', 'Interval', 'Custom'] as const;
export const INTERVAL_UNITS = ['Minutes', 'Hours'] as const;
export const EXECUTION_MODES = ['Sequential', 'ParallelWithPrevious'] as const;
export const STEP_TYPES = ['RunProfile', 'PowerShell', 'Executable', 'SqlScript', 'TemporalScopeReconciliation'] as const;

export type TriggerType = (typeof TRIGGER_TYPES)[number];
export type PatternType = (typeof PATTERN_TYPES)[number];
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];
export type ExecutionMode = (typeof EXECUTION_MODES)[number];
export type JimStepType = (typeof STEP_TYPES)[number];

/** The type-specific fields of a step, as JIM shows them (null where unused). */
export interface StepFields {
  stepType: JimStepType;
  connectedSystemId: number | null;
  runProfileId: number | null;
  scriptPath: string | null;
  arguments: string | null;
  executablePath: string | null;
  workingDirectory: string | null;
  sqlConnectionString: string | null;
  sqlScriptPath: string | null;
}

export interface StepRequest extends StepFields {
  /** Position in the request's steps array (for error paths). */
  position: number;
  id: string | null;
  stepIndex: number;
  name: string | null;
  /** null: not sent (derived from the step indexes). */
  executionMode: ExecutionMode | null;
  continueOnFailure: boolean;
  timeoutSeconds: number | null;
}

/** The pattern fields as sent (null = not sent): kept verbatim so they are served back as given. */
export interface PatternFields {
  triggerType: TriggerType;
  patternType: PatternType;
  daysOfWeek: string | null;
  runTimes: string | null;
  intervalValue: number | null;
  intervalUnit: IntervalUnit | null;
  intervalWindowStart: string | null;
  intervalWindowEnd: string | null;
  cronExpression: string | null;
}

export interface ScheduleRequest extends PatternFields {
  name: string;
  description: string | null;
  isEnabled: boolean;
  steps: StepRequest[];
  changeReason: string | null;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function readStep(value: unknown, position: number, errors: ValidationErrors): StepRequest | null {
  const path = `Steps[${position}].`;
  if (!isObject(value)) {
    addError(errors, `Steps[${position}]`, 'The JSON value could not be converted to JIM.Web.Models.Api.ScheduleStepRequest.');
    return null;
  }
  const r = new FieldReader(value, path, errors);
  // A missing stepType is the enum's default in .NET: RunProfile.
  const stepType = r.enumValue('stepType', STEP_TYPES, 'ScheduleStepType') ?? 'RunProfile';
  const step: StepRequest = {
    position,
    id: nul(r.guid('id')),
    stepIndex: r.int('stepIndex', { min: 0, max: 1000 }) ?? 0,
    name: nul(r.string('name', { max: 200 })),
    executionMode: nul(r.enumValue('executionMode', EXECUTION_MODES, 'StepExecutionMode')),
    stepType,
    continueOnFailure: r.bool('continueOnFailure') ?? false,
    timeoutSeconds: nul(r.int('timeoutSeconds', { min: 1, max: 86400 })),
    connectedSystemId: nul(r.int('connectedSystemId')),
    runProfileId: nul(r.int('runProfileId')),
    scriptPath: nul(r.string('scriptPath', { max: 500 })),
    arguments: nul(r.string('arguments', { max: 2000 })),
    executablePath: nul(r.string('executablePath', { max: 500 })),
    workingDirectory: nul(r.string('workingDirectory', { max: 500 })),
    sqlConnectionString: nul(r.string('sqlConnectionString', { max: 500 })),
    sqlScriptPath: nul(r.string('sqlScriptPath', { max: 500 })),
  };
  checkStepFields(step, path, errors);
  return step;
}

/** The controller's per-type rules (ValidateStep), with its messages. */
function checkStepFields(step: StepRequest, path: string, errors: ValidationErrors): void {
  const blank = (s: string | null): boolean => s === null || s.trim() === '';
  switch (step.stepType) {
    case 'RunProfile':
      if (!step.connectedSystemId) addError(errors, `${path}ConnectedSystemId`, 'Connected System ID is required for RunProfile steps');
      if (!step.runProfileId) addError(errors, `${path}RunProfileId`, 'Run Profile ID is required for RunProfile steps');
      break;
    case 'PowerShell':
      if (blank(step.scriptPath)) addError(errors, `${path}ScriptPath`, 'Script path is required for PowerShell steps');
      break;
    case 'Executable':
      if (blank(step.executablePath)) addError(errors, `${path}ExecutablePath`, 'Executable path is required for Executable steps');
      break;
    case 'SqlScript':
      if (blank(step.sqlConnectionString)) addError(errors, `${path}SqlConnectionString`, 'SQL connection string is required for SqlScript steps');
      if (blank(step.sqlScriptPath)) addError(errors, `${path}SqlScriptPath`, 'SQL script path is required for SqlScript steps');
      break;
    case 'TemporalScopeReconciliation':
      break;
  }
}

/**
 * Reads a create (`mode: 'create'`) or update request. The defaults differ as they do in .NET: on create
 * triggerType defaults to Manual; on update an absent triggerType is the enum's default, Cron.
 */
export function readScheduleRequest(body: unknown, mode: 'create' | 'update'): ScheduleRequest {
  const errors: ValidationErrors = {};
  if (!isObject(body)) throw validationFailed({ '$': ['A non-empty request body is required.'] }, 'A non-empty request body is required.');
  const r = new FieldReader(body, '', errors);
  const stepsRaw = r.array('steps') ?? [];
  const steps: StepRequest[] = [];
  stepsRaw.forEach((s, i) => {
    const step = readStep(s, i, errors);
    if (step) steps.push(step);
  });
  const request: ScheduleRequest = {
    name: r.string('name', { min: 1, max: 200, required: true }) ?? '',
    description: nul(r.string('description', { max: 1000 })),
    triggerType: r.enumValue('triggerType', TRIGGER_TYPES, 'ScheduleTriggerType') ?? (mode === 'create' ? 'Manual' : 'Cron'),
    patternType: r.enumValue('patternType', PATTERN_TYPES, 'SchedulePatternType') ?? 'SpecificTimes',
    daysOfWeek: nul(r.string('daysOfWeek', { max: 50 })),
    runTimes: nul(r.string('runTimes', { max: 200 })),
    intervalValue: nul(r.int('intervalValue', { min: 1, max: 59 })),
    intervalUnit: nul(r.enumValue('intervalUnit', INTERVAL_UNITS, 'ScheduleIntervalUnit')),
    intervalWindowStart: nul(r.string('intervalWindowStart', { max: 10 })),
    intervalWindowEnd: nul(r.string('intervalWindowEnd', { max: 10 })),
    cronExpression: nul(r.string('cronExpression', { max: 100 })),
    isEnabled: r.bool('isEnabled') ?? false,
    steps,
    changeReason: nul(r.string('changeReason', { max: 2000 })),
  };
  if (Object.keys(errors).length) throw validationFailed(errors);
  return request;
}
