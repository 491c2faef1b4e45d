/**
 * Model-based property test of the fire ledger: random interleavings of two nodes claiming, committing,
 * resolving (also with stale views), taking over, job changes that reset the trigger, and direct
 * fires. After every command the store's answers must match a simple model, and at the end the ledger
 * holds each (job, instant) once and exactly one run per fire that ran.
 */

import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { ContractContext } from './store-contract.js';
import { makeJob, runResolution, SECOND, T0 } from './support/fixtures.js';

type NodeIndex = 0 | 1;
type Command =
  | { kind: 'advance'; ms: number }
  | { kind: 'claim'; node: NodeIndex; limit: number }
  | { kind: 'commit'; node: NodeIndex; fires: number }
  | { kind: 'resolve'; node: NodeIndex; count: number; stale: boolean }
  | { kind: 'takeover'; from: NodeIndex }
  | { kind: 'change'; job: number; reset: boolean }
  | { kind: 'direct'; job: number; second: number };

const JOBS = 2;
const LEASE = 5 * SECOND;
const HORIZON = 3 * SECOND;

const node = fc.constantFrom<NodeIndex>(0, 1);
const job = fc.integer({ min: 0, max: JOBS - 1 });
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 8 * SECOND }) }),
  fc.record({ kind: fc.constant('claim' as const), node, limit: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('commit' as const), node, fires: fc.integer({ min: 0, max: 3 }) }),
  fc.record({
    kind: fc.constant('resolve' as const),
    node,
    count: fc.integer({ min: 1, max: 4 }),
    stale: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('takeover' as const), from: node }),
  fc.record({ kind: fc.constant('change' as const), job, reset: fc.boolean() }),
  fc.record({ kind: fc.constant('direct' as const), job, second: fc.integer({ min: -3, max: 20 }) }),
);

interface LedgerEntry {
  jobId: string;
  at: number;
  pending: boolean;
  node: string | null;
  runId: string | null;
}

const keyOf = (jobId: string, at: number) => `${jobId}@${at}`;

