/** exec and shell steps on real child processes. */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Step } from '../../../src/domain/types.js';
import { Executor } from '../../../src/executor/index.js';
import { isAlive, makeRequest, readPids, shell, useTempDir, waitFor } from './support.js';

const node = process.execPath;
const tempDir = useTempDir();
let executor: Executor;

afterEach(async () => {
  await executor.close();
});

function newExecutor(options: ConstructorParameters<typeof Executor>[0] = {}): Executor {
  executor = new Executor({ killGraceMs: 300, ...options });
  return executor;
}

async function runOne(step: Step, fields: Partial<Parameters<typeof makeRequest>[0]> = {}) {
  const result = await executor.execute(makeRequest({ steps: [step], ...fields }));
  const first = result.steps[0];
  if (!first) throw new Error('no step result');
  return { result, step: first };
}

describe('exec steps', () => {
  it('runs a program with args; exit code 0 succeeds and output is captured', async () => {
    newExecutor();
    const { result, step } = await runOne({
      stepIndex: 0,
      name: 'hello',
      type: 'exec',
      command: node,
      args: ['-e', 'console.log("hi", process.argv.slice(1).join("|"))', 'a b', 'c'],
    });
    expect(result.status).toBe('succeeded');
    expect(step).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      attempt: 1,
      error: null,
      output: 'hi a b|c\n',
    });
    expect(step.startedAt).not.toBeNull();
    expect(step.finishedAt! >= step.startedAt!).toBe(true);
  });

  it('fails on a non-zero exit code, naming the step and the code', async () => {
    newExecutor();
    const { result, step } = await runOne({
      stepIndex: 0,
      name: 'export',
      type: 'exec',
      command: node,
      args: ['-e', 'process.exit(3)'],
    });
    expect(result.status).toBe('failed');
    expect(step.status).toBe('failed');
    expect(step.exitCode).toBe(3);
    expect(step.error).toBe("step 0 'export' (exec): exited with code 3");
    expect(result.error).toBe("step 0 'export' (exec): exited with code 3");
  });

  it('never goes through a shell: metacharacters reach the program literally', async () => {
    newExecutor();
    const marker = join(tempDir(), 'pwned');
    const arg = `$(touch ${marker}); touch ${marker} && echo *`;
    const { step } = await runOne({
      stepIndex: 0,
      type: 'exec',
      command: node,
      args: ['-e', 'process.stdout.write(process.argv[1])', arg],
    });
    expect(step.status).toBe('succeeded');
    expect(step.output).toBe(arg);
    expect(existsSync(marker)).toBe(false);

    // A whole command line as the program name is a program that does not exist.
    const line = await runOne({ stepIndex: 0, type: 'exec', command: `touch ${marker}` });
    expect(line.step.status).toBe('failed');
    expect(existsSync(marker)).toBe(false);
  });

  it('reports a missing program clearly (ENOENT)', async () => {
    newExecutor();
    const { step } = await runOne({ stepIndex: 0, name: 'x', type: 'exec', command: '/no/such/program' });
    expect(step.status).toBe('failed');
    expect(step.exitCode).toBeNull();
    expect(step.error).toMatch(
      /^step 0 'x' \(exec\): cannot run '\/no\/such\/program': no such file or directory \(ENOENT/,
    );
    const onPath = await runOne({ stepIndex: 0, type: 'exec', command: 'sked-no-such-command' });
    expect(onPath.step.error).toMatch(/cannot run 'sked-no-such-command'.*ENOENT/);
  });

  it('reports a program that is not executable clearly (EACCES)', async () => {
    newExecutor();
    const file = join(tempDir(), 'script.sh');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    await chmod(file, 0o644);
    const { step } = await runOne({ stepIndex: 0, type: 'exec', command: file });
    expect(step.status).toBe('failed');
    expect(step.error).toMatch(/permission denied \(EACCES/);
  });

  it('runs in cwd, and reports a missing cwd as such', async () => {
    newExecutor();
    const dir = tempDir();
    const { step } = await runOne({
      stepIndex: 0,
      type: 'exec',
      command: node,
      args: ['-e', 'process.stdout.write(process.cwd())'],
      cwd: dir,
    });
    expect(step.output).toBe(dir);
    const missing = await runOne({ stepIndex: 0, type: 'exec', command: node, cwd: join(dir, 'nope') });
    expect(missing.step.error).toMatch(/working directory '.*nope' does not exist/);
  });

  it('passes the payload and run fields as SKED_* env, over the step env, without the server SKED_* env', async () => {
    newExecutor();
    process.env['SKED_TEST_SECRET'] = 'server-only';
    try {
      const script =
        'const e = process.env; process.stdout.write(JSON.stringify({p: e.SKED_PAYLOAD, r: e.SKED_RUN_ID, j: e.SKED_JOB_ID,' +
        ' a: e.SKED_ATTEMPT, s: e.SKED_SCHEDULED_FOR, sa: e.SKED_STEP_ATTEMPT, mine: e.MINE, secret: e.SKED_TEST_SECRET,' +
        ' failed: e.SKED_FAILED, path: typeof e.PATH}))';
      const { step } = await runOne(
        {
          stepIndex: 0,
          type: 'exec',
          command: node,
          args: ['-e', script],
          env: { MINE: 'x', SKED_RUN_ID: 'spoofed' },
        },
        {
          runId: 'run-42',
          jobId: 'job-7',
          attempt: 3,
          scheduledFor: Date.UTC(2026, 0, 2, 3, 4, 5),
          payload: { a: [1, 'two'] },
        },
      );
      expect(JSON.parse(step.output)).toEqual({
        p: '{"a":[1,"two"]}',
        r: 'run-42',
        j: 'job-7',
        a: '3',
        s: '2026-01-02T03:04:05.000Z',
        sa: '1',
        mine: 'x',
        path: 'string',
      });
      const empty = await runOne({
        stepIndex: 0,
        type: 'shell',
        script: 'printf "[%s][%s]" "$SKED_PAYLOAD" "$SKED_SCHEDULED_FOR"',
      });
      expect(empty.step.output).toBe('[][]');
    } finally {
      delete process.env['SKED_TEST_SECRET'];
    }
  });

  it('closes stdin', async () => {
    newExecutor();
    const { step } = await runOne({
      stepIndex: 0,
      type: 'exec',
      command: node,
      args: [
        '-e',
        'let n = 0; process.stdin.on("data", d => n += d.length).on("end", () => console.log("eof", n))',
      ],
    });
    expect(step.output).toBe('eof 0\n');
  });
});

