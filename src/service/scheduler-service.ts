/** The scheduler as a whole: state, standby, acquired vs waiting triggers, nodes, schedule previews. */

import type { NodeInfo, ScheduleSpec } from '../domain/types.js';
import { previewSchedule, type Preview } from '../schedule/preview.js';
import { authorize, type Actor } from './actor.js';
import type { ServiceContext } from './context.js';

export interface SchedulerStatus {
  state: 'started' | 'standby';
  nodeId: string;
  nodes: number;
  counts: { jobs: number; enabled: number; paused: number; completed: number; faulted: number; running: number; queued: number };
}

export interface TriggerInfo {
  jobId: string;
  scheduledFor: number;
  state: 'acquired' | 'waiting';
  nodeId: string | null;
}

export class SchedulerService {
  constructor(private readonly ctx: ServiceContext) {}

  async status(actor: Actor): Promise<SchedulerStatus> {
    authorize(actor, 'read', 'read the scheduler status');
    const [counts, active, nodes, standby] = await Promise.all([
      this.ctx.store.countJobs(),
      this.ctx.store.activeRuns(),
      this.aliveNodes(),
      this.ctx.store.getSetting('scheduler.standby'),
    ]);
    return {
      state: standby === true ? 'standby' : 'started',
      nodeId: this.ctx.engine.nodeId,
      nodes: nodes.length,
      counts: {
        jobs: counts.total,
        enabled: counts.byState.enabled,
        paused: counts.byState.paused,
        completed: counts.byState.completed,
        faulted: counts.byState.faulted,
        running: active.filter((r) => r.status === 'running').length,
        queued: active.filter((r) => r.status === 'queued').length,
      },
    };
  }

  /** Stops firing on every node (jobs untouched); fires due meanwhile follow their catch-up policy on start. */
  async standby(actor: Actor): Promise<SchedulerStatus> {
    authorize(actor, 'operate', 'put the scheduler in standby');
    await this.ctx.store.setSetting('scheduler.standby', true);
    await this.ctx.engine.setStandby(true);
    this.ctx.emit?.('scheduler.standby', { by: actor.name });
    this.ctx.audit?.record(actor, 'scheduler.standby', { type: 'scheduler', id: null });
    return this.status(actor);
  }

  async start(actor: Actor): Promise<SchedulerStatus> {
    authorize(actor, 'operate', 'start the scheduler');
    await this.ctx.store.setSetting('scheduler.standby', false);
    await this.ctx.engine.setStandby(false);
    this.ctx.emit?.('scheduler.started', { by: actor.name });
    this.ctx.audit?.record(actor, 'scheduler.start', { type: 'scheduler', id: null });
    return this.status(actor);
  }

  /** Fires acquired by a node (pending in the ledger) and triggers waiting to be acquired. */
  async triggers(actor: Actor, state: 'acquired' | 'waiting' | undefined, limit: number): Promise<TriggerInfo[]> {
    authorize(actor, 'read', 'list triggers');
    const out: TriggerInfo[] = [];
    if (state !== 'waiting') {
      for (const f of await this.ctx.store.listPendingFires(limit)) out.push({ jobId: f.jobId, scheduledFor: f.scheduledFor, state: 'acquired', nodeId: f.nodeId });
    }
    if (state !== 'acquired') {
      for (const t of await this.ctx.store.listWaitingTriggers(limit)) out.push({ jobId: t.jobId, scheduledFor: t.nextFireAt, state: 'waiting', nodeId: null });
    }
    return out.sort((a, b) => a.scheduledFor - b.scheduledFor).slice(0, limit);
  }

  /** How many fires are acquired, triggers waiting, or both. */
  async countTriggers(actor: Actor, state: 'acquired' | 'waiting' | undefined): Promise<number> {
    authorize(actor, 'read', 'list triggers');
    return (await this.triggers(actor, state, 1_000_000)).length;
  }

  /** Cluster members with what each is running. */
  async nodes(actor: Actor): Promise<{ node: NodeInfo; running: string[] }[]> {
    authorize(actor, 'read', 'list nodes');
    const [nodes, active] = await Promise.all([this.ctx.store.listNodes(), this.ctx.store.activeRuns()]);
    return nodes.map((node) => ({ node, running: active.filter((r) => r.status === 'running' && r.nodeId === node.id).map((r) => r.id) }));
  }

  /** A preview; error pointers are relative to the request body (`/schedule/...`). */
  preview(actor: Actor, schedule: ScheduleSpec, options: { from?: number | undefined; count?: number | undefined }): Preview {
    authorize(actor, 'read', 'preview schedules');
    const preview = previewSchedule(schedule, { from: options.from ?? this.ctx.clock.now(), count: options.count ?? 10 });
    return { ...preview, errors: preview.errors.map((e) => ({ ...e, pointer: `/schedule${e.pointer}` })) };
  }

  /** The preview of a schedule whose shape is already known to be wrong. */
  invalidPreview(actor: Actor, schedule: unknown, errors: { pointer: string; message: string }[]): Preview {
    authorize(actor, 'read', 'preview schedules');
    const type = typeof schedule === 'object' && schedule !== null ? (schedule as { type?: unknown }).type : undefined;
    return { valid: false, type: typeof type === 'string' ? type : null, dialect: null, timeZone: null, description: null, cron: null, nextFireTimes: [], warnings: [], errors };
  }

  private async aliveNodes(): Promise<NodeInfo[]> {
    return this.ctx.store.listNodes();
  }
}
