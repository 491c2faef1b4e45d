/** Contract: listJobs filters, sort keys, pagination and totals. */

import { beforeEach, describe, expect, it } from 'vitest';
import type { JobQuery, JobSortKey } from '../../src/store/store.js';
import type { ContractContext } from './store-contract.js';
import { makeJob, SECOND, T0 } from './support/fixtures.js';

export function describeJobListContract(ctx: ContractContext): void {
  describe('listJobs', () => {
    const ids = async (query: Partial<JobQuery>) =>
      (await ctx.store.listJobs({ limit: 100, offset: 0, ...query })).items.map((job) => job.id);

    beforeEach(async () => {
      // name, collection, state, labels, created, updated, next fire
      const rows: [
        string,
        string,
        string,
        'enabled' | 'paused',
        Record<string, string>,
        number,
        number,
        number | null,
      ][] = [
        [
          'j1',
          'alpha report',
          'default',
          'enabled',
          { team: 'billing', env: 'prod' },
          3,
          30,
          T0 + 5 * SECOND,
        ],
        ['j2', 'Beta backup', 'default', 'paused', { team: 'billing', env: 'dev' }, 1, 10, null],
        ['j3', 'gamma REPORT', 'ops', 'enabled', { team: 'ops', env: 'prod' }, 2, 20, T0 + SECOND],
        ['j4', 'delta 100%_done', 'ops', 'paused', {}, 4, 40, T0 + 9 * SECOND],
        ['j5', 'beta backup', 'default', 'enabled', { team: 'billing' }, 5, 50, null],
      ];
      for (const [id, name, collection, state, labels, created, updated, next] of rows) {
        await ctx.store.insertJob(
          makeJob(id, { name, collection, state, labels, createdAt: T0 + created, updatedAt: T0 + updated }),
          next,
        );
      }
    });

    it('lists every job by id by default, with the total', async () => {
      const page = await ctx.store.listJobs({ limit: 100, offset: 0 });
      expect(page.total).toBe(5);
      expect(page.items.map((job) => job.id)).toEqual(['j1', 'j2', 'j3', 'j4', 'j5']);
      expect(page.items[0]?.status.nextFireTime).toBe(T0 + 5 * SECOND);
    });

    it('pages with limit and offset, the total counting every match', async () => {
      expect(await ctx.store.listJobs({ limit: 2, offset: 0 })).toMatchObject({ total: 5 });
      expect(await ids({ limit: 2, offset: 0 })).toEqual(['j1', 'j2']);
      expect(await ids({ limit: 2, offset: 2 })).toEqual(['j3', 'j4']);
      expect(await ids({ limit: 2, offset: 4 })).toEqual(['j5']);
      const beyond = await ctx.store.listJobs({ limit: 2, offset: 10 });
      expect(beyond).toEqual({ items: [], total: 5 });
      const filtered = await ctx.store.listJobs({ limit: 1, offset: 1, state: 'enabled' });
      expect(filtered.total).toBe(3);
      expect(filtered.items.map((job) => job.id)).toEqual(['j3']);
    });

    it('filters by state and by collection', async () => {
      expect(await ids({ state: 'paused' })).toEqual(['j2', 'j4']);
      expect(await ids({ collection: 'ops' })).toEqual(['j3', 'j4']);
      expect(await ids({ collection: 'ops', state: 'enabled' })).toEqual(['j3']);
      expect(await ids({ state: 'faulted' })).toEqual([]);
    });

    it('filters by labels: every label given must match exactly', async () => {
      expect(await ids({ labels: { team: 'billing' } })).toEqual(['j1', 'j2', 'j5']);
      expect(await ids({ labels: { team: 'billing', env: 'prod' } })).toEqual(['j1']);
      expect(await ids({ labels: { env: 'prod' } })).toEqual(['j1', 'j3']);
      expect(await ids({ labels: { team: 'bill' } })).toEqual([]);
      expect(await ids({ labels: { team: 'billing', missing: 'x' } })).toEqual([]);
      expect(await ids({ labels: {} })).toHaveLength(5);
      expect((await ctx.store.listJobs({ limit: 1, offset: 0, labels: { team: 'billing' } })).total).toBe(3);
    });

    it('filters by a case-insensitive substring of the name, taking % and _ literally', async () => {
      expect(await ids({ nameContains: 'report' })).toEqual(['j1', 'j3']);
      expect(await ids({ nameContains: 'BACKUP' })).toEqual(['j2', 'j5']);
      expect(await ids({ nameContains: '%_' })).toEqual(['j4']);
      expect(await ids({ nameContains: '_' })).toEqual(['j4']);
      expect(await ids({ nameContains: 'zzz' })).toEqual([]);
    });

    it('filters by ids, and an empty id list matches nothing', async () => {
      expect(await ids({ ids: ['j4', 'j2', 'missing'] })).toEqual(['j2', 'j4']);
      expect(await ids({ ids: [] })).toEqual([]);
    });

    it('combines filters', async () => {
      expect(await ids({ labels: { team: 'billing' }, state: 'enabled', nameContains: 'b' })).toEqual(['j5']);
    });

    const sorted: [JobSortKey, string[]][] = [
      ['id', ['j1', 'j2', 'j3', 'j4', 'j5']],
      // case-insensitive; equal names fall back to byte order (uppercase first)
      ['name', ['j1', 'j2', 'j5', 'j4', 'j3']],
      ['createdAt', ['j2', 'j3', 'j1', 'j4', 'j5']],
      ['updatedAt', ['j2', 'j3', 'j1', 'j4', 'j5']],
      ['state', ['j1', 'j3', 'j5', 'j2', 'j4']],
    ];
    for (const [key, ascending] of sorted) {
      it(`sorts by ${key} ascending and descending`, async () => {
        expect(await ids({ sort: [{ key, descending: false }] })).toEqual(ascending);
        const descending = await ids({ sort: [{ key, descending: true }] });
        if (key === 'state') {
          // ties (same state) are broken by id ascending in either direction
          expect(descending).toEqual(['j2', 'j4', 'j1', 'j3', 'j5']);
        } else {
          expect(descending).toEqual([...ascending].reverse());
        }
      });
    }

    it('sorts by nextFireTime with jobs that have nothing scheduled last, either way', async () => {
      expect(await ids({ sort: [{ key: 'nextFireTime', descending: false }] })).toEqual([
        'j3',
        'j1',
        'j4',
        'j2',
        'j5',
      ]);
      expect(await ids({ sort: [{ key: 'nextFireTime', descending: true }] })).toEqual([
        'j4',
        'j1',
        'j3',
        'j2',
        'j5',
      ]);
    });

    it('sorts by several keys in order, id breaking the remaining ties', async () => {
      expect(
        await ids({
          sort: [
            { key: 'state', descending: true },
            { key: 'createdAt', descending: true },
          ],
        }),
      ).toEqual(['j4', 'j2', 'j5', 'j1', 'j3']);
    });

    it('pages through a sorted list without gaps or repeats', async () => {
      const sort = [{ key: 'state' as const, descending: false }];
      const all: string[] = [];
      for (let offset = 0; offset < 5; offset += 2) all.push(...(await ids({ sort, limit: 2, offset })));
      expect(all).toEqual(['j1', 'j3', 'j5', 'j2', 'j4']);
    });
  });
}
