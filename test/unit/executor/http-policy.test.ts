import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../../src/executor/index.js';
import { createHttpPolicy, embeddedIpv4 } from '../../../src/executor/http-policy.js';

const refused = (policy: ReturnType<typeof createHttpPolicy>, url: string): string | null => {
  try {
    policy.checkUrl(new URL(url));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('http host policy', () => {
  it('by default refuses link-local and cloud metadata addresses and allows the rest, loopback included', () => {
    const p = createHttpPolicy();
    expect(refused(p, 'http://169.254.169.254/latest/meta-data/')).toMatch(/denied/);
    expect(refused(p, 'http://[fe80::1]/')).toMatch(/denied/);
    expect(refused(p, 'http://[fd00:ec2::254]/')).toMatch(/denied/);
    expect(refused(p, 'http://127.0.0.1:8080/')).toBeNull();
    expect(refused(p, 'https://example.com/')).toBeNull();
    expect(refused(p, 'http://10.1.2.3/')).toBeNull();
  });

  it('keeps the built-in denials when SKED_HTTP_DENY adds its own', () => {
    const p = createHttpPolicy({ deny: ['10.0.0.0/8'] });
    expect(refused(p, 'http://10.1.2.3/')).toMatch(/denied/);
    expect(refused(p, 'http://169.254.169.254/')).toMatch(/denied/);
  });

  it('refuses a denied IPv4 address spelt as IPv6 (mapped, compatible, NAT64)', () => {
    const p = createHttpPolicy();
    for (const url of ['http://[::ffff:169.254.169.254]/', 'http://[::169.254.169.254]/', 'http://[64:ff9b::169.254.169.254]/', 'http://[::ffff:a9fe:a9fe]/']) {
      expect(refused(p, url), url).toMatch(/denied/);
    }
    expect(embeddedIpv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('2001:db8::1')).toBeNull();
    expect(refused(p, 'http://[2001:db8::a9fe:a9fe]/')).toBeNull();
  });

  it('an allow list admits only its names and blocks', () => {
    const p = createHttpPolicy({ allow: ['*.example.com', 'api.test', '10.0.0.0/8'] });
    expect(refused(p, 'https://hooks.example.com/x')).toBeNull();
    expect(refused(p, 'https://api.test/x')).toBeNull();
    expect(refused(p, 'http://10.9.9.9/')).toBeNull();
    expect(refused(p, 'http://11.0.0.1/')).toMatch(/SKED_HTTP_ALLOW/);
    // a name outside the name rules may still pass if it resolves into an allowed block (checked on connect)
    expect(refused(p, 'https://other.test/')).toBeNull();
    expect(refused(createHttpPolicy({ allow: ['api.test'] }), 'https://other.test/')).toMatch(/SKED_HTTP_ALLOW/);
  });

  it('deny wins over allow, and names can be denied', () => {
    const p = createHttpPolicy({ allow: ['10.0.0.0/8'], deny: ['10.0.0.5', 'evil.test'] });
    expect(refused(p, 'http://10.0.0.5/')).toMatch(/denied/);
    expect(refused(p, 'http://evil.test/')).toMatch(/denied/);
  });

  it('refuses bad entries with the setting named', () => {
    expect(() => createHttpPolicy({ deny: ['10.0.0.0/99'] })).toThrow(/SKED_HTTP_DENY/);
    expect(() => createHttpPolicy({ allow: ['no spaces allowed'] })).toThrow(/SKED_HTTP_ALLOW/);
  });

  it('checks the addresses a name resolves to when connecting', async () => {
    const p = createHttpPolicy({ deny: ['127.0.0.0/8', '::1/128'] });
    const err = await new Promise<Error | null>((resolve) => p.lookup('localhost', {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/localhost \((127\.0\.0\.1|::1)\).*denied/);
  });
});

describe('http steps under the policy', () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function run(policy: ReturnType<typeof createHttpPolicy>, url: string) {
    const executor = new Executor({ checkUrl: policy.checkUrl, lookup: policy.lookup });
    try {
      return await executor.execute({ runId: 'r', jobId: 'j', attempt: 1, scheduledFor: null, payload: null, steps: [{ stepIndex: 0, type: 'http', request: { url } }], onFailure: [], timeoutMs: 10_000 });
    } finally {
      await executor.close();
    }
  }

  it('a step to the metadata address fails without connecting', async () => {
    const result = await run(createHttpPolicy(), 'http://169.254.169.254/latest/meta-data/');
    expect(result.status).toBe('failed');
    expect(result.steps[0]?.error).toMatch(/169\.254\.169\.254.*denied/);
  });

  it('a name resolving to a denied address is refused at connect time; the server sees nothing', async () => {
    const before = hits;
    const result = await run(createHttpPolicy({ deny: ['127.0.0.0/8', '::1/128'] }), `http://localhost:${port}/`);
    expect(result.status).toBe('failed');
    expect(result.steps[0]?.error).toMatch(/denied/);
    expect(hits).toBe(before);
  });

  it('allowed targets are reached', async () => {
    const result = await run(createHttpPolicy(), `http://localhost:${port}/`);
    expect(result.status).toBe('succeeded');
  });
});
