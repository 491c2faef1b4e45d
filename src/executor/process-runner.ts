/**
 * Runs one program (never through a shell) as the leader of its own process group, streams its stdout
 * and stderr, and makes sure none of the processes it started outlive it: on abort the whole group gets
 * SIGTERM, then SIGKILL after a grace period; and when the leader exits on its own, stragglers still in
 * its group (background children) are stopped the same way, like systemd's control-group kill mode.
 * A process that leaves its group (`setsid`) escapes on purpose and is not tracked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { settleWithin, sleep } from './stop.js';

export interface ProcessSpec {
  command: string;
  args: readonly string[];
  cwd: string | undefined;
  env: Record<string, string>;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string | undefined;
}

export interface ProcessOptions {
  /** Aborting it stops the process group. */
  signal: AbortSignal;
  killGraceMs: number;
  onOutput: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

export type ProcessOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'spawnError'; error: NodeJS.ErrnoException };

/** After the leader exits, how long output from the pipes may keep arriving before we stop waiting. */
const DRAIN_MS = 200;
/** How often the group is checked for remaining members while stopping it. */
const POLL_MS = 25;
/** After SIGKILL, how long to wait for the kernel to clear the group before giving up. */
const KILL_WAIT_MS = 2000;

export async function runProcess(spec: ProcessSpec, options: ProcessOptions): Promise<ProcessOutcome> {
  let child: ChildProcess;
  try {
    child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      // Leader of a new process group (setsid), so the whole tree can be signalled at once.
      detached: true,
      shell: false,
      stdio: [spec.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (error) {
    // Invalid arguments (a NUL byte in an argument or variable) throw synchronously.
    return { kind: 'spawnError', error: error as NodeJS.ErrnoException };
  }

  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<ProcessOutcome>((resolve) => {
    child.once('exit', (code, signal) => resolve({ kind: 'exited', code, signal }));
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'spawnError', error }));
  });
  child.stdout?.on('data', (chunk: Buffer) => options.onOutput(chunk, 'stdout'));
  child.stderr?.on('data', (chunk: Buffer) => options.onOutput(chunk, 'stderr'));
  // Stream errors (EPIPE when the process exits without reading its input) surface as the process
  // outcome; never as an unhandled 'error' event.
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('error', () => undefined);
  child.stderr?.on('error', () => undefined);
  if (spec.input !== undefined) child.stdin?.end(spec.input);

  const group = child.pid === undefined ? null : new ProcessGroup(child.pid, options.killGraceMs);
  const onAbort = (): void => void group?.stop();
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });

  try {
    const outcome = await exited;
    if (outcome.kind === 'spawnError' || group === null) return outcome;
    await settleWithin(closed, DRAIN_MS);
    if (group.hasMembers()) {
      await group.stop();
      await settleWithin(closed, DRAIN_MS);
    }
    await group.stopping();
    return outcome;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    // A process outside the group may still hold the pipes: stop reading them.
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}

/** A process group, addressed by its leader's pid (which is also the group id). */
class ProcessGroup {
  private readonly pgid: number;
  private readonly graceMs: number;
  private stopped: Promise<void> | null = null;

  constructor(pgid: number, graceMs: number) {
    this.pgid = pgid;
    this.graceMs = graceMs;
  }

  /** Whether any live process (not a zombie) is still in the group. */
  hasMembers(): boolean {
    return this.send(0) && hasLiveMember(this.pgid);
  }

  /** SIGTERM to the group, SIGKILL after the grace period; idempotent, resolves when the group is gone. */
  stop(): Promise<void> {
    this.stopped ??= this.terminate();
    return this.stopped;
  }

  /** The stop in progress, if any (resolved otherwise). */
  stopping(): Promise<void> {
    return this.stopped ?? Promise.resolve();
  }

  private async terminate(): Promise<void> {
    if (!this.send('SIGTERM')) return;
    if (await this.waitUntilEmpty(this.graceMs)) return;
    this.send('SIGKILL');
    await this.waitUntilEmpty(KILL_WAIT_MS);
  }

  private async waitUntilEmpty(ms: number): Promise<boolean> {
    const never = new AbortController().signal;
    const deadline = Date.now() + ms;
    while (this.hasMembers()) {
      if (Date.now() >= deadline) return false;
      await sleep(POLL_MS, never);
    }
    return true;
  }

  /** Sends a signal to every process of the group; false when the group no longer exists. */
  private send(signal: NodeJS.Signals | 0): boolean {
    try {
      process.kill(-this.pgid, signal);
      return true;
    } catch {
      // ESRCH: no process left in the group. EPERM: the members changed identity (setuid); we cannot
      // signal them, so there is nothing left to wait for either.
      return false;
    }
  }
}

/**
 * kill(-pgid, 0) also succeeds while the group holds only zombies, and orphans that were re-parented
 * to an init that does not reap (common in containers) stay zombies for good. On Linux, /proc tells
 * whether a member is really alive; elsewhere the signal check has to do.
 */
function hasLiveMember(pgid: number): boolean {
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // `pid (comm) state ppid pgrp ...`: comm may contain spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}
