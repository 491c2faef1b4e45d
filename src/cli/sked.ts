#!/usr/bin/env node
/** The `sked` command: the server, and client verbs over the REST API. */

import { Command, CommanderError } from 'commander';
import { SkedError } from '../domain/errors.js';
import { VERSION } from '../version.js';
import { ApiClient, CliError, EXIT, type ClientOptions } from './client.js';
import { jobsCommand } from './jobs-command.js';
import { previewCommand, serverCommand, statusCommand } from './misc-commands.js';
import { runsCommand } from './runs-command.js';
import { accessCommands } from './access-commands.js';

const program = new Command();
program
  .name('sked')
  .description('sked: a job scheduler service')
  .version(VERSION)
  .option('--url <url>', 'server URL [SKED_URL] (default http://127.0.0.1:8080)')
  .option('--api-key <key>', 'API key [SKED_API_KEY] (default: admin.key in the data folder)')
  .option('--data-dir <dir>', 'where admin.key is looked for [SKED_DATA_DIR] (default ./sked-data)')
  .option('--json', 'print JSON for scripts')
  .showHelpAfterError()
  // Options belong to the command they follow: `sked server --api-key K` is the server's key, while
  // `sked --api-key K jobs ls` is the client's.
  .enablePositionalOptions()
  .exitOverride();
program.addHelpText(
  'after',
  `
Environment: SKED_URL, SKED_API_KEY, SKED_DATA_DIR for the client verbs; 'sked server --help' lists
the server's settings and their SKED_* variables.

Exit codes: 0 ok, 1 failure, 2 invalid input or usage, 3 not found, 4 conflict or version mismatch,
5 unauthorized or forbidden, 7 server unreachable.`,
);

const globals = (): ClientOptions & { json?: boolean } => program.opts<ClientOptions & { json?: boolean }>();
const client = (): ApiClient => new ApiClient(globals());

serverCommand(program);
jobsCommand(program, client, globals);
runsCommand(program, client, globals);
previewCommand(program, globals);
statusCommand(program, client, globals);
accessCommands(program, client, globals);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof SkedError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.status < 500 ? EXIT.usage : EXIT.failure;
      return;
    }
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT.failure;
  }
}

void main();
