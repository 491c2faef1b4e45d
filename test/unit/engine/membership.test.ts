/** Membership's look at the nodes table: who joined and who left since the last look, and who is dead. */

import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/domain/logger.js';
import type { NodeInfo } from '../../../src/domain/types.js';
import { CorrectedClock } from '../../../src/engine/corrected-clock.js';
import { FakeClock } from '../../../src/engine/fake-clock.js';
import { Membership, NodeWatch } from '../../../src/engine/membership.js';
import type { Store } from '../../../src/store/store.js';

const T0 = Date.UTC(2026, 0, 1);
const TTL = 10_000;

const row = (id: string, startedAt: number, heartbeatAt: number): NodeInfo => ({ id, host: `host-${id}`, pid: 1, startedAt, heartbeatAt, clockSkewMs: 0, state: 'active', version: 'v1' });
const life = (id: string, startedAt: number) => ({ nodeId: id, host: `host-${id}`, startedAt, version: 'v1' });

describe('NodeWatch', () => {
  it('the first look learns who is there; later looks tell who joined and who left, never this node', () => {
    const watch = new NodeWatch('a', TTL);
    expect(watch.look([row('a', 1, T0), row('b', 2, T0)], T0)).toEqual({ joined: [], left: [] });
    expect(watch.look([row('a', 1, T0), row('b', 2, T0), row('c', 3, T0)], T0 + 1000)).toEqual({ joined: [life('c', 3)], left: [] });
    // b's row goes while its heartbeat was fresh: it stopped; a's own row going is not news here
    expect(watch.look([row('c', 3, T0 + 1000)], T0 + 2000)).toEqual({ joined: [], left: [{ ...life('b', 2), reason: 'stopped' }] });
    // c restarts under the same id: its old life left, the new one joined
    expect(watch.look([row('c', 9, T0 + 3000)], T0 + 3000)).toEqual({ joined: [life('c', 9)], left: [{ ...life('c', 3), reason: 'stopped' }] });
  });

  it('a row that goes while its heartbeat was late was removed by a node that declared it dead', () => {
    const watch = new NodeWatch('a', TTL);
    watch.look([row('b', 2, T0)], T0);
    watch.look([row('b', 2, T0)], T0 + TTL);
    expect(watch.look([], T0 + TTL + 1000)).toEqual({ joined: [], left: [{ ...life('b', 2), reason: 'dead' }] });
  });
});

describe('Membership.survey', () => {
  function setup() {
    const clock = new FakeClock(T0);
    const nodes = new Map<string, NodeInfo>();
    const store = {
      capabilities: { multiNode: true, notifications: true },
      now: async () => clock.now(),
      heartbeat: async (n: NodeInfo) => {
        const had = nodes.has(n.id);
        nodes.set(n.id, n);
        return had;
      },
      listNodes: async () => [...nodes.values()],
    } as unknown as Store;
    const membership = new Membership(store, new CorrectedClock(clock), { nodeId: 'a', nodeTtlMs: TTL, maxSkewMs: 1000, host: 'host-a', version: 'v1' }, silentLogger, T0);
    return { clock, nodes, membership };
  }

  it('tells joins and leaves at once, and dead nodes only after a TTL of being connected', async () => {
    const { clock, nodes, membership } = setup();
    expect(membership.self).toEqual({ nodeId: 'a', host: 'host-a', startedAt: T0, version: 'v1' });
    nodes.set('b', row('b', 5, T0));
    expect(await membership.heartbeat('active')).toBe('ok');
    expect(await membership.survey()).toEqual({ dead: [], joined: [], left: [] });
    nodes.set('c', row('c', 6, T0));
    await clock.advance(1000);
    expect((await membership.survey()).joined).toEqual([life('c', 6)]);
    // b and c stop heartbeating: dead once older than the TTL (this node connected long enough)
    await clock.advance(TTL + 1000);
    expect((await membership.survey()).dead.map((n) => n.id)).toEqual(['b', 'c']);
    expect(await membership.deadNodes()).toEqual(['b', 'c']);
    nodes.delete('b');
    expect((await membership.survey()).left).toEqual([{ ...life('b', 5), reason: 'dead' }]);
  });
});
