/**
 * What this surface keeps in a job's `extensions.jim`: the pattern fields and step fields as they were
 * sent, each with the fingerprint of the sked schedule or step made from them. Read defensively: any
 * caller of the native API can write anything there.
 */

import { isObject, type JsonObject } from './fields.js';
import {
  EXECUTION_MODES,
  INTERVAL_UNITS,
  PATTERN_TYPES,
  STEP_TYPES,
  TRIGGER_TYPES,
  type ExecutionMode,
  type PatternFields,
  type StepFields,
} from './request.js';

export interface StepExtension extends StepFields {
  id: string;
  executionMode: ExecutionMode | null;
  fp: string;
}

export interface JimExtension {
  schedule: PatternFields & { fp: string };
  /** By step position; null where the stored entry is unreadable. */
  steps: (StepExtension | null)[];
  changeReason: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const oneOf = <T extends string>(v: unknown, values: readonly T[]): T | null => (values.includes(v as T) ? (v as T) : null);

function readStep(v: unknown): StepExtension | null {
  if (!isObject(v)) return null;
  const stepType = oneOf(v['stepType'], STEP_TYPES);
  const id = str(v['id']);
  const fp = str(v['fp']);
  if (stepType === null || id === null || fp === null) return null;
  return {
    id,
    fp,
    stepType,
    executionMode: oneOf(v['executionMode'], EXECUTION_MODES),
    connectedSystemId: int(v['connectedSystemId']),
    runProfileId: int(v['runProfileId']),
    scriptPath: str(v['scriptPath']),
    arguments: str(v['arguments']),
    executablePath: str(v['executablePath']),
    workingDirectory: str(v['workingDirectory']),
    sqlConnectionString: str(v['sqlConnectionString']),
    sqlScriptPath: str(v['sqlScriptPath']),
  };
}

export function readExtension(extensions: Record<string, unknown>): JimExtension | null {
  const v = extensions['jim'];
  if (!isObject(v) || !isObject(v['schedule'])) return null;
  const s = v['schedule'];
  const triggerType = oneOf(s['triggerType'], TRIGGER_TYPES);
  const patternType = oneOf(s['patternType'], PATTERN_TYPES);
  const fp = str(s['fp']);
  if (triggerType === null || patternType === null || fp === null) return null;
  return {
    schedule: {
      fp,
      triggerType,
      patternType,
      daysOfWeek: str(s['daysOfWeek']),
      runTimes: str(s['runTimes']),
      intervalValue: int(s['intervalValue']),
      intervalUnit: oneOf(s['intervalUnit'], INTERVAL_UNITS),
      intervalWindowStart: str(s['intervalWindowStart']),
      intervalWindowEnd: str(s['intervalWindowEnd']),
      cronExpression: str(s['cronExpression']),
    },
    steps: Array.isArray(v['steps']) ? v['steps'].map(readStep) : [],
    changeReason: str(v['changeReason']),
  };
}

/** The extension as stored (plain JSON). */
export function extensionJson(ext: JimExtension): JsonObject {
  return JSON.parse(JSON.stringify(ext)) as JsonObject;
}
