/**
 * The jobs of the kill/restart end-to-end test (test/e2e/kill-restart.test.ts) and the local HTTP
 * server their http steps call: ten jobs firing every second, cron and interval, exec, shell and http
 * steps, overlap allow/skip, every catch-up policy, with and without retries.
 */

import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

/** Fires later than this are missed (downtime), then the job's catch-up policy decides. */
export const MISFIRE_MS = 2000;
export const LOOKAHEAD_MS = 2000;
export type CatchUp = 'none' | 'latest' | 'all';
export interface Spec {
  id: string;
  kind: 'cron' | 'interval';
  overlap: 'allow' | 'skip';
  catchUp: CatchUp;
  maxAttempts: number | null;
  /** Step labels that write a mark (exec/shell) and whether an http step is called. */
  marks: string[];
  http: boolean;
  steps: (marks: string, target: string) => unknown[];
}

/** `/bin/sh -c` through exec (a program with args), writing "<job> <run> <label>" after `sleep`. */
const execStep = (index: number, label: string, seconds: number, marks: string) => ({
  stepIndex: index,
  name: label,
  type: 'exec',
  command: '/bin/sh',
  args: ['-c', `sleep ${seconds}; echo "$SKED_JOB_ID $SKED_RUN_ID $1" >> "$2"`, 'sh', label, marks],
});
const shellStep = (index: number, label: string, seconds: number, marks: string) => ({
  stepIndex: index,
  name: label,
  type: 'shell',
  script: `sleep ${seconds}\necho "$SKED_JOB_ID $SKED_RUN_ID ${label}" >> '${marks}'`,
});
const httpStep = (index: number, delayMs: number, target: string) => ({
  stepIndex: index,
  name: 'call',
  type: 'http',
  request: {
    method: 'POST',
    url: `${target}/hit?delay=${delayMs}`,
    headers: { 'content-type': 'application/json' },
    body: '{"job":"{{jobId}}","run":"{{runId}}","attempt":{{attempt}}}',
  },
});

export const SPECS: Spec[] = [
  {
    id: 'c-allow-exec',
    kind: 'cron',
    overlap: 'allow',
    catchUp: 'all',
    maxAttempts: 2,
    marks: ['work'],
    http: false,
    steps: (m) => [execStep(0, 'work', 1.2, m)],
  },
  {
    id: 'i-allow-shell',
    kind: 'interval',
    overlap: 'allow',
    catchUp: 'none',
    maxAttempts: null,
    marks: ['work'],
    http: false,
    steps: (m) => [shellStep(0, 'work', 0.8, m)],
  },
  {
    id: 'c-skip-exec',
    kind: 'cron',
    overlap: 'skip',
    catchUp: 'latest',
    maxAttempts: 3,
    marks: ['work'],
    http: false,
    steps: (m) => [execStep(0, 'work', 1.5, m)],
  },
  {
    id: 'i-skip-shell',
    kind: 'interval',
    overlap: 'skip',
    catchUp: 'all',
    maxAttempts: null,
    marks: ['work'],
    http: false,
    steps: (m) => [shellStep(0, 'work', 1.3, m)],
  },
  {
    id: 'c-allow-http',
    kind: 'cron',
    overlap: 'allow',
    catchUp: 'latest',
    maxAttempts: 2,
    marks: [],
    http: true,
    steps: (_m, t) => [httpStep(0, 1200, t)],
  },
  {
    id: 'i-skip-http',
    kind: 'interval',
    overlap: 'skip',
    catchUp: 'none',
    maxAttempts: null,
    marks: [],
    http: true,
    steps: (_m, t) => [httpStep(0, 1500, t)],
  },
  {
    id: 'c-allow-mixed',
    kind: 'cron',
    overlap: 'allow',
    catchUp: 'all',
    maxAttempts: null,
    marks: ['exec', 'shell'],
    http: true,
    steps: (m, t) => [execStep(0, 'exec', 0.4, m), httpStep(0, 400, t), shellStep(1, 'shell', 0.3, m)],
  },
  {
    id: 'i-allow-shell-http',
    kind: 'interval',
    overlap: 'allow',
    catchUp: 'latest',
    maxAttempts: 2,
    marks: ['first'],
    http: true,
    steps: (m, t) => [shellStep(0, 'first', 0.5, m), httpStep(1, 300, t)],
  },
  {
    id: 'c-skip-shell-http',
    kind: 'cron',
    overlap: 'skip',
    catchUp: 'none',
    maxAttempts: 2,
    marks: ['first'],
    http: true,
    steps: (m, t) => [shellStep(0, 'first', 0.7, m), httpStep(1, 700, t)],
  },
  {
    id: 'i-allow-quick',
    kind: 'interval',
    overlap: 'allow',
    catchUp: 'all',
    maxAttempts: null,
    marks: [],
    http: false,
    steps: () => [{ stepIndex: 0, type: 'exec', command: '/bin/echo', args: ['quick'] }],
  },
];

export function jobBody(spec: Spec, marks: string, target: string): Record<string, unknown> {
  return {
    id: spec.id,
    name: spec.id,
    schedule:
      spec.kind === 'cron'
        ? { type: 'cron', expression: '* * * * * ?' }
        : { type: 'interval', every: 'PT1S' },
    overlap: spec.overlap,
    catchUp: { policy: spec.catchUp, window: 'PT1H' },
    retry:
      spec.maxAttempts === null
        ? null
        : { maxAttempts: spec.maxAttempts, backoff: 'fixed', interval: 'PT0.5S' },
    steps: spec.steps(marks, target),
  };
}

/** The local HTTP target: one entry per request received, answered after `?delay=` ms. */
export interface Hit {
  job: string;
  run: string;
  attempt: number;
  at: number;
}

export function startTarget(log: string): Promise<{ server: Server; url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const at = Date.now();
      try {
        const parsed = JSON.parse(body) as { job: string; run: string; attempt: number };
        hits.push({ ...parsed, at });
        appendFileSync(log, `${at} ${parsed.job} ${parsed.run}\n`);
      } catch {
        hits.push({ job: '?', run: body, attempt: 0, at });
      }
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }, delay);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, hits });
    });
  });
}
