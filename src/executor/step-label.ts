/** How errors name a step: `step 1 'export' (exec)`, `onFailure step 0 (http)`. */
import type { Step } from '../domain/types.js';
import type { StepPhase } from './types.js';

export function stepLabel(step: Pick<Step, 'name' | 'type'>, position: number, phase: StepPhase): string {
  const prefix = phase === 'onFailure' ? 'onFailure step' : 'step';
  const name = step.name ? ` '${step.name}'` : '';
  return `${prefix} ${position}${name} (${String(step.type)})`;
}
