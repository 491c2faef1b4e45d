/** `sql` steps on an `sqlite:PATH` connection, run in a helper process (see sqlite-helper-source.ts). */
import { runProcess } from './process-runner.js';
import { changedLine } from './sql-rows.js';
import { SQLITE_DRIVER_PATH } from '../store/sqlite/sqlite-driver.js';
import { SQLITE_HELPER_SOURCE } from './sqlite-helper-source.js';
import { processEnvironment } from './step-env.js';
import { failed, succeeded, type AttemptContext, type AttemptOutcome } from './types.js';

/** The helper's stderr holds one status line; more is a crash report, of which this much is kept. */
const MAX_STATUS_CHARS = 16_384;

/** Runs `sql` against the database file (relative paths are relative to sked's working directory). */
export async function runSqliteStatement(
  file: string,
  sql: string,
  ctx: AttemptContext,
): Promise<AttemptOutcome> {
  let status = '';
  const outcome = await runProcess(
    {
      command: process.execPath,
      args: ['-e', SQLITE_HELPER_SOURCE, SQLITE_DRIVER_PATH, file],
      cwd: undefined,
      env: processEnvironment(undefined, {}),
      input: sql,
    },
    {
      signal: ctx.signal,
      killGraceMs: ctx.settings.killGraceMs,
      onOutput: (chunk, stream) => {
        if (stream === 'stdout') ctx.output.write(chunk, 'rows');
        else if (status.length < MAX_STATUS_CHARS) status += chunk.toString('utf8');
      },
    },
  );
  if (outcome.kind === 'spawnError')
    return failed(`cannot start the sqlite helper: ${outcome.error.message}`);
  const report = parseStatus(status);
  if (report === null) {
    const how =
      outcome.code !== null
        ? `exited with code ${outcome.code}`
        : `killed by ${outcome.signal ?? 'a signal'}`;
    const detail = status.trim().split('\n')[0] ?? '';
    return failed(`sqlite helper ${how}${detail === '' ? '' : `: ${detail}`}`);
  }
  if (typeof report.error === 'string') return failed(report.error);
  if (typeof report.changes === 'number') ctx.output.write(changedLine(report.changes));
  return succeeded();
}

/** The last line of stderr, when it is the helper's JSON status. */
function parseStatus(text: string): { rows?: unknown; changes?: unknown; error?: unknown } | null {
  const last = text.trimEnd().split('\n').pop() ?? '';
  try {
    const value: unknown = JSON.parse(last);
    return typeof value === 'object' && value !== null ? value : null;
  } catch {
    return null;
  }
}
