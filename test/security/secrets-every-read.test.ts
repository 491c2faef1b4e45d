/**
 * Secrets are absent from EVERY read: the route table (read from Fastify's onRoute hook, see
 * route-recorder.ts) is walked, and every GET route of every surface (native API, JIM, IDM, Puppet,
 * Azure classic and ARM, InfinniPlatform, the dashboard, metrics, docs) is called with the ids of a
 * job holding secrets, of a run of it, of its collection and of a key, as an admin (so nothing is
 * hidden for lack of rights). No answer — body or header — may hold a secret, in plain text or in the
 * encoded form a step sent on the wire (basic credentials in base64). The live streams are read too:
 * the SSE event stream and a run's followed log while its steps print their secrets. So is the
 * server's log. A new route is swept without anyone adding it here.
 *
 * The sweep proves something only if it reaches the job: the surfaces' own reads of it are required to
 * answer 200 and name it (MUST_SHOW), and many answers of the sweep must mention it.
 */

import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/domain/logger.js';
import type { TestSked } from '../support/app-harness.js';
import {
  clientFor,
  createKey,
  fillPath,
  registeredRoutes,
  routeKey,
  securitySked,
  startEchoServer,
  TEST_KEY,
  waitForRunEnd,
  type EchoServer,
} from './support.js';

vi.mock('fastify', async (importOriginal) =>
  (await import('./route-recorder.js')).recordingFastify(await importOriginal()),
);

const TOKEN = 'sweep-bearer-1f6c0a93';
const HEADER_SECRET = 'sweep-header-77d2e4';
const BASIC_USER = 'sweeper';
const BASIC_PW = 'sweep-basic-pw-3b9a51';
const ENV_SECRET = 'sweep-env-c48f02';
const SQL_PW = 'sweep-sql-pw-90ab7e';
const AUTHZ = 'Token sweep-authz-5e6d11';
const basic = Buffer.from(`${BASIC_USER}:${BASIC_PW}`).toString('base64');
const SECRETS = [TOKEN, HEADER_SECRET, BASIC_PW, ENV_SECRET, SQL_PW, 'sweep-authz-5e6d11', basic, TEST_KEY];

const SUB = 'f8b1c2d3-0000-4000-8000-000000000001';
const COLL = 'jc1';
const JOB_NAME = 'secretive';
const JOB_ID = `${COLL}.${JOB_NAME}`;

let sked: TestSked;
let echo: EchoServer;
let base = '';
let runId = '';
let keyId = '';
let logText = '';
const admin = clientFor(() => sked, TEST_KEY);

/** Every credential header a surface reads, all carrying the admin key. */
const AUTH_HEADERS = {
  authorization: `Bearer ${TEST_KEY}`,
  'x-api-key': TEST_KEY,
  'x-authentication': TEST_KEY,
  'x-openidm-password': TEST_KEY,
  'x-ms-version': '2013-03-01',
};

/** Values for a route's `*` (the compatibility surfaces route on wildcards). */
const CLASSIC = `cs/resources/scheduler/~/jobcollections/${COLL}`;
const ARM = `${SUB}/resourceGroups/rg1/providers/Microsoft.Scheduler/jobCollections/${COLL}`;
const WILDCARDS = [
  JOB_ID,
  `job/${JOB_ID}`,
  `trigger/${JOB_ID}`,
  `${CLASSIC}?api-version=2014-04-01`,
  `${CLASSIC}/jobs?api-version=2014-04-01`,
  `${CLASSIC}/jobs/${JOB_NAME}?api-version=2014-04-01`,
  `${CLASSIC}/jobs/${JOB_NAME}/history?api-version=2014-04-01`,
  `${ARM}?api-version=2016-03-01`,
  `${ARM}/jobs?api-version=2016-03-01`,
  `${ARM}/jobs/${JOB_NAME}?api-version=2016-03-01`,
  `${ARM}/jobs/${JOB_NAME}/history?api-version=2016-03-01`,
];

