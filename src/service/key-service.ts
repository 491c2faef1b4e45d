/**
 * API keys: `sked_<8 hex>_<32 base62>`. The first part is the key's id, visible in lists and audit
 * entries; the whole key is stored only as its SHA-256 (a random 190-bit secret needs no slow hash),
 * and compared in constant time. Keys have a role, an optional expiry, and revocation takes effect on the
 * next request on every node (keys are read from the store on each request).
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { notFound, SkedError, validationError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import type { ApiKey, Role } from '../domain/types.js';
import { authorize, type Actor } from './actor.js';
import type { ServiceContext } from './context.js';

const KEY_FORMAT = /^sked_([0-9a-f]{8})_([A-Za-z0-9]{32})$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** lastUsedAt is written at most this often per key and node. */
const TOUCH_EVERY_MS = 60_000;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The id a presented key is looked up by: its visible prefix, or a hash-derived id for other formats. */
export function keyIdOf(key: string): string {
  const m = KEY_FORMAT.exec(key);
  return m ? `sked_${m[1]}` : `ext_${hashKey(key).slice(0, 16)}`;
}

export function generateKey(): { key: string; id: string } {
  const idPart = randomBytes(4).toString('hex');
  const bytes = randomBytes(32);
  let secret = '';
  for (const b of bytes) secret += BASE62[b % 62];
  return { key: `sked_${idPart}_${secret}`, id: `sked_${idPart}` };
}

export interface KeyView {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  createdBy: string | null;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  state: 'active' | 'expired' | 'revoked';
}

export class KeyService {
  private readonly touched = new Map<string, number>();

  constructor(private readonly ctx: ServiceContext) {}

  view(k: ApiKey): KeyView {
    const now = this.ctx.clock.now();
    const { hash: _hash, ...rest } = k;
    return { ...rest, state: k.revokedAt !== null ? 'revoked' : k.expiresAt !== null && k.expiresAt <= now ? 'expired' : 'active' };
  }

  /** Creates a key; the answer carries the key itself, which is never shown again. */
  async create(actor: Actor, input: { name: string; role: Role; expiresAt?: number | null | undefined }): Promise<{ key: string; record: KeyView }> {
    authorize(actor, 'admin', 'create API keys');
    const now = this.ctx.clock.now();
    if (input.expiresAt !== undefined && input.expiresAt !== null && input.expiresAt <= now) {
      throw validationError([{ pointer: '/expiresAt', message: 'must be in the future' }]);
    }
    const { key, id } = generateKey();
    const record: ApiKey = { id, name: input.name, role: input.role, hash: hashKey(key), createdAt: now, createdBy: actor.name, expiresAt: input.expiresAt ?? null, revokedAt: null, lastUsedAt: null };
    await this.ctx.store.insertApiKey(record);
    this.ctx.audit?.record(actor, 'key.create', { type: 'key', id }, null, this.view(record));
    return { key, record: this.view(record) };
  }

  async list(actor: Actor): Promise<KeyView[]> {
    authorize(actor, 'admin', 'list API keys');
    return (await this.ctx.store.listApiKeys()).map((k) => this.view(k));
  }

  /** Revokes a key at once; the last active admin key cannot be revoked (nobody could manage keys). */
  async revoke(actor: Actor, id: string): Promise<KeyView> {
    authorize(actor, 'admin', 'revoke API keys');
    const key = await this.ctx.store.getApiKey(id);
    if (!key) throw notFound('API key', id);
    if (key.revokedAt !== null) throw new SkedError('CONFLICT', `API key '${id}' is already revoked`);
    const now = this.ctx.clock.now();
    if (key.role === 'admin') {
      const admins = (await this.ctx.store.listApiKeys()).filter((k) => k.role === 'admin' && k.revokedAt === null && (k.expiresAt === null || k.expiresAt > now));
      if (admins.length <= 1) throw new SkedError('CONFLICT', `API key '${id}' is the last active admin key: create another admin key first`);
    }
    await this.ctx.store.revokeApiKey(id, now);
    const after = { ...key, revokedAt: now };
    this.ctx.audit?.record(actor, 'key.revoke', { type: 'key', id }, this.view(key), this.view(after));
    return this.view(after);
  }

