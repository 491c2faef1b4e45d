/**
 * The SQLite store with its connection on a worker thread. better-sqlite3 is synchronous: in-process,
 * every transaction holds the event loop (the timers that fire jobs included) for its duration. Here
 * the same SqliteStore runs in a worker (sqlite-worker.ts) and each call is a message, so the main
 * thread only schedules and starts runs while the second core writes: fires stay on time under load,
 * and the two halves of the work run in parallel. Calls are answered in the order they are made.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SkedError } from '../../domain/errors.js';
import type { Store } from '../store.js';
import { SQLITE_CAPABILITIES } from './sqlite-store.js';
import { ANSWERED_BY_POSITION, pickPositions, unflattenPending } from './sqlite-worker-codec.js';
import type { WorkerError, WorkerReply, WorkerRequest, WorkerSetup } from './sqlite-worker-protocol.js';

/** The Store methods answered by the worker; the others (close, now, notify, listen) are local. */
const REMOTE = [
  'migrate', 'ping', 'insertJob', 'updateJob', 'getJob', 'getJobs', 'listJobs', 'deleteJob', 'countJobs', 'expiredPauses',
  'claimDueTriggers', 'commitAcquisitions', 'releaseTriggers', 'resolveFires', 'insertFires', 'pendingFires',
  'takeOverPendingFires', 'rewindPendingFires', 'listPendingFires', 'listWaitingTriggers', 'listFires', 'nextFireAt',
  'insertRuns', 'activeRuns', 'claimQueuedRuns', 'finishRuns', 'cancelQueuedRun', 'interruptRuns', 'getRun', 'listRuns',
  'pruneRuns', 'pruneFires', 'requestCancel', 'cancelRequests', 'heartbeat', 'listNodes', 'removeNode', 'getCollection',
  'listCollections', 'putCollection', 'deleteCollection', 'getSetting', 'setSetting', 'insertApiKey', 'upsertApiKey',
  'getApiKey', 'listApiKeys', 'revokeApiKey', 'touchApiKey', 'appendAudit', 'listAudit', 'insertRunIfIdle',
] as const satisfies readonly (keyof Store)[];

// publishEvents/listenEvents: optional in the port, absent on SQLite (one node: nothing to relay).
type Local = 'backend' | 'capabilities' | 'close' | 'now' | 'notify' | 'listen' | 'publishEvents' | 'listenEvents';
/** Compiles only when every method of the port is either forwarded or local. */
type Unforwarded = Exclude<keyof Store, (typeof REMOTE)[number] | Local>;
const everyMethodForwarded: [Unforwarded] extends [never] ? true : Unforwarded = true;
void everyMethodForwarded;

/** The compiled worker: beside this file in dist/, or dist/'s copy when this runs from the TypeScript sources (tests). */
export function sqliteWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return fileURLToPath(new URL('./sqlite-worker.js', import.meta.url));
  return here.replace(/([\\/])src([\\/]store[\\/]sqlite[\\/])sqlite-worker-store\.ts$/, '$1dist$2sqlite-worker.js');
}

/** Whether the worker can run here (it is compiled JavaScript: `npm run build` makes it). */
export function sqliteWorkerAvailable(): boolean {
  return existsSync(sqliteWorkerFile());
}

function toError(e: WorkerError): Error {
  return e.code === null ? new Error(e.message) : new SkedError(e.code, e.message, e.errors ? { errors: e.errors } : undefined);
}

/** Opens the database at `path` on a worker thread; rejects with why it could not be opened. */
export async function openSqliteWorkerStore(path: string): Promise<Store & { readonly path: string }> {
  const worker = new Worker(pathToFileURL(sqliteWorkerFile()), { workerData: { path } satisfies WorkerSetup });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let gone: Error | null = null;
  const fail = (error: Error): void => {
    gone ??= error;
    for (const p of pending.values()) p.reject(gone);
    pending.clear();
  };
  const opened = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(toError(reply.error));
  });
  worker.on('error', (err) => fail(new SkedError('UNAVAILABLE', `the SQLite worker failed: ${err.message}`)));
  worker.on('exit', () => fail(new SkedError('UNAVAILABLE', 'the SQLite store is closed')));
  await opened;

  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args } satisfies WorkerRequest);
    });
  };
  let closing: Promise<void> | null = null;
  const store: Record<string, unknown> = {
    backend: 'sqlite',
    capabilities: SQLITE_CAPABILITIES,
    path,
    // One node: the process clock is the store's clock.
    now: async () => Date.now(),
    // One node per SQLite file: there is nobody to wake.
    notify: async () => undefined,
    listen: async () => async () => undefined,
    close: () => {
      closing ??= (async () => {
        if (!gone) await call('close', []);
        await worker.terminate();
      })();
      return closing;
    },
  };
  for (const method of REMOTE) store[method] = (...args: unknown[]) => call(method, args);
  // The hot calls whose answers come compactly (sqlite-worker-codec.ts).
  for (const [method, inputAt] of ANSWERED_BY_POSITION) {
    store[method] = async (...args: unknown[]) => pickPositions(args[inputAt] as unknown[], (await call(method, args)) as number[]);
  }
  store['commitAcquisitions'] = async (nodeId: string, acquisitions: unknown[]) =>
    unflattenPending((await call('commitAcquisitions', [nodeId, acquisitions])) as (string | number)[], nodeId);
  return store as unknown as Store & { readonly path: string };
}
