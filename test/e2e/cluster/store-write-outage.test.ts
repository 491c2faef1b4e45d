/**
 * End-to-end, cluster store: the database refuses writes (as a full disk does: SQLSTATE 53100, which
 * the store maps to UNAVAILABLE) while a node fires and runs. Deterministic where a real restart
 * (postgres-restart.test.ts) is not: no connection is terminated, so the node cannot die of the crash
 * connection-loss.test.ts pins, and each refusal starts and ends exactly where the case needs it.
 *
 * A refusal is a statement trigger raising 53100, in this file's own schema only, on some of the
 * tables the engine writes: `triggers` (claims), `fire_ledger` (acquisitions, resolutions), `runs` (new
 * runs, starts, finishes, retries). Heartbeats (`nodes`) and reads go on. One node (`w`, threshold
 * 2 s, lookahead 2 s, poll 0.5 s) runs three cases in turn:
 *
 * 1. every write refused for 5 s (longer than lookahead + threshold) under `latest`, a job every
 *    second with catch-up `latest`: the ledger stays whole and the outage is caught up once;
 * 2. a run ending while its finish cannot be written, past the 5 s after which the engine's reconcile
 *    considers a `running` row of its own an orphan: it is recorded, and its step ran once;
 * 3. a run failing while new runs cannot be written: it is retried per its policy once they can.
 *
 * SKED_TEST_KEEP_DIR=1 keeps the temp folder and the schema.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fire, Run } from '../../../src/domain/types.js';
import {
  apiCall,
  assertBuilt,
  killStartedProcesses,
  sleep,
  waitFor,
  type SkedServerProcess,
} from '../../support/process.js';
import {
  assertPostgresReachable,
  clusterSchemaName,
  dropSchema,
  iso,
  justAfterAcquisition,
  readStore,
  SHARED_PG_URL,
  startNode,
  storeUrlOf,
} from './support/cluster.js';

const MISFIRE_MS = 2000;
const OUTAGE_MS = 5000;
const NODE_ARGS = [
  '--misfire-threshold',
  'PT2S',
  '--lookahead',
  'PT2S',
  '--poll-interval',
  'PT0.5S',
  '--heartbeat',
  'PT0.5S',
];

const schema = clusterSchemaName();
const storeUrl = storeUrlOf(SHARED_PG_URL, schema);
let dir = '';
let node: SkedServerProcess | null = null;

beforeAll(async () => {
  assertBuilt();
  await assertPostgresReachable(SHARED_PG_URL);
  dir = mkdtempSync(join(tmpdir(), 'sked-e2e-wout-'));
  node = await startNode({ storeUrl, nodeId: 'w', dir, args: NODE_ARGS });
  await inSchema(`CREATE FUNCTION refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'test: the disk is full' USING ERRCODE = '53100'; END $$`);
}, 60_000);

afterAll(async () => {
  await killStartedProcesses();
  if (!process.env['SKED_TEST_KEEP_DIR']) {
    await dropSchema(SHARED_PG_URL, schema);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs SQL in this file's schema. */
