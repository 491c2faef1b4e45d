/** `sked server`, `sked preview`, `sked status` */

import type { Command } from 'commander';
import { resolveConfig, settingsHelp, SETTINGS } from '../config/config.js';
import type { CronDialect } from '../domain/types.js';
import { previewSchedule } from '../schedule/preview.js';
import { parseInstant } from '../schedule/instant.js';
import { CliError, EXIT, type ApiClient, type ClientOptions } from './client.js';
import { printJson, table } from './output.js';

export function serverCommand(program: Command): void {
  const cmd = program.command('server').description('start a sked server (HTTP API, engine and dashboard)');
  for (const s of SETTINGS) {
    const arg = s.kind === 'bool' ? '' : ` <${s.kind === 'duration' ? 'iso-duration' : s.kind === 'int' ? 'n' : 'value'}>`;
    cmd.option(`--${s.flag}${arg}`, `${s.description} [${s.env}]`);
  }
  cmd.option('--config <file>', 'JSON config file [SKED_CONFIG]');
  cmd.addHelpText('after', `\nEvery flag can also be set in the environment (flags win, then the environment, then the config file):\n${settingsHelp()}\n`);
  cmd.action(async (opts: Record<string, unknown>) => {
    const flags: Record<string, unknown> = {};
    for (const s of SETTINGS) {
      const camel = s.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (opts[camel] !== undefined) flags[s.flag] = opts[camel];
    }
    if (opts['config'] !== undefined) flags['config'] = opts['config'];
    const config = resolveConfig(flags);
    // Loaded here only: the client verbs start fast without the server's modules.
    const { createLogger, startServer } = await import('../server.js');
    const logger = createLogger(config.logLevel);
    await startServer(config, { logger, handleSignals: true });
  });
}

export function previewCommand(program: Command, globals: () => ClientOptions & { json?: boolean }): void {
  program
    .command('preview <expression>')
    .description('check a cron expression and show its next fire times (computed locally, no server needed)')
    .option('--tz <zone>', 'IANA time zone', 'UTC')
    .option('--count <n>', 'how many fire times', '10')
    .option('--dialect <dialect>', 'auto, unix or quartz', 'auto')
    .option('--from <instant>', 'start after this RFC 3339 instant (default now)')
    .option('--dst <policy>', 'compatible or quartz', 'compatible')
    .action((expression: string, o: { tz: string; count: string; dialect: string; from?: string; dst: string }) => {
      const count = Number(o.count);
      if (!Number.isInteger(count) || count < 1 || count > 1000) throw new CliError('--count must be 1..1000', EXIT.usage);
      const from = o.from ? parseInstant(o.from) : Date.now();
      if (from === null) throw new CliError('--from must be an RFC 3339 instant', EXIT.usage);
      const preview = previewSchedule(
        { type: 'cron', expression, timeZone: o.tz, dialect: o.dialect as CronDialect, dst: o.dst as 'compatible' | 'quartz' },
        { from, count },
      );
      if (globals().json) {
        printJson(preview);
      } else if (!preview.valid) {
        const e = preview.errors[0];
        process.stderr.write(`invalid: ${e?.message ?? 'unknown error'}\n`);
        if (e?.position !== undefined) process.stderr.write(`  ${expression}\n  ${' '.repeat(e.position)}^\n`);
      } else {
        process.stdout.write(`${preview.description}\ndialect: ${preview.dialect}${preview.cron && preview.cron !== expression.trim() ? `   cron: ${preview.cron}` : ''}\n\n`);
        process.stdout.write(table(['UTC', `LOCAL (${o.tz})`, 'DST'], preview.nextFireTimes.map((f) => [f.at, f.local, f.dst ?? ''])));
        for (const w of preview.warnings) process.stdout.write(`warning: ${w.message}\n`);
      }
      if (!preview.valid) process.exitCode = EXIT.usage;
    });
}

export function statusCommand(program: Command, client: () => ApiClient, globals: () => ClientOptions & { json?: boolean }): void {
  program
    .command('status')
    .description("the scheduler's state and counts")
    .action(async () => {
      const s = await client().get<{ state: string; nodeId: string; nodes: number; counts: Record<string, number> }>('/api/v1/scheduler');
      if (globals().json) return printJson(s);
      process.stdout.write(`scheduler ${s.state} (node ${s.nodeId}, ${s.nodes} node${s.nodes === 1 ? '' : 's'})\n`);
      process.stdout.write(table(Object.keys(s.counts).map((k) => k.toUpperCase()), [Object.values(s.counts)]));
    });
}
