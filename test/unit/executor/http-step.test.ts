/** http steps against a real local HTTP server. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpStep, Step, StepResult } from '../../../src/domain/types.js';
import { Executor, type ExecutorOptions } from '../../../src/executor/index.js';
import { makeRequest, waitFor } from './support.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  remotePort: number | undefined;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
/** Requests to /hang that were aborted by the client. */
let hangAborted = 0;
let hangStarted = 0;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', base);
  seen.push({
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    body,
    remotePort: req.socket.remotePort,
  });
  const status = /^\/status\/(\d+)$/.exec(url.pathname);
  if (status) {
    res.writeHead(Number(status[1]), { 'content-type': 'text/plain' }).end(`status ${status[1]}`);
  } else if (url.pathname === '/echo') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, body, headers: req.headers }));
  } else if (url.pathname === '/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write('BEGIN');
    res.write(Buffer.alloc(2_000_000, 'b'));
    res.end('END');
  } else if (url.pathname === '/binary') {
    res.writeHead(200).end(Buffer.from([0x41, 0xff, 0xfe, 0x00, 0x42]));
  } else if (url.pathname === '/hang') {
    hangStarted++;
    res.on('close', () => {
      if (!res.writableEnded) hangAborted++;
    });
    // Never answers.
  } else {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let executor: Executor;
afterEach(async () => {
  await executor.close();
  seen.length = 0;
});

function newExecutor(options: ExecutorOptions = {}): Executor {
  executor = new Executor({ killGraceMs: 300, ...options });
  return executor;
}

function http(request: HttpStep['request'], extra: Partial<HttpStep> = {}): Step {
  return { stepIndex: 0, type: 'http', request, ...extra };
}

async function runOne(
  step: Step,
  fields: Partial<Parameters<typeof makeRequest>[0]> = {},
): Promise<StepResult> {
  const result = await executor.execute(makeRequest({ steps: [step], ...fields }));
  return result.steps[0]!;
}

describe('http steps', () => {
  it('a 2xx succeeds, records the status and keeps the body as output', async () => {
    newExecutor();
    const step = await runOne(http({ url: `${base}/ok` }, { name: 'ping' }));
    expect(step).toMatchObject({
      status: 'succeeded',
      httpStatus: 200,
      output: 'hello',
      error: null,
      exitCode: null,
    });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/ok' });
    expect(seen[0]?.headers['user-agent']).toBe('sked');
  });

  it('a non-2xx fails with the status, naming the step', async () => {
    newExecutor();
    const step = await runOne(http({ url: `${base}/status/503` }, { name: 'ping' }));
    expect(step).toMatchObject({ status: 'failed', httpStatus: 503, output: 'status 503' });
    expect(step.error).toBe("step 0 'ping' (http): HTTP status 503, expected 2xx");
    const redirect = await runOne(http({ url: `${base}/status/302` }));
    expect(redirect).toMatchObject({ status: 'failed', httpStatus: 302 });
  });

  it('expectStatus replaces the 2xx rule', async () => {
    newExecutor();
    expect(await runOne(http({ url: `${base}/status/404` }, { expectStatus: [404, 410] }))).toMatchObject({
      status: 'succeeded',
      httpStatus: 404,
    });
    const step = await runOne(http({ url: `${base}/status/200` }, { expectStatus: [201, 204] }));
    expect(step).toMatchObject({ status: 'failed', httpStatus: 200 });
    expect(step.error).toBe('step 0 (http): HTTP status 200, expected 201 or 204');
  });

  it('defaults to POST with a body, and templates url, header values and body', async () => {
    newExecutor();
    const step = await runOne(
      http({
        url: `${base}/echo?user={{payload.user.name}}&run={{runId}}`,
        headers: { 'X-Job': '{{jobId}}/{{attempt}}', 'X-When': '{{scheduledFor}}', 'X-Keep': '{{nope}}' },
        body: '{"all":{{payload}},"id":{{payload.user.id}},"tags":{{payload.tags}},"missing":"{{payload.x}}"}',
      }),
      {
        runId: 'r9',
        jobId: 'j9',
        attempt: 2,
        scheduledFor: Date.UTC(2026, 10, 22, 6, 0, 0),
        payload: { user: { name: 'ann', id: 7 }, tags: ['a'] },
      },
    );
    expect(step.status).toBe('succeeded');
    const echoed = JSON.parse(step.output) as {
      method: string;
      url: string;
      body: string;
      headers: Record<string, string>;
    };
    expect(echoed.method).toBe('POST');
    expect(echoed.url).toBe('/echo?user=ann&run=r9');
    expect(echoed.headers['x-job']).toBe('j9/2');
    expect(echoed.headers['x-when']).toBe('2026-11-22T06:00:00.000Z');
    expect(echoed.headers['x-keep']).toBe('{{nope}}');
    expect(echoed.headers['content-type']).toBe('application/json');
    expect(JSON.parse(echoed.body)).toEqual({
      all: { user: { name: 'ann', id: 7 }, tags: ['a'] },
      id: 7,
      tags: ['a'],
      missing: '',
    });
  });

  it('sends the method, headers and a plain-text body as given', async () => {
    newExecutor();
    const step = await runOne(
      http({ method: 'put', url: `${base}/echo`, headers: { 'Content-Type': 'text/csv' }, body: 'a,b\n1,2' }),
    );
    const echoed = JSON.parse(step.output) as {
      method: string;
      body: string;
      headers: Record<string, string>;
    };
    expect(echoed).toMatchObject({ method: 'PUT', body: 'a,b\n1,2' });
    expect(echoed.headers['content-type']).toBe('text/csv');
  });

  it('sets Authorization for basic and bearer auth', async () => {
    newExecutor();
    await runOne(http({ url: `${base}/echo`, auth: { type: 'basic', username: 'ann', password: 'pä:ss' } }));
    await runOne(
      http({
        url: `${base}/echo`,
        headers: { authorization: 'overridden' },
        auth: { type: 'bearer', token: 't0k' },
      }),
    );
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('ann:pä:ss').toString('base64')}`);
    expect(seen[1]?.headers.authorization).toBe('Bearer t0k');
  });

  it('a step timeout aborts a request the server never answers (timedOut)', async () => {
    newExecutor();
    const before = hangAborted;
    const step = await runOne(http({ url: `${base}/hang` }, { name: 'wait', timeout: 'PT0.5S' }));
    expect(step).toMatchObject({ status: 'timedOut', httpStatus: null });
    expect(step.error).toBe("step 0 'wait' (http): timed out after PT0.5S");
    await waitFor(() => hangAborted > before);
  });

  it('http steps without a timeout get the executor default', async () => {
    newExecutor({ httpTimeoutMs: 400 });
    const step = await runOne(http({ url: `${base}/hang` }));
    expect(step).toMatchObject({ status: 'timedOut', error: 'step 0 (http): timed out after PT0.4S' });
  });

  it('cancellation aborts a request in flight', async () => {
    newExecutor();
    const controller = new AbortController();
    const started = hangStarted;
    const running = executor.execute(
      makeRequest({ signal: controller.signal, steps: [http({ url: `${base}/hang` })] }),
    );
    await waitFor(() => hangStarted > started);
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(result.steps[0]?.status).toBe('cancelled');
  });

  it('bounds the kept response body, and shows binary bodies lossily', async () => {
    newExecutor({ maxOutputBytes: 1000 });
    const step = await runOne(http({ url: `${base}/big` }));
    expect(step.status).toBe('succeeded');
    expect(step.output.startsWith('BEGINbbb')).toBe(true);
    expect(step.output.endsWith('bbbEND')).toBe(true);
    expect(step.output).toContain(`[${2_000_008 - 1000} bytes omitted]`);
    const binary = await runOne(http({ url: `${base}/binary` }));
    expect(binary.output).toBe('A\uFFFD\uFFFD\u0000B');
  });

  it('reuses connections across steps (one pool per executor)', async () => {
    newExecutor();
    const steps = [0, 1, 2, 3, 4].map((stepIndex) => ({ ...http({ url: `${base}/ok` }), stepIndex }));
    const result = await executor.execute(makeRequest({ steps }));
    expect(result.status).toBe('succeeded');
    expect(seen).toHaveLength(5);
    // undici may open a second connection while the first is being released; it must not open one each.
    expect(new Set(seen.map((s) => s.remotePort)).size).toBeLessThan(5);
  });

  it('checkUrl can refuse a URL before anything is sent', async () => {
    const checked: string[] = [];
    newExecutor({
      checkUrl: (url) => {
        checked.push(url.href);
        if (url.pathname.startsWith('/admin')) throw new Error('private path');
      },
    });
    const step = await runOne(http({ url: `${base}/admin?x={{runId}}` }));
    expect(step).toMatchObject({ status: 'failed', httpStatus: null });
    expect(step.error).toBe('step 0 (http): URL refused: private path');
    expect(checked).toEqual([`${base}/admin?x=run-1`]);
    expect(seen).toHaveLength(0);
  });

  it('reports invalid URLs, unsupported schemes and connection errors clearly', async () => {
    newExecutor();
    expect((await runOne(http({ url: 'not a url' }))).error).toBe("step 0 (http): invalid URL 'not a url'");
    expect((await runOne(http({ url: 'file:///etc/passwd' }))).error).toBe(
      "step 0 (http): unsupported URL scheme 'file:' (only http and https)",
    );
    // A port nothing listens on: bind one, then close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const refused = await runOne(http({ url: `http://127.0.0.1:${port}/` }));
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatch(/^step 0 \(http\): request failed: .*ECONNREFUSED/);
  });
});
