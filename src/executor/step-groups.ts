/** Steps sharing a `stepIndex` form a group that runs in parallel; groups run in ascending order. */

export interface StepGroup {
  stepIndex: number;
  /** Positions of the group's steps in the step list, ascending. */
  positions: number[];
}

export function groupSteps(steps: readonly { stepIndex: number }[]): StepGroup[] {
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
