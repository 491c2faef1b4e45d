/**
 * Compact answers for the hot calls between the worker store and its thread: messages are copied
 * (structured clone), so answering "which of the fires you sent were applied" with their positions, and
 * acquired fires as a flat list, costs a fraction of sending the objects back.
 */

import type { PendingFire } from '../store.js';

/** Hot calls answered with the positions of the inputs applied, and where their input list is. */
export const ANSWERED_BY_POSITION: ReadonlyMap<string, number> = new Map([
  ['resolveFires', 1],
  ['insertFires', 0],
]);

/** The positions in `inputs` of the `applied` objects (the store returns a subset of its inputs). */
export function positionsOf(inputs: readonly unknown[], applied: readonly unknown[]): number[] {
  const at = new Map<unknown, number>();
  inputs.forEach((input, i) => at.set(input, i));
  return applied.map((a) => {
    const i = at.get(a);
    if (i === undefined) throw new Error('the store answered with an object it was not given');
    return i;
  });
}

export function pickPositions<T>(inputs: readonly T[], positions: readonly number[]): T[] {
  return positions.map((i) => inputs[i] as T);
}

/** commitAcquisitions answers fires of the calling node: [jobId, scheduledFor, jobId, ...]. */
export function flattenPending(fires: readonly PendingFire[]): (string | number)[] {
  const out: (string | number)[] = [];
  for (const f of fires) out.push(f.jobId, f.scheduledFor);
  return out;
}

export function unflattenPending(flat: readonly (string | number)[], nodeId: string): PendingFire[] {
  const out: PendingFire[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ jobId: flat[i] as string, scheduledFor: flat[i + 1] as number, nodeId });
  return out;
}
