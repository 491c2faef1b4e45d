/** Contract: the store itself (backend, clock, ping, migrate), nodes, collections, settings. */

import { describe, expect, it } from 'vitest';
import type { Collection } from '../../src/domain/types.js';
import type { ContractContext } from './store-contract.js';
import { expectSkedError } from './support/expect-error.js';
import { makeJob, makeNode, SECOND, T0 } from './support/fixtures.js';

function makeCollection(name: string, overrides: Partial<Collection> = {}): Collection {
  return {
    name,
    description: '',
    maxJobs: null,
    minInterval: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function describeAdminContract(ctx: ContractContext): void {
  describe('the store', () => {
    it('names its backend and capabilities', () => {
      expect(['sqlite', 'postgres']).toContain(ctx.store.backend);
      expect(typeof ctx.store.capabilities.multiNode).toBe('boolean');
      expect(typeof ctx.store.capabilities.notifications).toBe('boolean');
    });

    it('answers its clock in epoch milliseconds, close to this process’s clock', async () => {
      const before = Date.now();
      const now = await ctx.store.now();
      expect(Number.isInteger(now)).toBe(true);
      // a database clock may differ a little from ours, never by much on one machine
      expect(Math.abs(now - before)).toBeLessThan(60 * SECOND);
    });

    it('answers ping', async () => {
      await expect(ctx.store.ping()).resolves.toBeUndefined();
    });

    it('migrate again is a no-op that keeps the data', async () => {
      await ctx.store.insertJob(makeJob('a'), T0);
      await ctx.store.migrate();
      await ctx.store.migrate();
      expect((await ctx.store.getJob('a'))?.id).toBe('a');
      expect((await ctx.store.listCollections()).map((c) => c.name)).toEqual(['default']);
    });
  });

  describe('nodes', () => {
    it('heartbeat inserts a node, then refreshes it in place', async () => {
      await ctx.store.heartbeat(makeNode('node-b'));
      await ctx.store.heartbeat(makeNode('node-a', { clockSkewMs: -3.5 }));
      expect(await ctx.store.listNodes()).toEqual([
        makeNode('node-a', { clockSkewMs: -3.5 }),
        makeNode('node-b'),
      ]);
      const refreshed = makeNode('node-b', {
        heartbeatAt: T0 + 5 * SECOND,
        state: 'standby',
        clockSkewMs: 12,
        pid: 7,
      });
      await ctx.store.heartbeat(refreshed);
      expect(await ctx.store.listNodes()).toEqual([makeNode('node-a', { clockSkewMs: -3.5 }), refreshed]);
    });

    it('removeNode removes one node, and ignores a missing one', async () => {
      await ctx.store.heartbeat(makeNode('node-a'));
      await ctx.store.heartbeat(makeNode('node-b'));
      await ctx.store.removeNode('node-a');
      await ctx.store.removeNode('missing');
      expect((await ctx.store.listNodes()).map((n) => n.id)).toEqual(['node-b']);
    });
  });

  describe('collections', () => {
    it('has the default collection after migration', async () => {
      const collections = await ctx.store.listCollections();
      expect(collections.map((c) => c.name)).toEqual(['default']);
      expect(await ctx.store.getCollection('default')).toMatchObject({
        name: 'default',
        maxJobs: null,
        minInterval: null,
      });
    });

    it('puts, gets and lists collections by name', async () => {
      const ops = makeCollection('ops', { description: 'Operations', maxJobs: 10, minInterval: 'PT1M' });
      await ctx.store.putCollection(ops);
      await ctx.store.putCollection(makeCollection('billing'));
      expect(await ctx.store.getCollection('ops')).toEqual(ops);
      expect(await ctx.store.getCollection('missing')).toBeNull();
      expect((await ctx.store.listCollections()).map((c) => c.name)).toEqual(['billing', 'default', 'ops']);
    });

    it('put replaces an existing collection and keeps its createdAt', async () => {
      await ctx.store.putCollection(makeCollection('ops', { maxJobs: 10 }));
      await ctx.store.putCollection(
        makeCollection('ops', { maxJobs: null, minInterval: 'PT5M', createdAt: T0 + 9, updatedAt: T0 + 9 }),
      );
      expect(await ctx.store.getCollection('ops')).toEqual(
        makeCollection('ops', { maxJobs: null, minInterval: 'PT5M', createdAt: T0, updatedAt: T0 + 9 }),
      );
    });

    it('deletes an empty collection, answers false for a missing one', async () => {
      await ctx.store.putCollection(makeCollection('ops'));
      expect(await ctx.store.deleteCollection('ops')).toBe(true);
      expect(await ctx.store.getCollection('ops')).toBeNull();
      expect(await ctx.store.deleteCollection('ops')).toBe(false);
    });

    it('refuses to delete a collection that holds jobs, or the default one (CONFLICT)', async () => {
      await ctx.store.putCollection(makeCollection('ops'));
      await ctx.store.insertJob(makeJob('a', { collection: 'ops' }), null);
      await expectSkedError(ctx.store.deleteCollection('ops'), 'CONFLICT');
      await expectSkedError(ctx.store.deleteCollection('default'), 'CONFLICT');
      expect(await ctx.store.getCollection('ops')).not.toBeNull();
      await ctx.store.deleteJob('a');
      expect(await ctx.store.deleteCollection('ops')).toBe(true);
    });
  });

  describe('settings', () => {
    it('round-trips JSON values', async () => {
      const values: [string, unknown][] = [
        ['object', { standby: true, since: T0, by: { name: 'ÿ' }, list: [1, 'two', null] }],
        ['array', [1, 2, 3]],
        ['number', 3.25],
        ['string', 'text "quoted"'],
        ['boolean', false],
        ['null', null],
      ];
      for (const [key, value] of values) await ctx.store.setSetting(key, value);
      for (const [key, value] of values) expect(await ctx.store.getSetting(key)).toEqual(value);
    });

    it('answers undefined for a key never set, overwrites, and removes a key set to undefined', async () => {
      expect(await ctx.store.getSetting('missing')).toBeUndefined();
      await ctx.store.setSetting('k', 1);
      await ctx.store.setSetting('k', { v: 2 });
      expect(await ctx.store.getSetting('k')).toEqual({ v: 2 });
      await ctx.store.setSetting('k', undefined);
      expect(await ctx.store.getSetting('k')).toBeUndefined();
    });
  });
}