async function inSchema(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SHARED_PG_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts refusing `events` on `tables`, all at once (one transaction). */
const refuse = (tables: string[], events = 'INSERT OR UPDATE OR DELETE'): Promise<void> =>
  inSchema(
    `BEGIN; ${tables.map((t) => `CREATE TRIGGER refuse_writes BEFORE ${events} ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION refuse_writes();`).join(' ')} COMMIT;`,
  );
const accept = (tables: string[]): Promise<void> =>
  inSchema(`BEGIN; ${tables.map((t) => `DROP TRIGGER refuse_writes ON ${t};`).join(' ')} COMMIT;`);
const ENGINE_TABLES = ['triggers', 'fire_ledger', 'runs'];

/** A run as the API shows it. */
interface RunView {
  id: string;
  trigger: string;
  status: string;
  attempt: number;
  retryOf: string | null;
  finishedAt: string | null;
}

const url = (): string => (node as SkedServerProcess).url;
const runOf = (id: string): Promise<RunView> => apiCall(url(), 'GET', `/api/v1/runs/${id}`);

describe('1. every write refused for 5 s, a job every second with catch-up `latest`', () => {
  let outageFrom = 0;
  let outageTo = 0;
  let fires: Fire[] = [];
  let runs: Run[] = [];

  it('the node goes on through the refusal and fires on time once writes are accepted again', async () => {
    await apiCall(url(), 'PUT', '/api/v1/jobs/latest', {
      name: 'latest',
      schedule: { type: 'cron', expression: '* * * * * ?' },
      overlap: 'allow',
      catchUp: { policy: 'latest', window: 'PT1H' },
      steps: [{ stepIndex: 0, type: 'noop' }],
    });
    const ledger = async () =>
      (
        await apiCall<{ items: { scheduledFor: string; outcome: string }[] }>(
          url(),
          'GET',
          '/api/v1/jobs/latest/fires?limit=50',
        )
      ).items;
    await waitFor(
      'latest fired twice',
      async () => (await ledger()).filter((f) => f.outcome === 'run').length >= 2,
    );

    await justAfterAcquisition(url());
    await refuse(ENGINE_TABLES);
    outageFrom = Date.now();
    await sleep(OUTAGE_MS);
    await accept(ENGINE_TABLES);
    outageTo = Date.now();
    const n = node as SkedServerProcess;
    expect(
      n.logs.some((l) => l.level >= 50 && /disk is full/.test(String(l['err']))),
      'writes were refused',
    ).toBe(true);

    await waitFor(
      'latest firing again',
      async () =>
        (await ledger()).some((f) => f.outcome === 'run' && Date.parse(f.scheduledFor) > outageTo + 1000),
      { timeoutMs: 15_000 },
    );
    await apiCall(url(), 'POST', '/api/v1/jobs/latest/pause');
    const read = await readStore(storeUrl, ['latest']);
    fires = read.jobs.get('latest')?.fires ?? [];
    runs = read.jobs.get('latest')?.runs ?? [];
    const late = fires.filter((f) => f.firedAt !== null && f.firedAt - f.scheduledFor > MISFIRE_MS);
    console.log(
      `[store-write-outage] latest: instants resolved past the threshold: ${late.map((f) => `${iso(f.scheduledFor).slice(17, 23)} ${f.outcome}`).join(', ')}`,
    );
  }, 60_000);

  it("the outage's instants are in the ledger once each, those past the threshold missed or caught up", () => {
    const instants = fires.map((f) => f.scheduledFor);
    expect(instants.length).toBeGreaterThan(5);
    expect(new Set(instants).size).toBe(instants.length);
    expect(instants.slice(1).filter((t, i) => t - (instants[i] as number) !== 1000)).toEqual([]);
    expect(fires.filter((f) => f.outcome === 'pending')).toEqual([]);
    const surelyLate = fires.filter(
      (f) => f.scheduledFor > outageFrom && f.scheduledFor < outageTo - MISFIRE_MS - 500,
    );
    expect(surelyLate.length).toBeGreaterThan(0);
    for (const f of surelyLate) {
      expect(['missed', 'run'], iso(f.scheduledFor)).toContain(f.outcome);
      if (f.outcome === 'run') expect(runs.find((r) => r.id === f.runId)?.trigger).toBe('catchUp');
    }
  });

  // Regression (a bug this test found, fixed): catch-up `latest` runs twice for one store outage. Expected: one `catchUp` run for the outage
  // (PRODUCT.md: "latest (default: fire once)"), at its latest missed instant, every other instant past
  // the threshold `missed`. Actual: two (e.g. :02 run, :03 missed, :04 run), because the policy is
  // applied separately to two batches: the fires acquired before the outage whose resolution failed
  // (held in Engine.retryFires, resolved late by resolveChunk, which applies the policy to them), and
  // the instants acquired only after it (planAcquisition applies it again). Reproduce: an outage longer
  // than lookahead + threshold (5 s > 2 s + 2 s here; a real restart does the same, see the ledgers of
  // postgres-restart.test.ts), a job every second with catchUp `latest`; count its `catchUp` runs.
  // Cause: what was fixed for restarts and standby (acquired fires older than the threshold given back
  // to their triggers with rewindPendingFires, so that the policy sees one list) is not done for fires
  // whose resolution failed: on the store's return, retryFires past the threshold are resolved in place.
  it('catch-up `latest` runs once for the outage', () => {
    const catchUps = runs.filter((r) => r.trigger === 'catchUp');
    const missed = fires.filter((f) => f.outcome === 'missed');
    expect(
      catchUps.map((r) => iso(r.scheduledFor)),
      'catch-up runs',
    ).toHaveLength(1);
    expect(Math.max(...missed.map((f) => f.scheduledFor))).toBeLessThan(catchUps[0]?.scheduledFor as number);
  });
});

describe('2. a run ending while its finish cannot be written, still unrecorded 5 s after it started', () => {
  const marks = (): string[] => {
    const file = join(dir, 'marks.txt');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };
  let runId = '';

  it('the run is recorded `succeeded` once writes are accepted again', async () => {
    await apiCall(url(), 'PUT', '/api/v1/jobs/marks', {
      name: 'marks',
      schedule: { type: 'manual' },
      overlap: 'allow',
      steps: [
        {
          stepIndex: 0,
          type: 'exec',
          command: '/bin/sh',
          args: ['-c', 'echo "$SKED_RUN_ID" >> "$1"; sleep 0.5', 'sh', join(dir, 'marks.txt')],
        },
      ],
    });
    runId = (await apiCall<{ runId: string }>(url(), 'POST', '/api/v1/jobs/marks/trigger')).runId;
    await waitFor('the step running (its mark written)', () => marks().includes(runId), { intervalMs: 10 });
    // A: every write refused: the step ends, its finish cannot be written; the node's poll fails
    await refuse(ENGINE_TABLES);
    const refusedAt = Date.now();
    await sleep(6000);
    // B: the engine's own tables accept writes again, `runs` still refuses: the poll completes (and
    // reconciles), the finish still cannot be written
    await accept(['triggers', 'fire_ledger']);
    await sleep(3000);
    // C: everything accepted
    await accept(['runs']);
    await waitFor('the run recorded', async () => (await runOf(runId)).status === 'succeeded', {
      timeoutMs: 15_000,
    });
    const run = await runOf(runId);
    expect(Date.parse(run.finishedAt ?? ''), 'it ended while its finish was refused').toBeGreaterThan(
      refusedAt,
    );
    await sleep(1000);
  }, 60_000);

  // Regression (a bug this test found, fixed): a run whose finish could not be written yet is run a second time. Expected: its step runs
  // once (its finish, kept by the engine's Batcher, is written when the store accepts it). Actual: its
  // step runs twice (two marks with the run's id); the node logs "started runs whose start was
  // recorded while the store was failing". Reproduce: a run ending while `runs` refuses writes (or the
  // store is down), then the store answering the poll (after which the run is more than 5 s old) while
  // the finish is still unwritten; with a real restart this is a race between the poll (0.5 s) and the
  // Batcher's retry (1 s). Cause: Engine.reconcile treats every `running` row of this node that its
  // pool does not hold and that started more than 5 s ago as a run whose start was committed without
  // the engine knowing, and starts it; it does not exclude runs that finished here and whose finish is
  // waiting in `this.finishes`.
  it('its step ran once', () => {
    const n = node as SkedServerProcess;
    const restarted = n.logs.filter(
      (l) => l.msg === 'started runs whose start was recorded while the store was failing',
    );
    console.log(
      `[store-write-outage] marks of the run: ${marks().filter((m) => m === runId).length}; "started runs ..." logged ${restarted.length} times`,
    );
    expect(
      marks().filter((m) => m === runId),
      'marks written by the step',
    ).toEqual([runId]);
  });
});

describe('3. a run failing while new runs cannot be written', () => {
  let failedRunId = '';

  it('the failed run is recorded `failed`', async () => {
    await apiCall(url(), 'PUT', '/api/v1/jobs/fails', {
      name: 'fails',
      schedule: { type: 'manual' },
      overlap: 'allow',
      retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT0.5S' },
      steps: [{ stepIndex: 0, type: 'exec', command: '/bin/sh', args: ['-c', 'sleep 1; exit 3'] }],
    });
    failedRunId = (await apiCall<{ runId: string }>(url(), 'POST', '/api/v1/jobs/fails/trigger')).runId;
    await waitFor('the failing run running', async () => (await runOf(failedRunId)).status === 'running', {
      intervalMs: 20,
    });
    // only new runs are refused: the failure itself is recorded, its retry cannot be
    await refuse(['runs'], 'INSERT');
    await waitFor('the run recorded failed', async () => (await runOf(failedRunId)).status === 'failed', {
      timeoutMs: 15_000,
    });
    await sleep(1000);
    await accept(['runs']);
    await sleep(3000);
  }, 60_000);

  // Regression (a bug this test found, fixed): a run that fails while the store cannot take new runs is never retried. Expected: its retry
  // (the job allows 2 attempts) is written once the store takes it, like finishes are. Actual: no retry
  // run exists; the node logs "scheduling a retry failed". Reproduce: as here, or a real outage while a
  // failing step ends (postgres-restart.test.ts counts such runs). Cause: Engine.afterFailure calls
  // store.insertRuns once (from onRunFinished, `void ....catch(log)`); when it throws nothing keeps the
  // retry to write later (the Batcher that retries finishes does not cover it). takeOver's retries of
  // interrupted runs go through the same path.
  it('it is retried once new runs are accepted', async () => {
    const runs = (await apiCall<{ items: RunView[] }>(url(), 'GET', '/api/v1/jobs/fails/runs?limit=20'))
      .items;
    const n = node as SkedServerProcess;
    console.log(
      `[store-write-outage] fails: ${runs.map((r) => `attempt ${r.attempt} ${r.trigger} ${r.status}`).join(', ')}; "scheduling a retry failed" logged: ${n.logs.some((l) => l.msg === 'scheduling a retry failed')}`,
    );
    const retries = runs.filter((r) => r.trigger === 'retry' && r.retryOf === failedRunId);
    expect(retries.map((r) => `${r.id} attempt ${r.attempt} ${r.status}`)).toHaveLength(1);
  });

  it('the node stops with exit 0', async () => {
    const exit = await (node as SkedServerProcess).stop('SIGTERM', 30_000);
    expect(exit.code, node?.tail(20)).toBe(0);
  }, 60_000);
});
