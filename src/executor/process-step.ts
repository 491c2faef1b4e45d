/** `exec` (a program with arguments, never through a shell) and `shell` (a script through a shell) steps. */
import { stat } from 'node:fs/promises';
import type { ExecStep, ShellStep } from '../domain/types.js';
import { runProcess } from './process-runner.js';
import { processEnvironment } from './step-env.js';
import { failed, succeeded, type AttemptContext, type AttemptOutcome } from './types.js';

const DEFAULT_SHELL = '/bin/sh';

export function runExecStep(step: ExecStep, ctx: AttemptContext): Promise<AttemptOutcome> {
  return runCommand(step.command, step.args ?? [], step.cwd, step.env, ctx);
}

/** `<shell> -c <script>`. */
export function runShellStep(step: ShellStep, ctx: AttemptContext): Promise<AttemptOutcome> {
  return runCommand(step.shell ?? DEFAULT_SHELL, ['-c', step.script], step.cwd, step.env, ctx);
}

async function runCommand(
  command: string,
  args: readonly string[],
  cwd: string | undefined,
  stepEnv: Record<string, string> | undefined,
  ctx: AttemptContext,
): Promise<AttemptOutcome> {
  if (command === '') return failed('no command given');
  // spawn reports a missing cwd as ENOENT of the command, which misleads: check it first.
  if (cwd !== undefined) {
    const problem = await checkDirectory(cwd);
    if (problem !== null) return failed(problem);
  }
  const outcome = await runProcess(
    { command, args, cwd, env: processEnvironment(stepEnv, ctx.runEnv()) },
    {
      signal: ctx.signal,
      killGraceMs: ctx.settings.killGraceMs,
      onOutput: (chunk, stream) => ctx.output.write(chunk, stream),
    },
  );
  if (outcome.kind === 'spawnError') return failed(describeSpawnError(command, outcome.error));
  if (outcome.code === 0) return succeeded({ exitCode: 0 });
  if (outcome.code !== null) return failed(`exited with code ${outcome.code}`, { exitCode: outcome.code });
  return failed(`killed by signal ${outcome.signal ?? 'unknown'}`);
}

async function checkDirectory(cwd: string): Promise<string | null> {
  try {
    const info = await stat(cwd);
    return info.isDirectory() ? null : `working directory '${cwd}' is not a directory`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `working directory '${cwd}' does not exist`;
    return `working directory '${cwd}' is not usable: ${(error as Error).message}`;
  }
}

function describeSpawnError(command: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `cannot run '${command}': no such file or directory (ENOENT; not found, or not on PATH)`;
    case 'EACCES':
      return `cannot run '${command}': permission denied (EACCES; not executable or not readable)`;
    case 'ENOEXEC':
      return `cannot run '${command}': not an executable format (ENOEXEC)`;
    default:
      return `cannot run '${command}': ${error.message}`;
  }
}
