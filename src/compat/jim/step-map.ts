/**
 * JIM steps ↔ sked steps:
 * - Executable → `exec` of executablePath with `arguments` split as .NET splits a command line, in
 *   workingDirectory;
 * - PowerShell → `exec` of `pwsh -NoProfile -NonInteractive -File scriptPath args…` (a host without pwsh
 *   fails the run with "cannot run 'pwsh' … not found");
 * - SqlScript → `sql` on a `sqlite:PATH` or `postgres://…` connection, with the script file's text, read
 *   when the schedule is saved (another connection string, e.g. SQL Server's, is refused with a 400);
 * - RunProfile and TemporalScopeReconciliation → `dispatch` to the jim surface's URL, carrying the fields;
 * - timeoutSeconds → the step's timeout; continueOnFailure as is; equal stepIndex runs in parallel.
 */

import { readFile } from 'node:fs/promises';
import type { Step } from '../../domain/types.js';
import { parseDuration } from '../../schedule/instant.js';
import { joinArguments, splitArguments } from './args.js';
import { addError, type ValidationErrors } from './errors.js';
import type { StepFields, StepRequest } from './request.js';

/** The PowerShell host, and the flags it is started with before `-File`. */
export const PWSH = 'pwsh';
const PWSH_FLAGS = ['-NoProfile', '-NonInteractive', '-File'];
/** Largest SQL script read into a step. */
const MAX_SQL_BYTES = 256 * 1024;
const SUPPORTED_SQL = /^(sqlite:|postgres(ql)?:\/\/)/i;

export interface StepDto extends StepFields {
  id: string;
  stepIndex: number;
  name: string | null;
  executionMode: 'Sequential' | 'ParallelWithPrevious';
  continueOnFailure: boolean;
  timeoutSeconds: number | null;
}

const NO_FIELDS = { connectedSystemId: null, runProfileId: null, scriptPath: null, arguments: null, executablePath: null, workingDirectory: null, sqlConnectionString: null, sqlScriptPath: null } as const;

/** The sked step's common fields from a JIM step. */
function baseOf(req: StepRequest): Pick<Step, 'stepIndex' | 'name' | 'continueOnFailure' | 'timeout'> {
  return {
    stepIndex: req.stepIndex,
    ...(req.name !== null ? { name: req.name } : {}),
    ...(req.continueOnFailure ? { continueOnFailure: true } : {}),
    ...(req.timeoutSeconds !== null ? { timeout: `PT${req.timeoutSeconds}S` } : {}),
  };
}

/** Applies a JIM step's common fields to an existing sked step (kept as it is otherwise). */
export function withBase(step: Step, req: StepRequest): Step {
  const { name: _n, continueOnFailure: _c, timeout: _t, ...rest } = step;
  return { ...rest, ...baseOf(req) } as Step;
}

async function readScript(path: string, field: string, errors: ValidationErrors): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    if (Buffer.byteLength(text) > MAX_SQL_BYTES) addError(errors, field, `the SQL script is larger than ${MAX_SQL_BYTES / 1024} KiB`);
    else if (!text.trim()) addError(errors, field, 'the SQL script is empty');
    return text;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    addError(errors, field, `cannot read the SQL script on the sked server (${code}): sked reads it when the schedule is saved`);
    return '';
  }
}

