/** `sked jobs ls|get|apply|rm|pause|resume|trigger` */

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT, type ApiClient, type ClientOptions } from './client.js';
import { printJson, relative, scheduleText, table } from './output.js';

interface JobJson {
  id: string;
  name: string;
  state: string;
  schedule: Record<string, unknown>;
  status: { nextFireTime: string | null; lastRun: { id: string; status: string } | null; runCount: number };
  version: number;
}

const enc = encodeURIComponent;

export function jobsCommand(program: Command, client: () => ApiClient, globals: () => ClientOptions & { json?: boolean }): void {
  const jobs = program.command('jobs').description('list, inspect, apply and operate jobs');

  jobs
    .command('ls')
    .description('list jobs')
    .option('--state <state>', 'enabled, paused, completed or faulted')
    .option('--collection <name>', 'only this collection')
    .option('--label <key:value...>', 'label filters (repeatable)')
    .option('-q, --query <text>', 'name contains')
    .option('--filter <crest>', 'CREST filter, e.g. \'schedule/type eq "cron"\'')
    .option('--limit <n>', 'page size (max 1000)', '50')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (o: { state?: string; collection?: string; label?: string[]; query?: string; filter?: string; limit: string; offset: string }) => {
      const params = new URLSearchParams({ limit: o.limit, offset: o.offset });
      if (o.state) params.set('state', o.state);
      if (o.collection) params.set('collection', o.collection);
      if (o.query) params.set('q', o.query);
      if (o.filter) params.set('filter', o.filter);
      for (const l of o.label ?? []) params.append('label', l);
      const page = await client().get<{ items: JobJson[]; pagination: { total: number } }>(`/api/v1/jobs?${params.toString()}`);
      if (globals().json) return printJson(page);
      process.stdout.write(
        table(
          ['ID', 'NAME', 'STATE', 'SCHEDULE', 'NEXT FIRE', 'LAST RUN', 'RUNS'],
          page.items.map((j) => [j.id, j.name, j.state, scheduleText(j.schedule), relative(j.status.nextFireTime), j.status.lastRun?.status, j.status.runCount]),
        ),
      );
      if (page.pagination.total > page.items.length) process.stdout.write(`(${page.items.length} of ${page.pagination.total}; use --limit/--offset)\n`);
    });

  jobs.command('get <id>').description('show one job (JSON)').action(async (id: string) => printJson(await client().get(`/api/v1/jobs/${enc(id)}`)));

  jobs
    .command('apply')
    .description('create or replace jobs from a JSON file (one job or an array; a job with an id is PUT, without one POSTed)')
    .requiredOption('-f, --file <file>', 'JSON file, or - for stdin')
    .action(async (o: { file: string }) => {
      let docs: unknown;
      try {
        docs = JSON.parse(readFileSync(o.file === '-' ? 0 : o.file, 'utf8'));
      } catch (err) {
        throw new CliError(`cannot read ${o.file}: ${err instanceof Error ? err.message : String(err)}`, EXIT.usage);
      }
      const results: unknown[] = [];
      for (const doc of Array.isArray(docs) ? docs : [docs]) {
        const job = doc as { id?: string };
        const api = client();
        const res = job.id
          ? await api.request<JobJson>('PUT', `/api/v1/jobs/${enc(job.id)}`, job)
          : await api.request<JobJson>('POST', '/api/v1/jobs', job);
        results.push(res.body);
        if (!globals().json) process.stdout.write(`${res.status === 201 ? 'created' : 'replaced'} ${res.body.id} (version ${res.body.version})\n`);
      }
      if (globals().json) printJson(results.length === 1 ? results[0] : results);
    });

  jobs
    .command('rm <id>')
    .description('delete a job with its history')
    .action(async (id: string) => {
      await client().request('DELETE', `/api/v1/jobs/${enc(id)}`);
      if (!globals().json) process.stdout.write(`deleted ${id}\n`);
    });

  jobs
    .command('pause <id>')
    .description('pause a job')
    .option('--reason <text>', 'why (shown to others)')
    .option('--until <instant>', 'resume automatically at this RFC 3339 instant')
    .action(async (id: string, o: { reason?: string; until?: string }) => {
      const job = await client().post<JobJson>(`/api/v1/jobs/${enc(id)}/pause`, { ...(o.reason ? { reason: o.reason } : {}), ...(o.until ? { until: o.until } : {}) });
      if (globals().json) printJson(job);
      else process.stdout.write(`paused ${job.id}\n`);
    });

  jobs
    .command('resume <id>')
    .description('resume a paused job')
    .action(async (id: string) => {
      const job = await client().post<JobJson>(`/api/v1/jobs/${enc(id)}/resume`);
      if (globals().json) printJson(job);
      else process.stdout.write(`resumed ${job.id}; next fire ${job.status.nextFireTime ?? 'none'}\n`);
    });

  jobs
    .command('trigger <id>')
    .description('run a job now')
    .option('--payload <json>', 'payload passed to the steps (JSON)')
    .action(async (id: string, o: { payload?: string }) => {
      let payload: unknown;
      if (o.payload !== undefined) {
        try {
          payload = JSON.parse(o.payload);
        } catch {
          throw new CliError('--payload must be JSON', EXIT.usage);
        }
      }
      const res = await client().post<{ runId: string }>(`/api/v1/jobs/${enc(id)}/trigger`, payload === undefined ? {} : { payload });
      if (globals().json) printJson(res);
      else process.stdout.write(`${res.runId}\n`);
    });
}
