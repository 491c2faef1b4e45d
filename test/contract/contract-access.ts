/** Contract: API keys and the audit log. */

import { describe, expect, it } from 'vitest';
import type { ApiKey, AuditEntry } from '../../src/domain/types.js';
import type { ContractContext } from './store-contract.js';
import { expectSkedError } from './support/expect-error.js';
import { T0 } from './support/fixtures.js';

const key = (id: string, over: Partial<ApiKey> = {}): ApiKey => ({
  id,
  name: `key ${id}`,
  role: 'operator',
  hash: 'a'.repeat(64),
  createdAt: T0,
  createdBy: 'admin',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  ...over,
});

const entry = (id: string, at: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  at,
  actor: { kind: 'key', id: 'sked_k1', name: 'ops' },
  action: 'job.create',
  target: { type: 'job', id: 'a' },
  before: null,
  after: { name: 'x', nested: { secret: '***' } },
  ...over,
});

export function describeAccessContract(ctx: ContractContext): void {
  describe('api keys', () => {
    it('round-trips keys, refuses a duplicate id, and lists oldest first', async () => {
      await ctx.store.insertApiKey(key('sked_b', { createdAt: T0 + 1, role: 'viewer', expiresAt: T0 + 9 }));
      await ctx.store.insertApiKey(key('sked_a'));
      await expectSkedError(ctx.store.insertApiKey(key('sked_a')), 'CONFLICT');
      expect(await ctx.store.getApiKey('sked_b')).toEqual(key('sked_b', { createdAt: T0 + 1, role: 'viewer', expiresAt: T0 + 9 }));
      expect(await ctx.store.getApiKey('nope')).toBeNull();
      expect((await ctx.store.listApiKeys()).map((k) => k.id)).toEqual(['sked_a', 'sked_b']);
    });

    it('revokes once, records last use, and upserts the bootstrap key', async () => {
      await ctx.store.insertApiKey(key('sked_a'));
      expect(await ctx.store.revokeApiKey('sked_a', T0 + 5)).toBe(true);
      expect(await ctx.store.revokeApiKey('sked_a', T0 + 6)).toBe(false);
      expect(await ctx.store.revokeApiKey('missing', T0 + 6)).toBe(false);
      expect((await ctx.store.getApiKey('sked_a'))?.revokedAt).toBe(T0 + 5);
      await ctx.store.touchApiKey('sked_a', T0 + 7);
      expect((await ctx.store.getApiKey('sked_a'))?.lastUsedAt).toBe(T0 + 7);
      await ctx.store.upsertApiKey(key('sked_a', { role: 'admin', hash: 'b'.repeat(64) }));
      expect(await ctx.store.getApiKey('sked_a')).toEqual(key('sked_a', { role: 'admin', hash: 'b'.repeat(64) }));
    });
  });

  describe('audit log', () => {
    it('appends entries and lists them newest first with filters and pagination', async () => {
      await ctx.store.appendAudit([
        entry('e1', T0),
        entry('e2', T0 + 1, { action: 'job.trigger', before: { v: 1 } }),
        entry('e3', T0 + 2, { actor: { kind: 'key', id: 'sked_k2', name: 'dev' }, target: { type: 'key', id: 'sked_x' }, action: 'key.revoke' }),
      ]);
      const all = await ctx.store.listAudit({ limit: 10, offset: 0 });
      expect(all.total).toBe(3);
      expect(all.items.map((e) => e.id)).toEqual(['e3', 'e2', 'e1']);
      expect(all.items[1]).toEqual(entry('e2', T0 + 1, { action: 'job.trigger', before: { v: 1 } }));
      expect((await ctx.store.listAudit({ limit: 10, offset: 0, action: 'job.trigger' })).items.map((e) => e.id)).toEqual(['e2']);
      expect((await ctx.store.listAudit({ limit: 10, offset: 0, actor: 'dev' })).items.map((e) => e.id)).toEqual(['e3']);
      expect((await ctx.store.listAudit({ limit: 10, offset: 0, actor: 'sked_k1' })).total).toBe(2);
      expect((await ctx.store.listAudit({ limit: 10, offset: 0, targetType: 'job', targetId: 'a' })).total).toBe(2);
      expect((await ctx.store.listAudit({ limit: 10, offset: 0, from: T0 + 1, to: T0 + 2 })).items.map((e) => e.id)).toEqual(['e2']);
      const page = await ctx.store.listAudit({ limit: 1, offset: 1 });
      expect(page.items.map((e) => e.id)).toEqual(['e2']);
      expect(page.total).toBe(3);
    });
  });
}
