/** A complete sked (real SQLite file, real executor, real engine) for inject() tests; nothing listens. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type SkedConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/domain/logger.js';
import { buildSked, type ServerOptions, type Sked } from '../../src/server.js';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

export interface TestSked extends Sked {
  dir: string;
  config: Readonly<SkedConfig>;
}

/** The admin key of test servers; requests through `app.inject` carry it unless they name a key. */
export const TEST_KEY = 'sked_7e57ab1e_TestKeyForTheSuiteOnlyNotARealKey1';

/**
 * `flags` are `sked server` flags, e.g. { 'poll-interval': 'PT0.1S' }. Without an `api-key` flag the
 * server's admin key is TEST_KEY and `app.inject` adds it to requests that carry no key of their own;
 * with one, requests are sent exactly as given.
 */
export async function testSked(flags: Record<string, unknown> = {}, options: ServerOptions = {}): Promise<TestSked> {
  const dir = mkdtempSync(join(tmpdir(), 'sked-test-'));
  const explicitKey = flags['api-key'] !== undefined;
  const config = resolveConfig({ store: `sqlite:${join(dir, 'sked.db')}`, port: 0, 'node-id': 'test-node', 'poll-interval': 'PT0.1S', 'api-key': TEST_KEY, 'rate-limit': 100_000, ...flags }, {});
  const sked = await buildSked(config, { logger: silentLogger, ...options });
  if (!explicitKey) {
    const inject = sked.app.inject.bind(sked.app) as (opts: InjectOptions) => Promise<LightMyRequestResponse>;
    const withKey = (opts: InjectOptions | string): Promise<LightMyRequestResponse> => {
      const o: InjectOptions = typeof opts === 'string' ? { url: opts } : opts;
      const headers = (o.headers ?? {}) as Record<string, unknown>;
      const named = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization' || h.toLowerCase() === 'x-api-key');
      return inject(named ? o : { ...o, headers: { ...headers, authorization: `Bearer ${TEST_KEY}` } } as InjectOptions);
    };
    (sked.app as unknown as { inject: typeof withKey }).inject = withKey;
  }
  await sked.start();
  const close = sked.close;
  return {
    ...sked,
    dir,
    config,
    close: async () => {
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