/** The surfaces' reads of the job and its run: each must answer 200 and name the job or the run. */
const MUST_SHOW = (): string[] => [
  `/api/v1/jobs/${JOB_ID}`,
  '/api/v1/jobs?limit=1000',
  `/api/v1/runs/${runId}`,
  `/api/v1/jobs/${JOB_ID}/runs`,
  `/api/v1/audit?targetId=${JOB_ID}`,
  `/api/v1/schedules/${JOB_ID}`,
  '/api/v1/schedules',
  `/api/v1/schedule-executions/${runId}`,
  '/api/v1/schedule-executions',
  `/openidm/scheduler/job/${JOB_ID}`,
  '/openidm/scheduler/job?_queryFilter=true',
  `/orchestrator/v1/scheduled_jobs/${JOB_ID}`,
  '/orchestrator/v1/scheduled_jobs',
  `/scheduler/jobs/${JOB_ID}`,
  `/${SUB}/cloudservices/${CLASSIC}/jobs/${JOB_NAME}?api-version=2014-04-01`,
  `/${SUB}/cloudservices/${CLASSIC}/jobs?api-version=2014-04-01`,
  `/${SUB}/cloudservices/${CLASSIC}/jobs/${JOB_NAME}/history?api-version=2014-04-01`,
  `/subscriptions/${ARM}/jobs/${JOB_NAME}?api-version=2016-03-01`,
  `/subscriptions/${ARM}/jobs?api-version=2016-03-01`,
  `/subscriptions/${ARM}/jobs/${JOB_NAME}/history?api-version=2016-03-01`,
];

function secretJob(): Record<string, unknown> {
  return {
    name: JOB_NAME,
    collection: COLL,
    schedule: { type: 'cron', expression: '0 0 1 1 *' },
    steps: [
      {
        stepIndex: 0,
        continueOnFailure: true,
        type: 'http',
        request: {
          url: `${echo.url}/bearer`,
          auth: { type: 'bearer', token: TOKEN },
          headers: { 'X-Custom': { secret: HEADER_SECRET } },
        },
      },
      {
        stepIndex: 1,
        continueOnFailure: true,
        type: 'http',
        request: { url: `${echo.url}/basic`, auth: { type: 'basic', username: BASIC_USER, password: BASIC_PW } },
      },
      {
        stepIndex: 2,
        continueOnFailure: true,
        type: 'http',
        request: { url: `${echo.url}/authz`, headers: { Authorization: AUTHZ } },
      },
      {
        stepIndex: 3,
        continueOnFailure: true,
        type: 'shell',
        // Prints its secret, then lingers so that the followed log sees it live.
        script: 'echo "A=$A"; echo "err $A" >&2; sleep 1; echo "again $A"',
        env: { A: { secret: ENV_SECRET } },
      },
      {
        stepIndex: 4,
        continueOnFailure: true,
        type: 'sql',
        connection: `postgres://sked:${SQL_PW}@127.0.0.1:1/db`,
        sql: 'select 1',
        timeout: 'PT5S',
      },
    ],
  };
}

