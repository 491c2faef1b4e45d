/** `sked keys create|ls|revoke` and `sked audit` (admin). */

import type { Command } from 'commander';
import { CliError, EXIT, type ApiClient, type ClientOptions } from './client.js';
import { printJson, relative, table } from './output.js';

interface KeyJson {
  id: string;
  name: string;
  role: string;
  state: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  key?: string;
}

interface AuditJson {
  id: string;
  at: string;
  actor: { kind: string; id: string | null; name: string };
  action: string;
  target: { type: string; id: string | null };
}

export function accessCommands(program: Command, client: () => ApiClient, globals: () => ClientOptions & { json?: boolean }): void {
  const keys = program.command('keys').description('API keys (admin)');

  keys
    .command('create')
    .description('create an API key; it is printed once')
    .requiredOption('--role <role>', 'admin, operator or viewer')
    .option('--name <name>', 'who or what uses it', 'cli')
    .option('--expires <instant>', 'RFC 3339 expiry')
    .action(async (o: { role: string; name: string; expires?: string }) => {
      if (!['admin', 'operator', 'viewer'].includes(o.role)) throw new CliError('--role must be admin, operator or viewer', EXIT.usage);
      const res = await client().post<KeyJson>('/api/v1/keys', { name: o.name, role: o.role, ...(o.expires ? { expiresAt: o.expires } : {}) });
      if (globals().json) return printJson(res);
      process.stdout.write(`${res.key ?? ''}\n`);
      process.stderr.write(`created ${res.id} (${res.role}); the key above is not shown again\n`);
    });

  keys
    .command('ls')
    .description('list API keys (never their secrets)')
    .action(async () => {
      const page = await client().get<{ items: KeyJson[] }>('/api/v1/keys?limit=1000');
      if (globals().json) return printJson(page);
      process.stdout.write(table(['ID', 'NAME', 'ROLE', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED'], page.items.map((k) => [k.id, k.name, k.role, k.state, relative(k.createdAt), k.expiresAt ?? '-', relative(k.lastUsedAt)])));
    });

  keys
    .command('revoke <id>')
    .description('revoke an API key, at once on every node')
    .action(async (id: string) => {
      const res = await client().request<KeyJson>('DELETE', `/api/v1/keys/${encodeURIComponent(id)}`);
      if (globals().json) printJson(res.body);
      else process.stdout.write(`revoked ${res.body.id}\n`);
    });

  program
    .command('audit')
    .description('the audit log, newest first (admin)')
    .option('--action <action>', 'e.g. job.update, job.trigger, key.revoke')
    .option('--target <type:id>', 'e.g. job:nightly-report')
    .option('--actor <id-or-name>', 'key id or name')
    .option('--limit <n>', 'page size', '50')
    .action(async (o: { action?: string; target?: string; actor?: string; limit: string }) => {
      const params = new URLSearchParams({ limit: o.limit });
      if (o.action) params.set('action', o.action);
      if (o.actor) params.set('actor', o.actor);
      if (o.target) {
        const [type, ...rest] = o.target.split(':');
        params.set('targetType', type ?? '');
        if (rest.length) params.set('targetId', rest.join(':'));
      }
      const page = await client().get<{ items: AuditJson[] }>(`/api/v1/audit?${params.toString()}`);
      if (globals().json) return printJson(page);
      process.stdout.write(table(['AT', 'ACTOR', 'ACTION', 'TARGET'], page.items.map((e) => [e.at, e.actor.id ?? e.actor.name, e.action, `${e.target.type}${e.target.id ? `:${e.target.id}` : ''}`])));
    });
}