/** Replays commands against two handles (or one handle twice) and the model, checking each answer. */
async function replay(stores: [Store, Store], prefix: string, commands: Command[]): Promise<void> {
  const nodes = [`${prefix}node-0`, `${prefix}node-1`] as const;
  const jobIds = Array.from({ length: JOBS }, (_, i) => `${prefix}job-${i}`);
  const version = new Map(jobIds.map((id) => [id, 1]));
  const next = new Map<string, number | null>(jobIds.map((id) => [id, T0]));
  const leases = new Map<string, { node: string; until: number }>();
  type Claims = Map<string, { nextFireAt: number; version: number }>;
  const claims: [Claims, Claims] = [new Map(), new Map()];
  const seen: [Set<string>, Set<string>] = [new Set(), new Set()];
  const ledger = new Map<string, LedgerEntry>();
  let now = T0;
  let runs = 0;
  for (const id of jobIds) await stores[0].insertJob(makeJob(id), T0);

  for (const command of commands) {
    switch (command.kind) {
      case 'advance':
        now += command.ms;
        break;
      case 'claim': {
        const nodeId = nodes[command.node];
        const claimed = await stores[command.node].claimDueTriggers(
          nodeId,
          now,
          now + HORIZON,
          command.limit,
          now + LEASE,
        );
        const due = jobIds
          .filter((id) => {
            const at = next.get(id);
            const lease = leases.get(id);
            return (
              at !== null &&
              at !== undefined &&
              at <= now + HORIZON &&
              (lease === undefined || lease.until < now)
            );
          })
          .sort((x, y) => (next.get(x) ?? 0) - (next.get(y) ?? 0) || (x < y ? -1 : 1));
        expect(claimed.map((c) => c.jobId)).toEqual(due.slice(0, command.limit));
        for (const c of claimed) {
          const lease = leases.get(c.jobId);
          // never a trigger whose lease another claim still holds
          expect(lease === undefined || lease.until < now, `claim of a held trigger ${c.jobId}`).toBe(true);
          expect(c.nextFireAt).toBe(next.get(c.jobId));
          expect(c.nextFireAt).toBeLessThanOrEqual(now + HORIZON);
          leases.set(c.jobId, { node: nodeId, until: now + LEASE });
          claims[command.node].set(c.jobId, { nextFireAt: c.nextFireAt, version: c.version });
        }
        break;
      }
      case 'commit': {
        const nodeId = nodes[command.node];
        const acquisitions = [...claims[command.node]].map(([jobId, claim]) => {
          const fires = Array.from({ length: command.fires }, (_, i) => claim.nextFireAt + i * SECOND);
          return {
            jobId,
            version: claim.version,
            fires,
            nextFireAt: claim.nextFireAt + command.fires * SECOND,
            completed: false,
          };
        });
        claims[command.node].clear();
        const expected: string[] = [];
        for (const a of acquisitions) {
          if (leases.get(a.jobId)?.node !== nodeId || version.get(a.jobId) !== a.version) continue;
          for (const at of a.fires) {
            const key = keyOf(a.jobId, at);
            if (ledger.has(key)) continue;
            expected.push(key);
            ledger.set(key, { jobId: a.jobId, at, pending: true, node: nodeId, runId: null });
            seen[command.node].add(key);
          }
          next.set(a.jobId, a.nextFireAt);
          leases.delete(a.jobId);
        }
        const inserted = await stores[command.node].commitAcquisitions(nodeId, acquisitions);
        expect(inserted.map((f) => keyOf(f.jobId, f.scheduledFor))).toEqual(expected);
        break;
      }
      case 'resolve': {
        const nodeId = nodes[command.node];
        // a stale node resolves every fire it ever held, even ones resolved or moved since
        const candidates = command.stale
          ? [...seen[command.node]]
          : [...ledger.entries()].filter(([, e]) => e.pending && e.node === nodeId).map(([key]) => key);
        const chosen = candidates
          .slice(0, command.count)
          .map((key) => ledger.get(key))
          .filter((e) => e !== undefined);
        const resolutions = chosen.map((e) => runResolution(e.jobId, e.at, `${prefix}run-${runs++}`, nodeId));
        const expected = resolutions.filter(
          (r) => ledger.get(keyOf(r.jobId, r.scheduledFor))?.pending === true,
        );
        const applied = await stores[command.node].resolveFires(nodeId, resolutions);
        expect(applied.map((r) => r.run?.id)).toEqual(expected.map((r) => r.run?.id));
        for (const r of applied) {
          const entry = ledger.get(keyOf(r.jobId, r.scheduledFor));
          if (entry) Object.assign(entry, { pending: false, node: nodeId, runId: r.run?.id ?? null });
        }
        break;
      }
      case 'takeover': {
        const to: NodeIndex = command.from === 0 ? 1 : 0;
        const moved = await stores[to].takeOverPendingFires([nodes[command.from]], nodes[to]);
        const expected = [...ledger.entries()]
          .filter(([, e]) => e.pending && e.node === nodes[command.from])
          .map(([key]) => key);
        expect(moved.map((f) => keyOf(f.jobId, f.scheduledFor)).sort()).toEqual(expected.sort());
        for (const key of expected) {
          const entry = ledger.get(key);
          if (entry) entry.node = nodes[to];
          seen[to].add(key);
        }
        break;
      }
      case 'change': {
        const jobId = jobIds[command.job] ?? '';
        const from = version.get(jobId) ?? 1;
        // back onto the whole-second grid, so re-acquired instants can collide with written ones
        const resetTo = Math.ceil((now - 2 * SECOND - T0) / SECOND) * SECOND + T0;
        await stores[0].updateJob(
          makeJob(jobId, { version: from + 1 }),
          from,
          command.reset ? { nextFireAt: resetTo } : undefined,
        );
        version.set(jobId, from + 1);
        if (command.reset) {
          next.set(jobId, resetTo);
          leases.delete(jobId);
          for (const [key, e] of ledger) if (e.jobId === jobId && e.pending) ledger.delete(key);
        }
        break;
      }
      case 'direct': {
        const jobId = jobIds[command.job] ?? '';
        const at = T0 + command.second * SECOND;
        const fire = { jobId, scheduledFor: at, outcome: 'missed' as const, firedAt: now, run: null };
        const inserted = await stores[1].insertFires([fire]);
        expect(inserted.length).toBe(ledger.has(keyOf(jobId, at)) ? 0 : 1);
        if (inserted.length === 1)
          ledger.set(keyOf(jobId, at), { jobId, at, pending: false, node: null, runId: null });
        break;
      }
    }
  }

  for (const jobId of jobIds) {
    const fires = await stores[0].listFires(jobId, { limit: 10_000, offset: 0 });
    const keys = fires.items.map((f) => keyOf(jobId, f.scheduledFor));
    expect(new Set(keys).size, 'one ledger row per (job, instant)').toBe(keys.length);
    const modelled = [...ledger.values()].filter((e) => e.jobId === jobId);
    expect(keys.sort()).toEqual(modelled.map((e) => keyOf(jobId, e.at)).sort());
    for (const fire of fires.items) {
      const entry = ledger.get(keyOf(jobId, fire.scheduledFor));
      expect(fire.outcome === 'pending').toBe(entry?.pending);
      expect(fire.runId).toBe(entry?.runId);
    }
    const jobRuns = await stores[0].listRuns({ limit: 10_000, offset: 0, jobId });
    const ran = fires.items.filter((f) => f.outcome === 'run');
    expect(jobRuns.total, 'exactly one run per fire that ran').toBe(ran.length);
    expect(new Set(jobRuns.items.map((r) => r.scheduledFor)).size).toBe(jobRuns.total);
  }
}

export function describeLedgerModel(ctx: ContractContext): void {
  it('random interleavings of acquisition and resolution never write a fire twice (model-based)', async () => {
    const stores: [Store, Store] = ctx.canOpenPeer
      ? [ctx.store, await ctx.openPeer()]
      : [ctx.store, ctx.store];
    let iteration = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 40 }), async (commands) => {
        const prefix = `m${iteration++}-`;
        try {
          await replay(stores, prefix, commands);
        } finally {
          // the next iteration starts from an empty store
          for (let i = 0; i < JOBS; i++) await stores[0].deleteJob(`${prefix}job-${i}`);
        }
      }),
      { numRuns: 100 },
    );
  });
}
