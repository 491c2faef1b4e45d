/**
 * sked runs as JIM schedule executions. Statuses: queued → Queued, running → InProgress, succeeded →
 * Complete (the name JIM's PowerShell client waits for), failed / timedOut / interrupted → Failed,
 * cancelled → Cancelled. Steps: pending → Pending, running → Processing, succeeded → Completed,
 * failed / timedOut → Failed, cancelled → Cancelled, skipped (after a failure or a cancel) → Cancelled.
 * Step positions are groups of equal stepIndex, as JIM counts them ("step 2 of 5").
 */

import type { Job, Run, RunStatus, StepResult, StepStatus } from '../../domain/types.js';
import { dotnetDate } from './dates.js';
import type { LastExecution, StepView } from './views.js';
import { stepViews } from './views.js';

export type ExecutionStatus = 'Queued' | 'InProgress' | 'Complete' | 'Failed' | 'Cancelled';

const RUN_STATUS: Record<RunStatus, ExecutionStatus> = {
  queued: 'Queued',
  running: 'InProgress',
  succeeded: 'Complete',
  failed: 'Failed',
  timedOut: 'Failed',
  interrupted: 'Failed',
  cancelled: 'Cancelled',
};

type StepState = 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';

const STEP_STATUS: Record<StepStatus, StepState> = {
  pending: 'Pending',
  running: 'Processing',
  succeeded: 'Completed',
  failed: 'Failed',
  timedOut: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Cancelled',
};

export const executionStatus = (status: RunStatus): ExecutionStatus => RUN_STATUS[status];

/** One row per step: the run's results, or (before any result is recorded) the job's steps, pending. */
interface Row {
  stepIndex: number;
  position: number;
  name: string | null;
  status: StepState;
  result: StepResult | null;
}

function rowsOf(run: Run, job: Job | null): Row[] {
  const main = run.steps.filter((s) => s.phase === 'main');
  if (main.length) return main.map((r) => ({ stepIndex: r.stepIndex, position: r.position, name: r.name, status: STEP_STATUS[r.status], result: r }));
  return (job?.steps ?? []).map((s, position) => ({ stepIndex: s.stepIndex, position, name: s.name ?? null, status: 'Pending' as const, result: null }));
}

/** Rows grouped by stepIndex, ascending. */
function groupsOf(rows: Row[]): Row[][] {
  const byIndex = new Map<number, Row[]>();
  for (const row of [...rows].sort((a, b) => a.stepIndex - b.stepIndex || a.position - b.position)) {
    byIndex.set(row.stepIndex, [...(byIndex.get(row.stepIndex) ?? []), row]);
  }
  return [...byIndex.values()];
}

function groupStatus(group: Row[]): StepState {
  const has = (s: StepState): boolean => group.some((r) => r.status === s);
  if (has('Processing')) return 'Processing';
  if (has('Failed')) return 'Failed';
  if (group.every((r) => r.status === 'Completed')) return 'Completed';
  if (has('Cancelled')) return 'Cancelled';
  return 'Pending';
}

/** The group the run has reached: the last one that started (0 before any). */
function currentGroup(groups: Row[][]): number {
  let current = 0;
  groups.forEach((g, i) => {
    if (g.some((r) => r.status !== 'Pending' && !(r.result?.status === 'skipped'))) current = i;
  });
  return current;
}

export function executionDto(run: Run, job: Job | null) {
  const groups = groupsOf(rowsOf(run, job));
  return {
    id: run.id,
    scheduleId: run.jobId,
    scheduleName: job?.name ?? 'Unknown',
    status: RUN_STATUS[run.status],
    currentStepIndex: currentGroup(groups),
    totalSteps: groups.length,
    queuedAt: dotnetDate(run.queuedAt) as string,
    startedAt: dotnetDate(run.startedAt),
    completedAt: dotnetDate(run.finishedAt),
    initiatedByType: run.trigger === 'manual' ? 'ApiKey' : 'System',
    initiatedById: null,
    initiatedByName: run.trigger === 'manual' ? null : 'sked',
    errorMessage: run.error,
  };
}

export type ExecutionDto = ReturnType<typeof executionDto>;

export function executionDetailDto(run: Run, job: Job | null) {
  const rows = rowsOf(run, job);
  const groups = groupsOf(rows);
  const views: StepView[] = job ? stepViews(job) : [];
  const viewAt = (position: number): StepView | undefined => views.find((v) => v.position === position);
  const steps = groups.flatMap((group, g) =>
    group.map((row, k) => {
      const view = viewAt(row.position)?.dto;
      const skippedAfterFailure = row.result?.status === 'skipped' && run.status !== 'cancelled';
      return {
        stepIndex: row.stepIndex,
        name: row.name ?? `Step ${g + 1}`,
        stepType: view?.stepType ?? 'Executable',
        executionMode: k === 0 ? 'Sequential' : 'ParallelWithPrevious',
        connectedSystemId: view?.connectedSystemId ?? null,
        status: row.status,
        taskId: null,
        startedAt: dotnetDate(row.result?.startedAt ?? null),
        completedAt: dotnetDate(row.result?.finishedAt ?? null),
        errorMessage: row.result?.error ?? (skippedAfterFailure ? 'Not run: an earlier step failed' : null),
        activityId: null,
        activityStatus: null,
        connectedSystemName: null,
        runProfileId: view?.runProfileId ?? null,
        runProfileName: null,
        continueOnFailure: view?.continueOnFailure ?? false,
      };
    }),
  );
  const current = currentGroup(groups);
  const progress = groups.length
    ? {
        currentStepNumber: run.status === 'running' ? current + 1 : null,
        totalSteps: groups.length,
        steps: groups.map((group, g) => ({
          stepIndex: g,
          name: group.length === 1 ? (group[0]?.name ?? `Step ${g + 1}`) : `${group.length} steps in parallel`,
          status: groupStatus(group),
          taskStatuses: group.map((r) => r.status),
          isParallel: group.length > 1,
        })),
      }
    : null;
  return { ...executionDto(run, job), steps, progress };
}

/** The list call's last-execution fields of a schedule. */
export function lastExecutionOf(run: Run | null, job: Job): LastExecution {
  if (!run) return { lastExecutionId: null, lastExecutionStatus: null, lastExecutionCurrentStepIndex: null, lastExecutionTotalSteps: null, lastExecutionCompletedAt: null, lastExecutionErrorMessage: null };
  const dto = executionDto(run, job);
  return {
    lastExecutionId: dto.id,
    lastExecutionStatus: dto.status,
    lastExecutionCurrentStepIndex: dto.currentStepIndex,
    lastExecutionTotalSteps: dto.totalSteps,
    lastExecutionCompletedAt: dto.completedAt,
    lastExecutionErrorMessage: dto.errorMessage,
  };
}
