/**
 * A real `sked server` process for the CLI tests (one per test file, on a temp SQLite file) and the
 * `sked` binary pointed at it.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import {
  apiCall,
  assertBuilt,
  killStartedProcesses,
  runSked,
  SkedServerProcess,
  waitFor,
  type CliResult,
} from '../support/process.js';

export const TERMINAL = ['succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted'];

export interface CliServer {
  readonly url: string;
  readonly dir: string;
  /** `sked --url <server> ...args`, from the temp folder (so no ./sked-data/admin.key is found). */
  sked(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<CliResult>;
  /** Writes a file (JSON unless a string) in the temp folder; returns its path. */
  file(name: string, content: unknown): string;
  /** GET /api/v1/runs/{id} until the run is finished. */
  finishedRun(id: string): Promise<any>;
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
}

/** Starts the server before the file's tests and kills it (and every CLI process) after them. */
export function useCliServer(nodeId: string): CliServer {
  let dir = '';
  let server: SkedServerProcess | null = null;
  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sked-cli-'));
    server = await SkedServerProcess.start({
      db: join(dir, 'sked.db'),
      nodeId,
      args: ['--poll-interval', 'PT0.2S'],
    });
  });
  afterAll(async () => {
    await killStartedProcesses();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const url = (): string => {
    if (!server) throw new Error('the CLI test server did not start');
    return server.url;
  };
  const api = <T = any>(method: string, path: string, body?: unknown): Promise<T> =>
    apiCall<T>(url(), method, path, body);
  return {
    get url() {
      return url();
    },
    get dir() {
      return dir;
    },
    sked: (args, options = {}) => runSked(['--url', url(), ...args], { cwd: dir, ...options }),
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return path;
    },
    finishedRun: (id) =>
      waitFor(`run ${id} to finish`, async () => {
        const run = await api('GET', `/api/v1/runs/${id}`);
        return TERMINAL.includes(run.status) ? run : undefined;
      }),
    api,
  };
}
