/**
 * A PRIVATE PostgreSQL server for one test file: its own data folder, port and socket folder, trust
 * authentication, started and stopped (and restarted) by the test. Tests that take the database away
 * from sked (restart, crash) use this, never the shared server on 5432 that other test files use.
 *
 * Debian's server binaries (`/usr/lib/postgresql/<version>/bin`, or `SKED_TEST_PG_BIN`) are used as
 * they are. initdb and postgres refuse to run as root, so when the tests run as root the binaries run
 * as the `postgres` user (`runuser -u postgres --`) and the temp folder is handed to that user.
 *
 * The server is tuned for tests, not durability (fsync off): its data is thrown away at the end.
 */

import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, sleep } from './process.js';

const run = promisify(execFile);

/** The folder holding initdb, pg_ctl and postgres: SKED_TEST_PG_BIN, else the newest Debian version. */
export function postgresBinDir(): string {
  const fromEnv = process.env['SKED_TEST_PG_BIN'];
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined)
    throw new Error(
      `no PostgreSQL server binaries under ${root} (install Debian's postgresql package, or set SKED_TEST_PG_BIN)`,
    );
  return join(root, newest, 'bin');
}

/** The OS user the server runs as: `postgres` when we are root (initdb refuses root), else ourselves. */
function serverUser(): { runAs: string | null; uid: number; gid: number } {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return { runAs: null, uid, gid: process.getgid?.() ?? -1 };
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === 'postgres');
  if (!passwd) throw new Error('running as root and there is no `postgres` user to run PostgreSQL as');
  return { runAs: 'postgres', uid: Number(passwd[2]), gid: Number(passwd[3]) };
}

export interface PostgresInstanceOptions {
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

/** One private PostgreSQL server: `url` is `postgres://postgres@127.0.0.1:<port>/postgres`. */
export class PostgresInstance {
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly runAs: string | null,
    private readonly settings: Record<string, string>,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get socketDir(): string {
    return join(this.dir, 'socket');
  }

  get logFile(): string {
    return join(this.dir, 'server.log');
  }

  /** The server's URL for the `postgres` database (user postgres, trust: no password). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Creates the data folder (initdb) and starts the server on a free port; waits until it accepts connections. */
  static async start(options: PostgresInstanceOptions = {}): Promise<PostgresInstance> {
    const bin = postgresBinDir();
    const { runAs, uid, gid } = serverUser();
    const dir = mkdtempSync(join(tmpdir(), 'sked-pg-'));
    const instance = new PostgresInstance(dir, await freePort(), bin, runAs, {
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '100',
      shared_buffers: '32MB',
      ...options.settings,
    });
    try {
      if (runAs) chownSync(dir, uid, gid);
      await instance.exec('initdb', [
        '-D',
        instance.dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--no-locale',
        '--no-sync',
      ]);
      mkdirSync(instance.socketDir);
      if (runAs) chownSync(instance.socketDir, uid, gid);
      await instance.startServer();
      return instance;
    } catch (err) {
      await instance.destroy();
      throw err;
    }
  }

  /** Runs one of the server binaries (as the server user when we are root). */
  private async exec(tool: string, args: string[]): Promise<string> {
    const path = join(this.bin, tool);
    const [file, argv] = this.runAs ? ['runuser', ['-u', this.runAs, '--', path, ...args]] : [path, args];
    try {
      const { stdout, stderr } = await run(file, argv, { timeout: 60_000, cwd: this.dir });
      return stdout + stderr;
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string };
      throw new Error(
        `${tool} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}\n${this.logTail()}`,
      );
    }
  }

  private serverOptions(): string {
    const settings = Object.entries({
      port: String(this.port),
      listen_addresses: '127.0.0.1',
      unix_socket_directories: this.socketDir,
      ...this.settings,
    });
    return settings.map(([k, v]) => `-c ${k}=${v}`).join(' ');
  }

  /** `pg_ctl start -w`, then waits until a connection succeeds. */
  async startServer(): Promise<void> {
    await this.exec('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-o',
      this.serverOptions(),
      '-w',
      '-t',
      '60',
      'start',
    ]);
    this.running = true;
    await this.waitAccepting();
  }

  /** `pg_ctl stop` (`fast`: connections are terminated; `immediate`: no shutdown checkpoint, a crash). */
  async stopServer(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    this.running = false;
  }

  /** Polls until the server accepts a connection and answers a query. */
  async waitAccepting(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown = null;
    while (Date.now() < deadline) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (err) {
        last = err;
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(100);
    }
    throw new Error(
      `the private PostgreSQL did not accept connections within ${timeoutMs} ms (${last instanceof Error ? last.message : String(last)})\n${this.logTail()}`,
    );
  }

  /** The end of the server's log, for failure messages. */
  logTail(chars = 3000): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '(no server log)';
    }
  }

  /** Stops the server, whatever its state (immediate), and removes its folder. Never throws. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.exec('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(
        () => undefined,
      );
      // still there (pg_ctl failed): kill the postmaster by its pid file
      const pidFile = join(this.dataDir, 'postmaster.pid');
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
        if (Number.isInteger(pid) && pid > 0) {
          try {
            process.kill(pid, 'SIGQUIT');
          } catch {
            // gone already
          }
        }
      }
    }
    this.running = false;
    if (!process.env['SKED_TEST_KEEP_DIR']) rmSync(this.dir, { recursive: true, force: true });
  }
}