  /** The actor behind a presented key; UNAUTHORIZED (without saying which part was wrong) otherwise. */
  async authenticate(presented: string | null): Promise<Actor> {
    if (presented === null) throw new SkedError('UNAUTHORIZED', 'an API key is required (Authorization: Bearer <key> or X-API-Key: <key>)');
    const key = await this.ctx.store.getApiKey(keyIdOf(presented));
    const expected = Buffer.from(key?.hash ?? '0'.repeat(64), 'hex');
    const given = Buffer.from(hashKey(presented), 'hex');
    const matches = timingSafeEqual(expected, given) && key !== null;
    if (!key || !matches) throw new SkedError('UNAUTHORIZED', 'the API key is not valid');
    const now = this.ctx.clock.now();
    if (key.revokedAt !== null) throw new SkedError('UNAUTHORIZED', `the API key ${key.id} has been revoked`);
    if (key.expiresAt !== null && key.expiresAt <= now) throw new SkedError('UNAUTHORIZED', `the API key ${key.id} has expired`);
    const last = this.touched.get(key.id) ?? key.lastUsedAt ?? 0;
    if (now - last >= TOUCH_EVERY_MS) {
      this.touched.set(key.id, now);
      await this.ctx.store.touchApiKey(key.id, now).catch(() => undefined);
    }
    return { kind: 'key', id: key.id, name: key.name, role: key.role };
  }

  /**
   * Start-up: installs SKED_API_KEY as an admin key (idempotent); with none given and no key stored,
   * creates an admin key, prints it once, and writes it to `admin.key` (mode 0600) in the data folder
   * where the CLI on this machine finds it.
   */
  async bootstrap(apiKey: string | null, dataDir: string, log: Logger): Promise<void> {
    const now = this.ctx.clock.now();
    if (apiKey !== null) {
      const id = keyIdOf(apiKey);
      const existing = await this.ctx.store.getApiKey(id);
      if (existing && existing.revokedAt !== null && existing.hash === hashKey(apiKey)) {
        // Revoked through the API (leaked, rotated): a restart with the same environment must not revive it.
        log.error({ keyId: id }, 'the key given by SKED_API_KEY was revoked and stays revoked: set SKED_API_KEY to a new key');
        return;
      }
      if (!existing || existing.hash !== hashKey(apiKey) || existing.role !== 'admin' || existing.revokedAt !== null) {
        await this.ctx.store.upsertApiKey({ id, name: 'SKED_API_KEY', role: 'admin', hash: hashKey(apiKey), createdAt: existing?.createdAt ?? now, createdBy: 'SKED_API_KEY', expiresAt: null, revokedAt: null, lastUsedAt: existing?.lastUsedAt ?? null });
        log.info({ keyId: id }, 'installed the admin key given by SKED_API_KEY');
      }
      return;
    }
    if ((await this.ctx.store.listApiKeys()).length > 0) return;
    const { key, id } = generateKey();
    await this.ctx.store.insertApiKey({ id, name: 'first admin', role: 'admin', hash: hashKey(key), createdAt: now, createdBy: 'sked', expiresAt: null, revokedAt: null, lastUsedAt: null });
    const file = join(dataDir, 'admin.key');
    try {
      if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${key}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    } catch (err) {
      log.warn({ file, err: err instanceof Error ? err.message : String(err) }, 'could not write admin.key');
    }
    // Printed once, on stderr, outside the JSON log: the only time the key is shown.
    process.stderr.write(`\nsked: created the first admin API key (shown once; also written to ${file}):\n\n  ${key}\n\n`);
    log.warn({ keyId: id, file }, 'created the first admin API key');
  }
}
