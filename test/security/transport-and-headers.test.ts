/**
 * Transport and response headers, from the settings' environment variables and the route table:
 *
 * - SKED_TLS_CERT and SKED_TLS_KEY (the variables, not only the flags policies.test.ts uses) serve
 *   HTTPS with that certificate; one without the other is refused at start-up.
 * - SKED_LOCAL_ONLY_PATHS and SKED_RATE_LIMIT, from the environment, take effect.
 * - Security headers on every route the app serves outside /api (read from Fastify's onRoute hook, so a
 *   new dashboard page is covered without anyone adding it): nosniff, no referrer, no framing; the
 *   dashboard's pages and assets also a strict Content-Security-Policy. Error answers too.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/domain/logger.js';
import { buildSked, type Sked } from '../../src/server.js';
import type { TestSked } from '../support/app-harness.js';
import { expectProblem, fillPath, registeredRoutes, routeKey, securitySked, TEST_KEY } from './support.js';

vi.mock('fastify', async (importOriginal) =>
  (await import('./route-recorder.js')).recordingFastify(await importOriginal()),
);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sked-transport-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A sked built from environment variables only (plus a store in the temp folder). */
async function fromEnv(name: string, env: Record<string, string>): Promise<Sked> {
  const config = resolveConfig(
    {},
    {
      SKED_STORE: `sqlite:${join(dir, `${name}.db`)}`,
      SKED_NODE_ID: name,
      SKED_API_KEY: TEST_KEY,
      SKED_SHUTDOWN_GRACE: 'PT0S',
      ...env,
    },
  );
  return buildSked(config, { logger: silentLogger });
}

describe('SKED_TLS_CERT and SKED_TLS_KEY', () => {
  let sked: Sked | null = null;
  afterAll(async () => {
    await sked?.close();
  });

  it('serve HTTPS with the given certificate, and the API works over it', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=sked-env-test', '-days', '1', '-keyout', key, '-out', cert],
      { stdio: 'ignore' },
    );
    sked = await fromEnv('tls', { SKED_TLS_CERT: cert, SKED_TLS_KEY: key });
    await sked.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (sked.app.server.address() as AddressInfo).port;
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; cn: string; protocol: string }>((resolve, reject) => {
        const req = httpsRequest(`https://127.0.0.1:${port}${path}`, { headers, rejectUnauthorized: false }, (res) => {
          const socket = res.socket as TLSSocket;
          const out = { status: res.statusCode ?? 0, cn: String(socket.getPeerCertificate().subject?.CN ?? ''), protocol: String(socket.getProtocol()) };
          res.resume();
          res.on('end', () => resolve(out));
        });
        req.on('error', reject);
        req.end();
      });
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(health.cn).toBe('sked-env-test');
    expect(health.protocol).toMatch(/^TLSv1\.[23]$/);
    expect((await get('/api/v1/jobs')).status).toBe(401);
    expect((await get('/api/v1/jobs', { authorization: `Bearer ${TEST_KEY}` })).status).toBe(200);
    // Plain HTTP on that port is not served.
    const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });

  it('one without the other is refused at start-up, naming what is missing', () => {
    for (const env of [{ SKED_TLS_CERT: '/x/cert.pem' }, { SKED_TLS_KEY: '/x/key.pem' }]) {
      expect(() => resolveConfig({}, { SKED_STORE: `sqlite:${join(dir, 'x.db')}`, ...env })).toThrow(/TLS needs both/);
    }
  });
});

