/**
 * The worker thread that owns the SQLite connection when the store runs off the main thread
 * (sqlite-worker-store.ts): it opens the database and answers each call in the order it arrives, so
 * the store's semantics — one connection, one transaction at a time — are those of SqliteStore itself.
 */

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { SkedError } from '../../domain/errors.js';
import type { WorkerError, WorkerReply, WorkerRequest, WorkerSetup } from './sqlite-worker-protocol.js';
import type { PendingFire } from '../store.js';
import { ANSWERED_BY_POSITION, flattenPending, positionsOf } from './sqlite-worker-codec.js';
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
  const result = method.apply(store, request.args);
  // The hot calls answer compactly (sqlite-worker-codec.ts); the store proxy decodes.
  const inputAt = ANSWERED_BY_POSITION.get(request.method);
  if (inputAt !== undefined) return result.then((applied) => positionsOf(request.args[inputAt] as unknown[], applied as unknown[]));
  if (request.method === 'commitAcquisitions') return result.then((fires) => flattenPending(fires as PendingFire[]));
  return result;
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

/**
 * Rows of bulk work in one group at most: a group holds the worker for its whole length, and an urgent
 * call arriving meanwhile waits for it (a group this size takes a few milliseconds).
 */
const GROUP_ROWS = 400;

/** How many rows a call writes or reads, roughly: the length of its first array argument, else 1. */
function rowsOf(request: WorkerRequest): number {
  for (const arg of request.args) if (Array.isArray(arg)) return Math.max(1, arg.length);
  return 1;
}

/** The last turn ran urgent calls: the next one runs bulk work if any waits, so neither starves. */
let urgentTurn = false;
/** Rows of the last urgent turn. */
let urgentRows = 0;

/**
 * One turn: the urgent calls queued (unless the previous turn ran urgent calls and bulk work waits), or
 * else the other calls in order, up to GROUP_ROWS rows. Answers go out before the next turn.
 */
function work(): void {
  scheduled = false;
  receive();
  if (!queue.length) return;
  const urgent = queue.filter((r) => URGENT.has(r.method));
  const bulk = urgent.length === queue.length ? [] : queue.filter((r) => !URGENT.has(r.method));
  if (urgent.length > 0 && !(urgentTurn && bulk.length > 0)) {
    queue.length = 0;
    queue.push(...bulk);
    urgentTurn = true;
    urgentRows = urgent.reduce((n, r) => n + rowsOf(r), 0);
    runBatch(urgent);
  } else {
    // Room for at least twice what the last urgent turn wrote: the finishes of those fires, and more.
    const cap = Math.max(GROUP_ROWS, 2 * urgentRows);
    let take = 0;
    for (let rows = 0; take < bulk.length && (take === 0 || rows + rowsOf(bulk[take] as WorkerRequest) <= cap); take++) {
      rows += rowsOf(bulk[take] as WorkerRequest);
    }
    const group = bulk.slice(0, take);
    queue.length = 0;
    queue.push(...urgent, ...bulk.slice(take));
    urgentTurn = false;
    runBatch(group);
  }
  if (queue.length) schedule(); // after this turn, so the answers are sent first
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
