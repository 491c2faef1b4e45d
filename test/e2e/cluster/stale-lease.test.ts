/**
 * End-to-end, cluster: a node that dies between claiming a trigger and committing its acquisition.
 *
 * Acquisition is two statements: CLAIM_DUE_TRIGGERS leases the due triggers to the node (lease = now +
 * 30 s, the engine's leaseMs, not configurable), then COMMIT_ACQUISITIONS writes the pending fires,
 * advances the triggers and clears the lease. A node SIGKILLed (or losing the store) between the two
 * leaves its triggers leased. Hitting that window from outside with a real SIGKILL is luck (it lasts
 * milliseconds per poll with a few jobs, longer with thousands), so this test writes the exact state it
 * leaves: a `nodes` row for node `ghost` whose heartbeat then stops, and a job's trigger leased to it.
 * Two real nodes (a, b; TTL 3 s) then declare `ghost` dead and take over its work.
 *
 * SKED_TEST_KEEP_DIR=1 keeps the temp folder and the schema.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  assertBuilt,
  killStartedProcesses,
  waitFor,
  type SkedServerProcess,
} from '../../support/process.js';
import {
  assertPostgresReachable,
  clusterSchemaName,
  dropSchema,
  SHARED_PG_URL,
  startNode,
  stopAll,
  storeUrlOf,
} from './support/cluster.js';

const NODE_ARGS = [
  '--node-ttl',
  'PT3S',
  '--heartbeat',
  'PT0.5S',
  '--misfire-threshold',
  'PT5S',
  '--lookahead',
  'PT2S',
  '--poll-interval',
  'PT0.5S',
];
/** The lease the engine takes on a claimed trigger (DEFAULT_ENGINE_CONFIG.leaseMs). */
const LEASE_MS = 30_000;

const schema = clusterSchemaName();
const storeUrl = storeUrlOf(SHARED_PG_URL, schema);
let dir = '';
const nodes = new Map<string, SkedServerProcess>();

beforeAll(async () => {
  assertBuilt();
  await assertPostgresReachable(SHARED_PG_URL);
  dir = mkdtempSync(join(tmpdir(), 'sked-e2e-lease-'));
});

afterAll(async () => {
  await killStartedProcesses();
  if (!process.env['SKED_TEST_KEEP_DIR']) {
    await dropSchema(SHARED_PG_URL, schema);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

let url = '';
/** The database clock when the lease was written (the ghost's last heartbeat), and the takeover's. */
let leasedAt = 0;
let takenAt = 0;

interface ApiFire {
  scheduledFor: string;
  firedAt: string | null;
  outcome: string;
  nodeId: string | null;
}

const firesOfJ = async (): Promise<ApiFire[]> =>
  (await apiCall<{ items: ApiFire[] }>(url, 'GET', '/api/v1/jobs/j/fires?limit=200')).items;

describe('a node dead between claiming a trigger and committing its acquisition', () => {
  it('two nodes fire job j; a dead node `ghost` holding its lease is declared dead and taken over', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map((id) => startNode({ storeUrl, nodeId: id, dir, args: NODE_ARGS })),
    );
    nodes.set('a', a as SkedServerProcess);
    nodes.set('b', b as SkedServerProcess);
    url = (a as SkedServerProcess).url;
    await apiCall(url, 'PUT', '/api/v1/jobs/j', {
      name: 'j',
      schedule: { type: 'cron', expression: '* * * * * ?' },
      overlap: 'allow',
      catchUp: { policy: 'none' },
      steps: [{ stepIndex: 0, type: 'noop' }],
    });
    await waitFor(
      'j fired twice',
      async () => (await firesOfJ()).filter((f) => f.outcome === 'run').length >= 2,
      {
        timeoutMs: 20_000,
      },
    );

    // the state a node SIGKILLed right after CLAIM_DUE_TRIGGERS leaves: its row, j's trigger leased to it
    const client = new pg.Client({ connectionString: SHARED_PG_URL });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('BEGIN');
      const now = Number(
        (
          await client.query<{ now: string }>(
            'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now',
          )
        ).rows[0]?.now,
      );
      await client.query(
        `INSERT INTO nodes (id, host, pid, started_at, heartbeat_at, clock_skew_ms, state, version) VALUES ('ghost', 'ghost', 1, $1, $1, 0, 'active', 'test')`,
        [now],
      );
      const leased = await client.query(
        `UPDATE triggers SET lease_node = 'ghost', lease_until = $1 WHERE job_id = 'j'`,
        [now + LEASE_MS],
      );
      expect(leased.rowCount).toBe(1);
      await client.query('COMMIT');
      leasedAt = now;
    } finally {
      await client.end();
    }

    const takeover = await Promise.any(
      [a, b].map((n) =>
        (n as SkedServerProcess).waitForLog(
          (l) =>
            l.msg === 'took over the work of dead nodes' && (l['fromNodes'] as string[]).includes('ghost'),
          20_000,
        ),
      ),
    );
    takenAt = takeover.time;
    const listed = await apiCall<{ items: { id: string }[] }>(url, 'GET', '/api/v1/nodes');
    expect(
      listed.items.map((n) => n.id),
      'ghost removed',
    ).toEqual(['a', 'b']);
    console.log(`[stale-lease] ghost declared dead ${takenAt - leasedAt} ms after its last heartbeat`);
  }, 60_000);

  // Regression (a bug this test found, fixed): the leases of a dead node outlive the takeover. Expected: once the survivors declare the node
  // dead (TTL 3 s here) and take over its work, the trigger it had leased is free again and the job
  // fires on time from the next instants. Actual: the job fires nothing until the 30 s lease expires
  // (then the instants missed meanwhile follow the catch-up policy: `missed` here, with `none`).
  // Reproduce: as here, or SIGKILL a node between claimDueTriggers and commitAcquisitions (a window of
  // milliseconds per acquisition, wider with many jobs; a store failure between the two likewise leaves
  // a live node's own lease, which even that node cannot reclaim before it expires). Cause:
  // Engine.takeOver interrupts the dead nodes' runs, rewinds or takes over their pending fires and
  // removes their rows, but never clears `triggers.lease_node` for them (Store.releaseTriggers exists,
  // used by a node's own graceful stop only); CLAIM_DUE_TRIGGERS skips a trigger whose lease has not
  // expired, and the lease (the engine's leaseMs, 30 s, not configurable) outlasts the node TTL.
  it(
    "the job fires on time again once the dead node's work is taken over",
    async () => {
      expect(takenAt, 'the takeover happened (first test)').toBeGreaterThan(0);
      try {
        // the instants after the takeover fire on time (waits 10 s: the lease lasts 30 s)
        const next = await waitFor(
          'j firing again after the takeover',
          async () =>
            (await firesOfJ()).find(
              (f) => f.outcome === 'run' && Date.parse(f.scheduledFor) > takenAt + 1000,
            ),
          { timeoutMs: 10_000, intervalMs: 200 },
        );
        expect(Date.parse(next.firedAt as string) - Date.parse(next.scheduledFor), 'on time').toBeLessThan(
          1000,
        );
      } finally {
        const after = (await firesOfJ()).filter((f) => Date.parse(f.scheduledFor) > leasedAt + 2500);
        console.log(
          `[stale-lease] ledger rows for instants from 2.5 s after the lease: ${after.length} (${after.map((f) => f.outcome).join(', ')})`,
        );
      }
    },
    30_000,
  );

  it('both nodes exit 0 on SIGTERM', async () => {
    const codes = await stopAll(nodes);
    for (const [id, code] of codes) expect(code, `node ${id}`).toBe(0);
  }, 60_000);
});