describe('SKED_LOCAL_ONLY_PATHS and SKED_RATE_LIMIT from the environment', () => {
  let sked: Sked | null = null;
  beforeAll(async () => {
    sked = await fromEnv('env-guards', { SKED_LOCAL_ONLY_PATHS: '/metrics', SKED_RATE_LIMIT: '1' });
  });
  afterAll(async () => {
    await sked?.close();
  });

  it('guard the paths named, and limit each key', async () => {
    const at = (url: string, remoteAddress: string) => sked!.app.inject({ method: 'GET', url, remoteAddress });
    expectProblem(await at('/metrics', '192.0.2.1'), 403, 'FORBIDDEN', '/metrics from afar');
    expect((await at('/metrics', '127.0.0.1')).statusCode).toBe(200);
    // The default (/scheduler) is replaced; the InfinniPlatform surface still refuses remote callers
    // itself (its local callers act as admin, so it must never be opened by a setting).
    expect((await at('/scheduler/jobs', '192.0.2.1')).statusCode).toBe(403);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        sked!.app.inject({ method: 'GET', url: '/api/v1/scheduler', headers: { authorization: `Bearer ${TEST_KEY}` } }),
      ),
    );
    const limited = answers.find((r) => r.statusCode === 429);
    expect(limited, answers.map((r) => r.statusCode).join(',')).toBeDefined();
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('security headers on every route outside /api', () => {
  let sked: TestSked;
  beforeAll(async () => {
    sked = await securitySked();
  });
  afterAll(async () => {
    await sked?.close();
  });

  /** The dashboard's routes (dashboard-routes.ts): index.html for its pages, hashed assets. */
  const DASHBOARD = /^\/($|jobs($|\/)|runs\/|cluster$|assets\/)/;

  it('every answer carries nosniff, no referrer and no framing; the dashboard a strict CSP', async () => {
    const bad: string[] = [];
    let dashboardRoutes = 0;
    for (const route of registeredRoutes(sked.app)) {
      if (route.url.startsWith('/api/') || route.url.startsWith('/docs')) continue;
      if (route.method !== 'GET' && route.method !== 'HEAD') continue;
      const isDashboard = DASHBOARD.test(route.url);
      if (isDashboard) dashboardRoutes++;
      // A page, an asset that exists, one that does not, and a hostile name.
      const stars = route.url.endsWith('/assets/*') ? ['index.js', 'no-such-asset.js', '..%2f..%2fpackage.json'] : ['x', 'a/b'];
      for (const star of stars) {
        const url = fillPath(route.url, { id: 'x', subscriptionId: 'sub', '*': star });
        for (const auth of [true, false]) {
          const res = await sked.app.inject({
            method: route.method,
            url,
            remoteAddress: '127.0.0.1',
            headers: auth ? { authorization: `Bearer ${TEST_KEY}`, 'x-authentication': TEST_KEY } : {},
          });
          const h = res.headers;
          const what = `${routeKey(route)} ${url} (${auth ? 'key' : 'no key'}) → ${res.statusCode}`;
          if (h['x-content-type-options'] !== 'nosniff') bad.push(`${what}: X-Content-Type-Options ${String(h['x-content-type-options'])}`);
          if (h['referrer-policy'] !== 'no-referrer') bad.push(`${what}: Referrer-Policy ${String(h['referrer-policy'])}`);
          if (h['x-frame-options'] !== 'DENY') bad.push(`${what}: X-Frame-Options ${String(h['x-frame-options'])}`);
          if (isDashboard) {
            const csp = String(h['content-security-policy'] ?? '');
            for (const directive of ["default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"])
              if (!csp.includes(directive)) bad.push(`${what}: CSP without ${directive}: '${csp}'`);
            if (/unsafe-eval|script-src[^;]*unsafe-inline/.test(csp)) bad.push(`${what}: CSP allows script injection: '${csp}'`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect(dashboardRoutes, 'the dashboard routes are registered').toBeGreaterThanOrEqual(8);
  });

  it('a dashboard page is served with them (the page itself, not only errors)', async () => {
    const page = await sked.app.inject({ method: 'GET', url: '/jobs/some-job' });
    // 200 with the built app, 503 when web/dist is not built: the headers are the same.
    expect([200, 503]).toContain(page.statusCode);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('API answers, streams included, carry nosniff and no referrer', async () => {
    for (const url of ['/api/v1/jobs', '/api/v1/nope']) {
      const res = await sked.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TEST_KEY}` } });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
    }
    const head = await sked.app.inject({ method: 'HEAD', url: '/api/v1/events', headers: { authorization: `Bearer ${TEST_KEY}` } });
    expect(head.headers['x-content-type-options']).toBe('nosniff');
  });
});
