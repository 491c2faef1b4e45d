/** `sked runs ls|get|logs|cancel` */

import type { Command } from 'commander';
import type { ApiClient, ClientOptions } from './client.js';
import { printJson, relative, table } from './output.js';

interface RunJson {
  id: string;
  jobId: string;
  trigger: string;
  status: string;
  scheduledFor: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempt: number;
  error: string | null;
}

const enc = encodeURIComponent;

function duration(run: RunJson): string {
  if (!run.startedAt) return '-';
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  return `${((end - Date.parse(run.startedAt)) / 1000).toFixed(1)}s`;
}

export function runsCommand(program: Command, client: () => ApiClient, globals: () => ClientOptions & { json?: boolean }): void {
  const runs = program.command('runs').description('run history, output and cancellation');

  runs
    .command('ls')
    .description('list runs, newest first')
    .option('--job <id>', 'only this job')
    .option('--status <list>', 'comma-separated statuses (running = executing now)')
    .option('--limit <n>', 'page size', '50')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (o: { job?: string; status?: string; limit: string; offset: string }) => {
      const params = new URLSearchParams({ limit: o.limit, offset: o.offset });
      if (o.job) params.set('jobId', o.job);
      if (o.status) params.set('status', o.status);
      const page = await client().get<{ items: RunJson[] }>(`/api/v1/runs?${params.toString()}`);
      if (globals().json) return printJson(page);
      process.stdout.write(table(['ID', 'JOB', 'TRIGGER', 'STATUS', 'QUEUED', 'DURATION', 'ATTEMPT'], page.items.map((r) => [r.id, r.jobId, r.trigger, r.status, relative(r.queuedAt), duration(r), r.attempt])));
    });

  runs.command('get <id>').description('show one run with its steps (JSON)').action(async (id: string) => printJson(await client().get(`/api/v1/runs/${enc(id)}`)));

  runs
    .command('logs <id>')
    .description("print a run's output")
    .option('-f, --follow', 'keep printing until the run finishes')
    .action(async (id: string, o: { follow?: boolean }) => {
      const api = client();
      if (o.follow) {
        await api.stream(`/api/v1/runs/${enc(id)}/log?follow=true`, (text) => process.stdout.write(text));
        return;
      }
      const text = (await api.request<string>('GET', `/api/v1/runs/${enc(id)}/log`, undefined, { accept: 'text/plain' })).body;
      process.stdout.write(text);
    });

  runs
    .command('cancel <id>')
    .description('cancel a queued or running run')
    .action(async (id: string) => {
      const run = await client().post<RunJson>(`/api/v1/runs/${enc(id)}/cancel`);
      if (globals().json) printJson(run);
      else process.stdout.write(`cancelled ${run.id} (${run.status})\n`);
    });
}
