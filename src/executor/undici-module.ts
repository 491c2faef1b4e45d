/**
 * undici, loaded the first time an http (or dispatch) step runs: it is a tenth of a server's resident
 * memory at start, and many deployments never run an http step.
 */
import type * as Undici from 'undici';

let loading: Promise<typeof Undici> | null = null;

export function loadUndici(): Promise<typeof Undici> {
  loading ??= import('undici');
  return loading;
}