describe('shell steps', () => {
  it('runs the script through /bin/sh by default, or the named shell', async () => {
    newExecutor();
    const { step } = await runOne(shell(0, 'echo "$((6 * 7))"; exit 0'));
    expect(step).toMatchObject({ status: 'succeeded', output: '42\n', exitCode: 0 });
    const named = await runOne({
      stepIndex: 0,
      type: 'shell',
      shell: '/bin/bash',
      script: 'echo "${BASH_VERSION:+bash}"',
    });
    expect(named.step.output).toBe('bash\n');
    const failing = await runOne(shell(0, 'exit 5', { name: 'bad' }));
    expect(failing.step.error).toBe("step 0 'bad' (shell): exited with code 5");
  });

  it('interleaves stdout and stderr in arrival order', async () => {
    newExecutor();
    const dir = tempDir();
    // Each line is written only after the previous one reached the executor (the live hook saw it).
    const script = [
      'echo one',
      `while [ ! -f "${dir}/1" ]; do sleep 0.02; done`,
      'echo two >&2',
      `while [ ! -f "${dir}/2" ]; do sleep 0.02; done`,
      'echo three',
    ].join('\n');
    const seen: string[] = [];
    let text = '';
    const result = await executor.execute(
      makeRequest({
        steps: [shell(0, script, { timeout: 'PT20S' })],
        onOutput: (position, phase, chunk) => {
          seen.push(`${position}/${phase}`);
          text += chunk;
          if (text.includes('one') && !existsSync(`${dir}/1`)) void writeFile(`${dir}/1`, '');
          if (text.includes('two') && !existsSync(`${dir}/2`)) void writeFile(`${dir}/2`, '');
        },
      }),
    );
    expect(result.steps[0]?.output).toBe('one\ntwo\nthree\n');
    expect(new Set(seen)).toEqual(new Set(['0/main']));
  });

  it('bounds the output of a process writing megabytes to head and tail', async () => {
    newExecutor({ maxOutputBytes: 4096 });
    const script =
      'process.stdout.write("HEAD-START\\n"); const line = "x".repeat(99) + "\\n";' +
      ' for (let i = 0; i < 50000; i++) { (i % 2 || i > 25000 ? process.stdout : process.stderr).write(line); }' +
      ' process.stdout.write("TAIL-END\\n");';
    let live = 0;
    const result = await executor.execute(
      makeRequest({
        steps: [{ stepIndex: 0, type: 'exec', command: node, args: ['-e', script] }],
        onOutput: (_p, _ph, chunk) => (live += chunk.length),
      }),
    );
    const step = result.steps[0]!;
    expect(step.status).toBe('succeeded');
    expect(step.output.startsWith('HEAD-START\nxxx')).toBe(true);
    expect(step.output.endsWith('xxx\nTAIL-END\n')).toBe(true);
    const omitted = /…\[(\d+) bytes omitted\]…/.exec(step.output);
    expect(omitted).not.toBeNull();
    expect(Number(omitted![1]) + 4096).toBe(11 + 50000 * 100 + 9);
    expect(step.output.length).toBeLessThan(4096 + 40);
    expect(live).toBe(11 + 50000 * 100 + 9);
  });
});

