/** Steps sharing a `stepIndex` form a group that runs in parallel; groups run in ascending order. */

export interface StepGroup {
  stepIndex: number;
  /** Positions of the group's steps in the step list, ascending. */
  positions: number[];
}

/** Groups per step list: a job's steps are the same array for every run of that version of the job. */
const cache = new WeakMap<readonly { stepIndex: number }[], StepGroup[]>();

export function groupSteps(steps: readonly { stepIndex: number }[]): StepGroup[] {
  let groups = cache.get(steps);
  if (groups === undefined) {
    groups = computeGroups(steps);
    cache.set(steps, groups);
  }
  return groups;
}

function computeGroups(steps: readonly { stepIndex: number }[]): StepGroup[] {
  const byIndex = new Map<number, number[]>();
  steps.forEach((step, position) => {
    const positions = byIndex.get(step.stepIndex);
    if (positions) positions.push(position);
    else byIndex.set(step.stepIndex, [position]);
  });
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([stepIndex, positions]) => ({ stepIndex, positions }));
}
