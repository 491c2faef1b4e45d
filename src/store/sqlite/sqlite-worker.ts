/**
 * The worker thread that owns the SQLite connection when the store runs off the main thread
 * (sqlite-worker-store.ts): it opens the database and answers each call in the order it arrives, so
 * the store's semantics — one connection, one transaction at a time — are those of SqliteStore itself.
 */

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { SkedError } from '../../domain/errors.js';
import type { WorkerError, WorkerReply, WorkerRequest, WorkerSetup } from './sqlite-worker-protocol.js';
import { SqliteStore } from './sqlite-store.js';

if (!parentPort) throw new Error('sqlite-worker.js runs as a worker thread');
const port: MessagePort = parentPort;

const setup = workerData as WorkerSetup;
let store: SqliteStore;
try {
  store = new SqliteStore(setup.path);
  port.postMessage({ id: 0, ok: true, value: null } satisfies WorkerReply);
} catch (thrown) {
  port.postMessage({ id: 0, ok: false, error: serialize(thrown) } satisfies WorkerReply);
  process.exit(0);
}

/** Calls that change nothing: a batch of only these needs no write transaction. */
const READS = new Set([
  'ping', 'getJob', 'getJobs', 'listJobs', 'countJobs', 'expiredPauses', 'pendingFires', 'listPendingFires',
  'listWaitingTriggers', 'listFires', 'nextFireAt', 'activeRuns', 'cancelRequests', 'getRun', 'listRuns', 'listNodes',
  'getCollection', 'listCollections', 'getSetting', 'getApiKey', 'listApiKeys', 'listAudit',
]);
/** Calls that run on their own, never inside a group. */
const ALONE = new Set(['migrate', 'close']);

type Method = (...args: unknown[]) => Promise<unknown>;

function invoke(request: WorkerRequest): Promise<unknown> {
  const method = (store as unknown as Record<string, Method>)[request.method];
  if (typeof method !== 'function') return Promise.reject(new SkedError('INTERNAL', `no store method ${request.method}`));
  // SqliteStore's methods do all their work synchronously before they return: calls run in order.
  return method.apply(store, request.args);
}

function reply(request: WorkerRequest, result: Promise<unknown>): void {
  result.then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies WorkerReply),
    (thrown: unknown) => port.postMessage({ id: request.id, ok: false, error: serialize(thrown) } satisfies WorkerReply),
  );
}

/**
 * Group commit: every call that queued up while the previous batch ran shares one transaction, so a
 * busy store commits (and writes each changed page to the WAL) once per batch rather than once per
 * call. Each call stays atomic (a savepoint of its own); if the shared commit fails, the calls run
 * again one by one.
 */
function runBatch(batch: WorkerRequest[]): void {
  const grouped = batch.length > 1 && batch.some((r) => !READS.has(r.method)) && !batch.some((r) => ALONE.has(r.method));
  if (grouped) {
    const results: Promise<unknown>[] = [];
    try {
      store.group(() => {
        for (const request of batch) results.push(invoke(request));
      });
    } catch {
      results.length = 0;
    }
    if (results.length === batch.length) {
      batch.forEach((request, i) => reply(request, results[i] as Promise<unknown>));
      return;
    }
    // Settle the outcomes of the failed group quietly: their calls are about to run again.
    for (const r of results) r.catch(() => undefined);
  }
  for (const request of batch) reply(request, invoke(request));
}

/**
 * Resolving due fires is what runs wait for: those calls go first, committed and answered before the
 * bulk work queued beside them (writing finished runs, acquiring fires ahead, pruning). Reordering them
 * is safe: a resolution only names fires acquired by a commit that was answered before it was sent, and
 * the runs that bulk work finishes were started by resolutions answered before that.
 */
const URGENT = new Set(['resolveFires']);

/** Calls received and not run yet, in the order they came. */
const queue: WorkerRequest[] = [];
let scheduled = false;

function receive(): void {
  for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
    queue.push(next.message as WorkerRequest);
  }
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(work);
}

/** Runs the urgent calls queued, or else everything queued; answers go out before the next turn. */
function work(): void {
  scheduled = false;
  receive();
  if (!queue.length) return;
  const urgent = queue.filter((r) => URGENT.has(r.method));
  if (urgent.length > 0 && urgent.length < queue.length) {
    const rest = queue.filter((r) => !URGENT.has(r.method));
    queue.length = 0;
    queue.push(...rest);
    runBatch(urgent);
    schedule(); // after this turn, so the answers are sent first
    return;
  }
  runBatch(queue.splice(0));
}

port.on('message', (first: WorkerRequest) => {
  queue.push(first);
  receive();
  schedule();
});

function serialize(thrown: unknown): WorkerError {
  if (thrown instanceof SkedError) return { code: thrown.code, message: thrown.message, errors: thrown.errors };
  return { code: null, message: thrown instanceof Error ? thrown.message : String(thrown) };
}
