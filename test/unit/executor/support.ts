/** Shared helpers for the executor tests: requests, temp folders, process liveness. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Step } from '../../../src/domain/types.js';
import type { ExecuteRequest } from '../../../src/executor/index.js';

export function makeRequest(fields: Partial<ExecuteRequest> & { steps: Step[] }): ExecuteRequest {
  return {
    runId: 'run-1',
    jobId: 'job-1',
    attempt: 1,
    scheduledFor: null,
    payload: null,
    onFailure: [],
    timeoutMs: null,
    ...fields,
  };
}

/** A fresh temp folder for each test of the calling file, removed after it. */
export function useTempDir(): () => string {
  let dir: string | null = null;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sked-exec-'));
  });
  afterEach(async () => {
    if (dir !== null) await rm(dir, { recursive: true, force: true });
    dir = null;
  });
  return () => {
    if (dir === null) throw new Error('no temp folder outside a test');
    return dir;
  };
}

/** Alive = the process exists and is not a zombie (a zombie has exited; only its parent has not reaped it). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export async function readPids(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}

/** Polls until `check` holds (generous default: the machine may be loaded). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function shell(stepIndex: number, script: string, extra: Partial<Step> = {}): Step {
  return { stepIndex, type: 'shell', script, ...extra } as Step;
}
