/** A complete sked (real SQLite file, real executor, real engine) for inject() tests; nothing listens. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type SkedConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/domain/logger.js';
import { buildSked, type ServerOptions, type Sked } from '../../src/server.js';

export interface TestSked extends Sked {
  dir: string;
  config: Readonly<SkedConfig>;
}

/** `flags` are `sked server` flags, e.g. { 'api-key': 'k', 'poll-interval': 'PT0.1S' }. */
export async function testSked(flags: Record<string, unknown> = {}, options: ServerOptions = {}): Promise<TestSked> {
  const dir = mkdtempSync(join(tmpdir(), 'sked-test-'));
  const config = resolveConfig({ store: `sqlite:${join(dir, 'sked.db')}`, port: 0, 'node-id': 'test-node', 'poll-interval': 'PT0.1S', ...flags }, {});
  const sked = await buildSked(config, { logger: silentLogger, ...options });
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
