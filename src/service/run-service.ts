/** Runs: history, output, cancellation. */

import { notFound, SkedError } from '../domain/errors.js';
import { TERMINAL_RUN_STATUSES, type Run } from '../domain/types.js';
import type { Page, RunQuery } from '../store/store.js';
import { authorize, type Actor } from './actor.js';
import type { ServiceContext } from './context.js';

export class RunService {
  constructor(private readonly ctx: ServiceContext) {}

  async list(actor: Actor, query: RunQuery): Promise<Page<Run>> {
    authorize(actor, 'read', 'list runs');
    return this.ctx.store.listRuns(query);
  }

  async get(actor: Actor, id: string): Promise<Run> {
    authorize(actor, 'read', 'read runs');
    const run = await this.ctx.store.getRun(id);
    if (!run) throw notFound('run', id);
    return run;
  }

  /** The captured output of every step, as one text. */
  async log(actor: Actor, id: string): Promise<string> {
    const run = await this.get(actor, id);
    return formatLog(run);
  }

  async cancel(actor: Actor, id: string): Promise<Run> {
    authorize(actor, 'operate', 'cancel runs');
    const run = await this.get(actor, id);
    if (TERMINAL_RUN_STATUSES.has(run.status)) throw new SkedError('CONFLICT', `run '${id}' already finished (${run.status})`);
    const cancelled = await this.ctx.engine.cancelRun(id);
    if (!cancelled) {
      const latest = (await this.ctx.store.getRun(id)) ?? run;
      if (TERMINAL_RUN_STATUSES.has(latest.status)) throw new SkedError('CONFLICT', `run '${id}' already finished (${latest.status})`);
      throw new SkedError('CONFLICT', `run '${id}' is running on another node (${latest.nodeId ?? 'unknown'}) and cannot be cancelled from here`);
    }
    this.ctx.emit?.('run.cancelled', { runId: id, jobId: run.jobId, by: actor.name });
    this.ctx.audit?.record(actor, 'run.cancel', { type: 'run', id }, { status: run.status, jobId: run.jobId }, null);
    // A running run stops when its processes are gone: wait a little for it, so the answer shows the end.
    const deadline = Date.now() + 5000;
    for (;;) {
      const now = (await this.ctx.store.getRun(id)) ?? run;
      if (TERMINAL_RUN_STATUSES.has(now.status) || Date.now() >= deadline) return now;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

export function formatLog(run: Run, options: { output?: boolean } = {}): string {
  const withOutput = options.output ?? true;
  const parts: string[] = [];
  for (const s of run.steps) {
    const title = `== ${s.phase === 'onFailure' ? 'onFailure ' : ''}step ${s.stepIndex}${s.name ? ` '${s.name}'` : ''} (${s.type}) ${s.status}${s.exitCode !== null ? ` exit ${s.exitCode}` : ''}${s.httpStatus !== null ? ` http ${s.httpStatus}` : ''} ==`;
    parts.push(title);
    if (withOutput && s.output) parts.push(s.output.endsWith('\n') ? s.output.slice(0, -1) : s.output);
    if (s.error) parts.push(`error: ${s.error}`);
  }
  if (run.error) parts.push(`run ${run.status}: ${run.error}`);
  return parts.join('\n') + (parts.length ? '\n' : '');
}