/** A new sked step for a JIM step; problems are added to `errors` (fields named as JIM names them). */
export async function skedStepOf(req: StepRequest, id: string, errors: ValidationErrors): Promise<Step> {
  const base = baseOf(req);
  const path = `Steps[${req.position}].`;
  switch (req.stepType) {
    case 'RunProfile':
      return { ...base, type: 'dispatch', surface: 'jim', action: { stepType: 'RunProfile', stepId: id, connectedSystemId: req.connectedSystemId, runProfileId: req.runProfileId } };
    case 'TemporalScopeReconciliation':
      return { ...base, type: 'dispatch', surface: 'jim', action: { stepType: 'TemporalScopeReconciliation', stepId: id } };
    case 'PowerShell':
      return { ...base, type: 'exec', command: PWSH, args: [...PWSH_FLAGS, req.scriptPath as string, ...splitArguments(req.arguments)] };
    case 'Executable':
      return {
        ...base,
        type: 'exec',
        command: req.executablePath as string,
        args: splitArguments(req.arguments),
        ...(req.workingDirectory ? { cwd: req.workingDirectory } : {}),
      };
    case 'SqlScript': {
      const connection = (req.sqlConnectionString as string).trim();
      if (!SUPPORTED_SQL.test(connection)) {
        addError(errors, `${path}SqlConnectionString`, 'sked runs SqlScript steps on sqlite:PATH or postgres://user:password@host/db connections only; this connection string (SQL Server or ADO.NET style) cannot be run');
      }
      const sql = await readScript(req.sqlScriptPath as string, `${path}SqlScriptPath`, errors);
      return { ...base, type: 'sql', connection, sql };
    }
  }
}

/** JIM's fields for a sked step made (or changed) elsewhere. */
export function fieldsOfSkedStep(step: Step): StepFields {
  switch (step.type) {
    case 'dispatch': {
      const a = step.action;
      const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
      if (step.surface === 'jim' && a['stepType'] === 'TemporalScopeReconciliation') return { ...NO_FIELDS, stepType: 'TemporalScopeReconciliation' };
      if (step.surface === 'jim') return { ...NO_FIELDS, stepType: 'RunProfile', connectedSystemId: num(a['connectedSystemId']), runProfileId: num(a['runProfileId']) };
      return { ...NO_FIELDS, stepType: 'Executable', executablePath: `sked:dispatch`, arguments: step.surface };
    }
    case 'exec': {
      const args = step.args ?? [];
      const flags = args.slice(0, PWSH_FLAGS.length);
      if (step.command === PWSH && flags.join(' ') === PWSH_FLAGS.join(' ') && args.length > PWSH_FLAGS.length) {
        const rest = args.slice(PWSH_FLAGS.length + 1);
        return { ...NO_FIELDS, stepType: 'PowerShell', scriptPath: args[PWSH_FLAGS.length] as string, arguments: rest.length ? joinArguments(rest) : null };
      }
      return { ...NO_FIELDS, stepType: 'Executable', executablePath: step.command, arguments: args.length ? joinArguments(args) : null, workingDirectory: step.cwd ?? null };
    }
    case 'shell':
      return { ...NO_FIELDS, stepType: 'Executable', executablePath: step.shell ?? '/bin/sh', arguments: joinArguments(['-c', step.script]), workingDirectory: step.cwd ?? null };
    case 'sql':
      return { ...NO_FIELDS, stepType: 'SqlScript', sqlConnectionString: step.connection };
    case 'http':
      return { ...NO_FIELDS, stepType: 'Executable', executablePath: 'sked:http', arguments: `${step.request.method ?? 'GET'} ${step.request.url}` };
    case 'noop':
      return { ...NO_FIELDS, stepType: 'Executable', executablePath: 'sked:noop' };
  }
}

/** A step timeout in whole seconds (rounded up), or null. */
export function timeoutSeconds(step: Step): number | null {
  if (step.timeout === undefined) return null;
  const ms = parseDuration(step.timeout);
  return ms === null ? null : Math.ceil(ms / 1000);
}

/** Whether two sets of step fields describe the same action (nulls and blanks alike). */
export function sameFields(a: StepFields, b: StepFields): boolean {
  const keys: (keyof StepFields)[] = ['stepType', 'connectedSystemId', 'runProfileId', 'scriptPath', 'arguments', 'executablePath', 'workingDirectory', 'sqlConnectionString', 'sqlScriptPath'];
  const norm = (v: unknown): unknown => (v === '' || v === undefined ? null : v);
  return keys.every((k) => norm(a[k]) === norm(b[k]));
}
