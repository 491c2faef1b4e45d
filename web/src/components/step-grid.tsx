/**
 * A run's steps as a grid by stepIndex: one row per group (equal indexes run in parallel, side by
 * side), each step with its status, duration, exit code or HTTP status, and error.
 */

import type { JSX } from 'preact';
import { between, formatDuration } from '../format';
import { TERMINAL, type Run, type Step, type StepResult } from '../types';
import { Badge } from './ui';

interface StepCell {
  key: string;
  stepIndex: number;
  phase: 'main' | 'onFailure';
  name: string | null;
  type: string;
  status: string;
  result: StepResult | null;
}

/** A step's end as the live events tell it (`run.step`), before the run's stored row shows it. */
export interface StepEvent {
  phase: 'main' | 'onFailure';
  position: number;
  stepIndex: number;
  name: string | null;
  status: StepResult['status'];
  exitCode: number | null;
  httpStatus: number | null;
}

/**
 * The job's steps with this run's results on them: stored results first, then what live events said,
 * and steps not reported yet are pending (or running, in the group under way).
 */
export function stepCells(
  run: Run,
  steps: Step[] | null,
  events: ReadonlyMap<string, StepEvent> = new Map(),
): StepCell[] {
  const cells: StepCell[] = [];
  const results = new Map<string, StepResult>();
  for (const [key, e] of events) {
    results.set(key, { ...e, type: '', attempt: 1, startedAt: null, finishedAt: null, error: null });
  }
  for (const s of run.steps) results.set(`${s.phase}:${s.position}`, s);
  const seen = new Set<string>();
  if (steps) {
    const unreported = steps
      .map((s, position) => ({ s, position }))
      .filter(({ position }) => !results.has(`main:${position}`));
    const current = unreported.length ? Math.min(...unreported.map(({ s }) => s.stepIndex)) : null;
    steps.forEach((s, position) => {
      const key = `main:${position}`;
      const r = results.get(key) ?? null;
      seen.add(key);
      const status =
        r?.status ??
        (run.status === 'running' && s.stepIndex === current
          ? 'running'
          : TERMINAL.has(run.status)
            ? 'skipped'
            : 'pending');
      cells.push({
        key,
        stepIndex: s.stepIndex,
        phase: 'main',
        name: s.name ?? null,
        type: s.type,
        status,
        result: r,
      });
    });
  }
  for (const [key, r] of results) {
    if (seen.has(key)) continue;
    cells.push({
      key,
      stepIndex: r.stepIndex,
      phase: r.phase,
      name: r.name,
      type: r.type,
      status: r.status,
      result: r,
    });
  }
  return cells;
}

/** When a step still under way began, at the latest: the end of the groups before it, else the run's start. */
function groupStart(cells: StepCell[], cell: StepCell, runStart: string | null): number | null {
  let start = runStart ? new Date(runStart).getTime() : null;
  for (const c of cells) {
    const end = c.result?.finishedAt;
    if (c.phase === cell.phase && c.stepIndex < cell.stepIndex && end)
      start = Math.max(start ?? 0, new Date(end).getTime());
  }
  return start;
}

export function StepGrid({
  cells,
  now,
  runStart,
}: {
  cells: StepCell[];
  now: number;
  runStart: string | null;
}): JSX.Element {
  const groups = new Map<string, StepCell[]>();
  for (const c of cells) {
    const g = `${c.phase}:${c.stepIndex}`;
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => {
    const [pa, ia] = a.split(':');
    const [pb, ib] = b.split(':');
    return pa === pb ? Number(ia) - Number(ib) : pa === 'main' ? -1 : 1;
  });
  if (ordered.length === 0) return <p class="muted">This run has no steps.</p>;
  return (
    <div class="step-grid" role="list" aria-label="Steps by step index">
      {ordered.map(([g, list]) => {
        const [phase, index] = g.split(':');
        return (
          <div class="step-group" role="listitem" key={g}>
            <div class="step-group-label">
              {phase === 'onFailure' ? 'on failure ' : ''}stepIndex {index}
              {list.length > 1 && <span class="muted small"> · {list.length} in parallel</span>}
            </div>
            <div class="step-group-cells">
              {list.map((c) => {
                const r = c.result;
                let d = r ? between(r.startedAt, r.finishedAt, c.status === 'running') : null;
                if (d === null && c.status === 'running') {
                  const start = groupStart(cells, c, runStart);
                  d = start === null ? null : Math.max(0, now - start);
                }
                return (
                  <article
                    class={`step-cell status-${c.status}`}
                    key={c.key}
                    data-step-status={c.status}
                    aria-label={`${c.name ?? c.type}: ${c.status}`}
                  >
                    <header>
                      <strong>{c.name ?? `(${c.type})`}</strong> <span class="muted small">{c.type}</span>
                    </header>
                    <Badge value={c.status} />
                    <dl class="step-facts">
                      <div>
                        <dt>Duration</dt>
                        <dd>{formatDuration(d)}</dd>
                      </div>
                      {r?.exitCode !== null && r?.exitCode !== undefined && (
                        <div>
                          <dt>Exit</dt>
                          <dd>{r.exitCode}</dd>
                        </div>
                      )}
                      {r?.httpStatus !== null && r?.httpStatus !== undefined && (
                        <div>
                          <dt>HTTP</dt>
                          <dd>{r.httpStatus}</dd>
                        </div>
                      )}
                      {r && r.attempt > 1 && (
                        <div>
                          <dt>Attempt</dt>
                          <dd>{r.attempt}</dd>
                        </div>
                      )}
                    </dl>
                    {r?.error && <p class="step-error small">{r.error}</p>}
                  </article>
                );
              })}
            </div>
          </div>
        );
      })}
    </div>
  );
}
