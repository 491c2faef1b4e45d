/**
 * Real `sked server` processes forming a cluster on one PostgreSQL schema, and reading back what they
 * wrote. Each test file gets a schema of its own (`sked_c_<random hex>`, created and migrated by the
 * first node, dropped by the file at the end) on the shared test server (`SKED_TEST_PG_URL`, default
 * postgres://postgres@127.0.0.1:5432/test) or on a private one (test/support/postgres-instance.ts).
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect } from 'vitest';
import type { Fire, Job, NodeInfo, Run } from '../../../../src/domain/types.js';
// The store the servers wrote is read through the same build they run (dist/), not the sources, which
// other work may be changing meanwhile.
import { openStore } from '../../../../dist/store/store-factory.js';
import { apiCall, SkedServerProcess, sleep, TEST_API_KEY } from '../../../support/process.js';

export const SHARED_PG_URL = process.env['SKED_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema name for one test file. */
export function clusterSchemaName(): string {
  return `sked_c_${randomBytes(6).toString('hex')}`;
}

/** `base` (a postgres:// URL) with the store's `schema` parameter. */
export function storeUrlOf(base: string, schema: string): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Fails with a message saying what to do when the server cannot be reached (never skips). */
export async function assertPostgresReachable(base: string): Promise<void> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${base} (${err instanceof Error ? err.message : String(err)}): the cluster ` +
        'tests need it (start the local server, or point SKED_TEST_PG_URL at one); they fail rather than skip.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops the schema; never throws (cleanup). */
export async function dropSchema(base: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch {
    // the server is gone or the schema was never made: nothing to clean
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface NodeStart {
  storeUrl: string;
  nodeId: string;
  /** Temp folder: the process's cwd and --data-dir. */
  dir: string;
  /** More `sked server` flags. */
  args?: string[];
}

/**
 * Starts one node. SkedServerProcess.start names a SQLite store first; the `--store` given after it
 * wins (commander keeps the last value of a repeated option), which the "sked is listening" line,
 * carrying the store URL, confirms.
 */
export async function startNode(o: NodeStart): Promise<SkedServerProcess> {
  const server = await SkedServerProcess.start({
    db: `${o.dir}/unused-${o.nodeId}.db`,
    cwd: o.dir,
    nodeId: o.nodeId,
    readyTimeoutMs: 60_000,
    args: ['--store', o.storeUrl, '--data-dir', o.dir, ...(o.args ?? [])],
  });
  const line = server.logs.find((l) => l.msg === 'sked is listening');
  expect(String(line?.['store']), `node ${o.nodeId} runs on PostgreSQL`).toMatch(/^postgres:\/\//);
  expect(line?.['nodeId'], o.nodeId).toBe(o.nodeId);
  return server;
}

/** A call to a server with the test key (as apiCall), without throwing: status and parsed body (or null). */
export async function request(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, {
    method,
    signal: AbortSignal.timeout(timeoutMs),
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${TEST_API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/** What one job left in the store. */
export interface JobRecord {
  job: Job;
  /** Oldest first. */
  fires: Fire[];
  runs: Run[];
}

/** Reads every job's ledger and runs, and the nodes table, through a store on the same URL. */
export async function readStore(
  storeUrl: string,
  jobIds: string[],
): Promise<{ jobs: Map<string, JobRecord>; nodes: NodeInfo[] }> {
  const store = await openStore(storeUrl);
  try {
    const jobs = new Map<string, JobRecord>();
    for (const id of jobIds) {
      const job = await store.getJob(id);
      expect(job, `job ${id} exists`).not.toBeNull();
      const fires = (await store.listFires(id, { limit: 100_000, offset: 0 })).items.sort(
        (a, b) => a.scheduledFor - b.scheduledFor,
      );
      const runs = (await store.listRuns({ limit: 100_000, offset: 0, jobId: id })).items;
      jobs.set(id, { job: job as Job, fires, runs });
    }
    return { jobs, nodes: await store.listNodes() };
  } finally {
    await store.close();
  }
}

/**
 * Resolves just after an acquisition committed somewhere in the cluster (the newest acquired fire, as
 * `GET /api/v1/triggers?state=acquired` lists them, moved forward). Fires every second are acquired
 * once a second, so the next claim is at least half a second away: a kill or a store failure started
 * now does not land between a claim and its commit, which would leave the trigger leased (see
 * stale-lease.test.ts) and stall its job for the 30 s lease.
 */
export async function justAfterAcquisition(url: string, timeoutMs = 10_000): Promise<void> {
  const newest = async (): Promise<number> => {
    const page = await apiCall<{ items: { scheduledFor: string }[] }>(
      url,
      'GET',
      '/api/v1/triggers?state=acquired&limit=1000',
    );
    return Math.max(0, ...page.items.map((t) => Date.parse(t.scheduledFor)));
  };
  const first = await newest();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await newest()) > first) return;
    await sleep(5);
  }
  throw new Error(`no acquisition within ${timeoutMs} ms`);
}

/** The p-th percentile (0..100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const iso = (t: number | null): string => (t === null ? 'null' : new Date(t).toISOString());

/** Adds every node's last log lines (and `extra()`, e.g. a server log) to a failure of `work`. */
export async function withNodeLogs<T>(
  nodes: Map<string, SkedServerProcess>,
  work: Promise<T>,
  extra: () => string = () => '',
): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const logs = [...nodes].map(([id, n]) => `--- node ${id} ---\n${n.tail(15)}`).join('\n');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}\n${extra()}`, {
      cause: err,
    });
  }
}

/** Waits for every node's exit after SIGTERM; returns the exit codes by node. */
export async function stopAll(
  nodes: Map<string, SkedServerProcess>,
  timeoutMs = 40_000,
): Promise<Map<string, number | null>> {
  const codes = new Map<string, number | null>();
  await Promise.all(
    [...nodes].map(async ([id, node]) => {
      const exit = await node.stop('SIGTERM', timeoutMs);
      codes.set(id, exit.code);
    }),
  );
  return codes;
}