/** A GET over a real socket, read until it ends or `stop` says enough (for streams). */
function readStream(path: string, stop: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = httpRequest(`${base}${path}`, { headers: { authorization: `Bearer ${TEST_KEY}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        if (stop(text)) finish();
      });
      res.on('end', finish);
    });
    const timer = setTimeout(finish, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      req.destroy();
      resolve(text);
    }
    req.on('error', (err) => (text ? resolve(text) : reject(err)));
    req.end();
  });
}

const leaks = (text: string): string[] => SECRETS.filter((s) => text.includes(s));

let streamed = { events: '', follow: '' };

beforeAll(async () => {
  echo = await startEchoServer();
  const logger = pino({ level: 'trace' }, { write: (line: string) => void (logText += line) }) as unknown as Logger;
  sked = await securitySked({ concurrency: 4 }, { logger });
  await sked.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(sked.app.server.address() as AddressInfo).port}`;
  expect((await admin.put(`/api/v1/collections/${COLL}`, { description: 'swept' })).statusCode).toBe(201);
  const created = await admin.put(`/api/v1/jobs/${JOB_ID}`, secretJob());
  expect(created.statusCode, created.body).toBe(201);
  keyId = (await createKey(admin, 'viewer')).id;

  // The event stream from before the run, and the run's log followed while it runs.
  const events = readStream('/api/v1/events', (t) => /event: run\.finished/.test(t));
  const triggered = await admin.post(`/api/v1/jobs/${JOB_ID}/trigger`, {});
  expect(triggered.statusCode, triggered.body).toBe(202);
  runId = triggered.json().runId;
  const follow = readStream(`/api/v1/runs/${runId}/log?follow=true`, () => false);
  const run = await waitForRunEnd(admin, runId);
  expect(run.steps.map((s: { status: string }) => s.status).slice(0, 4)).toEqual([
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
  ]);
  streamed = { events: await events, follow: await follow };
  // The secrets did reach their targets (so the steps really had something to leak).
  const auth = Object.fromEntries(echo.requests.map((r) => [r.url, r.headers.authorization]));
  expect(auth['/bearer']).toBe(`Bearer ${TOKEN}`);
  expect(auth['/basic']).toBe(`Basic ${basic}`);
}, 60_000);

afterAll(async () => {
  await sked?.close();
  await echo?.close();
});

describe('secrets, on every read of every surface', () => {
  it('the streams: SSE events and a followed run log show *** where the steps printed secrets', () => {
    expect(streamed.follow).toContain('A=***');
    expect(leaks(streamed.follow), streamed.follow.slice(0, 2000)).toEqual([]);
    expect(streamed.events).toMatch(/event: run\.finished/);
    expect(leaks(streamed.events), streamed.events.slice(0, 2000)).toEqual([]);
  });

  it('every GET route, with every id that fits it, answers without a secret', async () => {
    const routes = registeredRoutes(sked.app).filter((r) => r.method === 'GET');
    const STREAMS = new Set(['GET /api/v1/events']);
    const found: string[] = [];
    let calls = 0;
    let showing = 0;
    const covered = new Set<string>();
    for (const route of routes) {
      if (STREAMS.has(routeKey(route))) continue;
      const ids = [JOB_ID, runId, keyId, COLL];
      const urls = new Set<string>();
      for (const id of route.url.includes(':id') ? ids : [JOB_ID])
        for (const star of route.url.includes('*') ? WILDCARDS : ['x'])
          urls.add(fillPath(route.url, { id, name: COLL, subscriptionId: SUB, '*': star }));
      for (const url of urls) {
        const res = await sked.app.inject({ method: 'GET', url, headers: AUTH_HEADERS, remoteAddress: '127.0.0.1' });
        calls++;
        expect(res.statusCode, `${url} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
        const text = `${JSON.stringify(res.headers)}\n${res.body}`;
        for (const s of leaks(text)) found.push(`${routeKey(route)} ${url}: '${s}' in ${text.slice(Math.max(0, text.indexOf(s) - 150), text.indexOf(s) + 50)}`);
        if (res.statusCode === 200 && (res.body.includes(JOB_NAME) || res.body.includes(runId))) {
          showing++;
          covered.add(routeKey(route));
        }
      }
    }
    expect(found).toEqual([]);
    // Not vacuous: the sweep reached the job and its run through many routes of many surfaces.
    expect(calls).toBeGreaterThan(150);
    expect(showing, [...covered].join('\n')).toBeGreaterThan(25);
    for (const prefix of ['/api/v1/jobs', '/api/v1/runs', '/api/v1/schedules', '/openidm/', '/orchestrator/', '/scheduler/', '/:subscriptionId/', '/subscriptions/'])
      expect([...covered].some((k) => k.split(' ')[1]?.startsWith(prefix)), `no read under ${prefix} showed the job`).toBe(true);
  });

  it("each surface's own read of the job and its run shows them, without a secret", async () => {
    const bad: string[] = [];
    for (const url of MUST_SHOW()) {
      const res = await sked.app.inject({ method: 'GET', url, headers: AUTH_HEADERS, remoteAddress: '127.0.0.1' });
      if (res.statusCode !== 200 || !(res.body.includes(JOB_NAME) || res.body.includes(runId)))
        bad.push(`${url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      for (const s of leaks(res.body)) bad.push(`${url}: holds '${s}'`);
    }
    // The run's log (text) names neither: it shows the steps' output, scrubbed.
    const log = await admin.get(`/api/v1/runs/${runId}/log`);
    expect(log.statusCode).toBe(200);
    expect(log.body).toContain('A=***');
    for (const s of leaks(log.body)) bad.push(`the run log holds '${s}'`);
    expect(bad).toEqual([]);
  });

  it("the server's log holds none of them", () => {
    expect(logText.length).toBeGreaterThan(0);
    expect(leaks(logText)).toEqual([]);
  });
});