describe('stopping process trees', () => {
  /** A shell that starts two background sleeps and records its own pid and theirs. */
  function treeScript(pidFile: string, prefix = ''): string {
    return `${prefix}sleep 100 & echo $! >> ${pidFile}; sleep 100 & echo $! >> ${pidFile}; echo $$ >> ${pidFile}; echo ready; wait`;
  }

  it('a step timeout kills the whole tree and marks the step timedOut', async () => {
    newExecutor();
    const pidFile = join(tempDir(), 'pids');
    const { result, step } = await runOne(shell(0, treeScript(pidFile), { name: 'slow', timeout: 'PT1S' }));
    expect(result.status).toBe('failed');
    expect(step.status).toBe('timedOut');
    expect(step.error).toBe("step 0 'slow' (shell): timed out after PT1S");
    expect(step.output).toBe('ready\n');
    const pids = await readPids(pidFile);
    expect(pids).toHaveLength(3);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('escalates to SIGKILL when the tree ignores SIGTERM', async () => {
    newExecutor({ killGraceMs: 500 });
    const pidFile = join(tempDir(), 'pids');
    const started = Date.now();
    const { step } = await runOne({
      stepIndex: 0,
      type: 'exec',
      command: '/bin/sh',
      args: ['-c', treeScript(pidFile, "trap '' TERM; ")],
      timeout: 'PT0.5S',
    });
    expect(step.status).toBe('timedOut');
    const pids = await readPids(pidFile);
    expect(pids).toHaveLength(3);
    expect(pids.filter(isAlive)).toEqual([]);
    // Only a lower bound (timers never fire early): the grace period was honoured before SIGKILL.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('stops background children left behind when the main process exits', async () => {
    newExecutor();
    const pidFile = join(tempDir(), 'pids');
    // The background sleep keeps stdout open; the script itself exits at once.
    const { step } = await runOne(shell(0, `sleep 100 & echo $! > ${pidFile}; echo done`));
    expect(step).toMatchObject({ status: 'succeeded', output: 'done\n', exitCode: 0 });
    const pids = await readPids(pidFile);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('a run timeout kills running trees (timedOut) and skips pending steps', async () => {
    newExecutor();
    const dir = tempDir();
    const result = await executor.execute(
      makeRequest({
        timeoutMs: 1000,
        steps: [
          shell(0, treeScript(join(dir, 'a'))),
          shell(0, treeScript(join(dir, 'b'))),
          shell(1, `touch ${dir}/never`),
        ],
      }),
    );
    expect(result.status).toBe('timedOut');
    expect(result.error).toBe('run timed out after PT1S');
    expect(result.steps.map((s) => s.status)).toEqual(['timedOut', 'timedOut', 'skipped']);
    expect(result.steps[0]?.error).toBe('step 0 (shell): stopped: the run timed out');
    const pids = [...(await readPids(join(dir, 'a'))), ...(await readPids(join(dir, 'b')))];
    expect(pids).toHaveLength(6);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('cancellation kills running trees (cancelled), skips pending steps and runs no onFailure step', async () => {
    newExecutor();
    const dir = tempDir();
    const controller = new AbortController();
    const result = await executor.execute(
      makeRequest({
        signal: controller.signal,
        steps: [shell(0, treeScript(join(dir, 'pids'))), shell(1, `touch ${dir}/never`)],
        onFailure: [shell(0, `touch ${dir}/on-failure`)],
        onOutput: (_p, _ph, chunk) => {
          if (chunk.includes('ready')) controller.abort();
        },
      }),
    );
    expect(result.status).toBe('cancelled');
    expect(result.error).toBe('run cancelled');
    expect(result.steps.map((s) => [s.phase, s.status])).toEqual([
      ['main', 'cancelled'],
      ['main', 'skipped'],
    ]);
    const pids = await readPids(join(dir, 'pids'));
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(existsSync(join(dir, 'on-failure'))).toBe(false);
  });

  it('close() cancels runs in progress and kills their processes', async () => {
    newExecutor();
    const pidFile = join(tempDir(), 'pids');
    const running = executor.execute(makeRequest({ steps: [shell(0, treeScript(pidFile))] }));
    await waitFor(
      async () => existsSync(pidFile) && (await readFile(pidFile, 'utf8')).split('\n').length > 3,
    );
    await executor.close();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect((await readPids(pidFile)).filter(isAlive)).toEqual([]);
    await expect(executor.execute(makeRequest({ steps: [] }))).rejects.toThrow(/closed/);
  });
});
