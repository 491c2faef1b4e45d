/** How a run's steps are ordered, grouped, skipped, retried and followed by onFailure steps. */
import { readFile } from 'node:fs/promises';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Step, StepResult } from '../../../src/domain/types.js';
import { Executor } from '../../../src/executor/index.js';
import { makeRequest, shell, useTempDir, waitFor } from './support.js';

const tempDir = useTempDir();
let executor: Executor;

afterEach(async () => {
  await executor.close();
});

function newExecutor(options: ConstructorParameters<typeof Executor>[0] = {}): Executor {
  executor = new Executor({ killGraceMs: 300, ...options });
  return executor;
}

/** Shell: wait (up to ~15 s) for a file to exist, else exit 7. */
function waitForFile(file: string): string {
  return `i=0; while [ ! -f ${file} ]; do i=$((i+1)); [ $i -gt 300 ] && exit 7; sleep 0.05; done`;
}

/** A script that creates `mine`, then waits (up to ~15 s) until `other` exists: it can only succeed
 * if both run at the same time. */
function rendezvous(dir: string, mine: string, other: string): string {
  return `touch ${dir}/${mine}; ${waitForFile(`${dir}/${other}`)}; echo met`;
}

describe('groups', () => {
  it('runs steps with the same stepIndex in parallel, and groups one after the other', async () => {
    newExecutor();
    const dir = tempDir();
    const result = await executor.execute(
      makeRequest({
        steps: [
          shell(0, rendezvous(dir, 'a', 'b'), { name: 'a' }),
          shell(0, rendezvous(dir, 'b', 'a'), { name: 'b' }),
          shell(1, `test -f ${dir}/a && test -f ${dir}/b && echo after`, { name: 'c' }),
        ],
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.error).toBeNull();
    expect(result.steps.map((s) => [s.position, s.name, s.status, s.output])).toEqual([
      [0, 'a', 'succeeded', 'met\n'],
      [1, 'b', 'succeeded', 'met\n'],
      [2, 'c', 'succeeded', 'after\n'],
    ]);
    const [a, b, c] = result.steps as [StepResult, StepResult, StepResult];
    // Overlap: each started before the other finished. The next group started after both finished.
    expect(a.startedAt!).toBeLessThanOrEqual(b.finishedAt!);
    expect(b.startedAt!).toBeLessThanOrEqual(a.finishedAt!);
    expect(c.startedAt!).toBeGreaterThanOrEqual(Math.max(a.finishedAt!, b.finishedAt!));
  });

  it('orders groups by stepIndex, not by list position', async () => {
    newExecutor();
    const log = join(tempDir(), 'log');
    const result = await executor.execute(
      makeRequest({
        steps: [
          shell(5, `echo five >> ${log}`),
          shell(-1, `echo minus >> ${log}`),
          shell(2, `echo two >> ${log}`),
        ],
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(await readFile(log, 'utf8')).toBe('minus\ntwo\nfive\n');
    expect(result.steps.map((s) => [s.position, s.stepIndex])).toEqual([
      [0, 5],
      [1, -1],
      [2, 2],
    ]);
  });

  it('a failure lets its group finish, then skips later groups and fails the run', async () => {
    newExecutor();
    const dir = tempDir();
    const finished: string[] = [];
    const result = await executor.execute(
      makeRequest({
        steps: [
          shell(0, 'exit 2', { name: 'fails' }),
          // Runs on after its sibling failed: waits until that failure was reported.
          shell(0, `${waitForFile(`${dir}/reported`)}; touch ${dir}/sibling-done`, { name: 'sibling' }),
          shell(1, `touch ${dir}/later`, { name: 'later' }),
          shell(2, `touch ${dir}/last`, { name: 'last' }),
        ],
        onStepFinished: (r) => {
          finished.push(`${r.name}:${r.status}`);
          if (r.name === 'fails') writeFileSync(join(dir, 'reported'), '');
        },
      }),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toBe("step 0 'fails' (shell): exited with code 2");
    expect(result.steps.map((s) => s.status)).toEqual(['failed', 'succeeded', 'skipped', 'skipped']);
    expect(existsSync(join(dir, 'sibling-done'))).toBe(true);
    expect(existsSync(join(dir, 'later'))).toBe(false);
    expect(result.steps[2]).toMatchObject({
      attempt: 0,
      startedAt: null,
      finishedAt: null,
      error: null,
      output: '',
    });
    expect(finished).toEqual(['fails:failed', 'sibling:succeeded', 'later:skipped', 'last:skipped']);
  });

  it('continueOnFailure keeps the run going and able to succeed', async () => {
    newExecutor();
    const dir = tempDir();
    const result = await executor.execute(
      makeRequest({
        steps: [
          shell(0, 'exit 1', { continueOnFailure: true }),
          shell(1, 'sleep 5', { continueOnFailure: true, timeout: 'PT0.2S' }),
          shell(2, `touch ${dir}/reached`),
        ],
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.error).toBeNull();
    expect(result.steps.map((s) => s.status)).toEqual(['failed', 'timedOut', 'succeeded']);
    expect(existsSync(join(dir, 'reached'))).toBe(true);
  });

  it('an empty run succeeds', async () => {
    newExecutor();
    const result = await executor.execute(makeRequest({ steps: [] }));
    expect(result).toMatchObject({ status: 'succeeded', error: null, steps: [] });
  });
});

describe('retries', () => {
  const counter = (dir: string, succeedAt: number): string =>
    `n=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/n; echo "try $n"; [ $n -ge ${succeedAt} ] || exit 4`;

  it('retries in place until an attempt succeeds, keeping the last attempt output with a marker', async () => {
    newExecutor();
    const dir = tempDir();
    const result = await executor.execute(
      makeRequest({
        steps: [
          shell(0, counter(dir, 3), {
            name: 'flaky',
            retry: { maxAttempts: 5, backoff: 'fixed', interval: 'PT0.05S' },
          }),
        ],
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps[0]).toMatchObject({ status: 'succeeded', attempt: 3, exitCode: 0, error: null });
    expect(result.steps[0]?.output).toBe('[sked] attempt 3 of 5; attempt 2: exited with code 4\ntry 3\n');
  });

  it('fails after maxAttempts with the last error (exponential backoff)', async () => {
    newExecutor();
    const dir = tempDir();
    const result = await executor.execute(
      makeRequest({
        steps: [
          shell(0, counter(dir, 99), {
            retry: { maxAttempts: 3, backoff: 'exponential', interval: 'PT0.05S', maxInterval: 'PT0.1S' },
          }),
        ],
      }),
    );
    expect(result.status).toBe('failed');
    expect(result.steps[0]).toMatchObject({ status: 'failed', attempt: 3, exitCode: 4 });
    expect(result.error).toBe('step 0 (shell): exited with code 4');
    expect(await readFile(join(tempDir(), 'n'), 'utf8')).toBe('3\n');
  });

  it('retries a timed-out attempt too', async () => {
    newExecutor();
    const dir = tempDir();
    const script = `n=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/n; [ $n -ge 2 ] || sleep 30`;
    const result = await executor.execute(
      makeRequest({
        steps: [
          shell(0, script, {
            timeout: 'PT0.3S',
            retry: { maxAttempts: 2, backoff: 'fixed', interval: 'PT0S' },
          }),
        ],
      }),
    );
    expect(result.steps[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(result.steps[0]?.output).toBe('[sked] attempt 2 of 2; attempt 1: timed out after PT0.3S\n');
  });

  it('cancelling during a backoff wait ends the step at once as cancelled', async () => {
    newExecutor();
    const dir = tempDir();
    const controller = new AbortController();
    const running = executor.execute(
      makeRequest({
        signal: controller.signal,
        steps: [
          shell(0, `touch ${dir}/tried; exit 1`, {
            retry: { maxAttempts: 3, backoff: 'fixed', interval: 'PT1H' },
          }),
          shell(1, 'true'),
        ],
      }),
    );
    await waitFor(() => existsSync(join(dir, 'tried')));
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(result.steps.map((s) => [s.status, s.attempt])).toEqual([
      ['cancelled', 1],
      ['skipped', 0],
    ]);
  });
});

describe('onFailure steps', () => {
  it('run after a failed run with SKED_FAILED and SKED_ERROR, without changing its status', async () => {
    newExecutor();
    const result = await executor.execute(
      makeRequest({
        steps: [shell(0, 'exit 3', { name: 'boom' }), shell(1, 'true')],
        onFailure: [
          shell(0, 'printf "%s|%s|%s" "$SKED_FAILED" "$SKED_ERROR" "$SKED_RUN_ID"', { name: 'notify' }),
          shell(0, 'exit 9', { name: 'broken' }),
          shell(1, 'echo skipped-after-broken'),
        ],
      }),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toBe("step 0 'boom' (shell): exited with code 3");
    expect(result.steps.map((s) => [s.phase, s.position, s.status])).toEqual([
      ['main', 0, 'failed'],
      ['main', 1, 'skipped'],
      ['onFailure', 0, 'succeeded'],
      ['onFailure', 1, 'failed'],
      ['onFailure', 2, 'skipped'],
    ]);
    expect(result.steps[2]?.output).toBe("1|step 0 'boom' (shell): exited with code 3|run-1");
    expect(result.steps[3]?.error).toBe("onFailure step 1 'broken' (shell): exited with code 9");
  });

  it('run after a timed-out run, and not after a successful one', async () => {
    newExecutor();
    const timedOut = await executor.execute(
      makeRequest({
        timeoutMs: 300,
        steps: [shell(0, 'sleep 30')],
        onFailure: [shell(0, 'printf "%s" "$SKED_ERROR"')],
      }),
    );
    expect(timedOut.status).toBe('timedOut');
    expect(timedOut.steps.map((s) => [s.phase, s.status])).toEqual([
      ['main', 'timedOut'],
      ['onFailure', 'succeeded'],
    ]);
    expect(timedOut.steps[1]?.output).toBe('run timed out after PT0.3S');

    const dir = tempDir();
    const ok = await executor.execute(
      makeRequest({ steps: [shell(0, 'true')], onFailure: [shell(0, `touch ${dir}/x`)] }),
    );
    expect(ok.status).toBe('succeeded');
    expect(ok.steps).toHaveLength(1);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});

describe('step types and settings', () => {
  it('refuses a step type that is not allowed, without running it', async () => {
    newExecutor({ allowedStepTypes: new Set(['noop', 'http']) });
    const dir = tempDir();
    const result = await executor.execute(
      makeRequest({ steps: [{ stepIndex: 0, name: 'sh', type: 'shell', script: `touch ${dir}/ran` }] }),
    );
    expect(result.status).toBe('failed');
    expect(result.steps[0]).toMatchObject({ status: 'failed', attempt: 0 });
    expect(result.error).toBe("step 0 'sh' (shell): step type 'shell' is not allowed on this node");
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('fails a step with an unknown type or invalid settings with a clear message', async () => {
    newExecutor();
    const unknown = { stepIndex: 0, type: 'ftp' } as unknown as Step;
    const result = await executor.execute(
      makeRequest({
        steps: [
          { ...unknown, continueOnFailure: true } as Step,
          shell(1, 'true', { timeout: 'ten seconds', continueOnFailure: true }),
          { stepIndex: 2, type: 'noop', delay: 'P1M', continueOnFailure: true },
          shell(3, 'true', { retry: { maxAttempts: 0, backoff: 'fixed', interval: 'PT1S' } }),
        ],
      }),
    );
    expect(result.steps.map((s) => s.error)).toEqual([
      "step 0 (ftp): unknown step type 'ftp'",
      "step 1 (shell): invalid timeout 'ten seconds': not an ISO 8601 duration",
      "step 2 (noop): invalid delay 'P1M': not an ISO 8601 duration",
      'step 3 (shell): invalid retry.maxAttempts 0: must be an integer >= 1',
    ]);
  });

  it('noop waits its delay, abortably', async () => {
    newExecutor();
    const result = await executor.execute(
      makeRequest({ steps: [{ stepIndex: 0, type: 'noop', delay: 'PT0.05S' }] }),
    );
    expect(result.steps[0]).toMatchObject({ status: 'succeeded', attempt: 1, output: '' });
    const stopped = await executor.execute(
      makeRequest({ timeoutMs: 100, steps: [{ stepIndex: 0, type: 'noop', delay: 'PT1H' }] }),
    );
    expect(stopped.status).toBe('timedOut');
  });

  it('takes timestamps from the injected clock', async () => {
    let t = 1_000;
    newExecutor({ now: () => (t += 10) });
    const result = await executor.execute(makeRequest({ steps: [{ stepIndex: 0, type: 'noop' }] }));
    expect(result.startedAt).toBe(1_010);
    expect(result.steps[0]).toMatchObject({ startedAt: 1_020, finishedAt: 1_030 });
    expect(result.finishedAt).toBe(1_040);
  });

  it('survives hooks that throw', async () => {
    newExecutor();
    const result = await executor.execute(
      makeRequest({
        steps: [shell(0, 'echo hi')],
        onOutput: () => {
          throw new Error('observer bug');
        },
        onStepFinished: () => {
          throw new Error('observer bug');
        },
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps[0]?.output).toBe('hi\n');
  });

  it('an already aborted signal cancels before anything runs', async () => {
    newExecutor();
    const dir = tempDir();
    const result = await executor.execute(
      makeRequest({ signal: AbortSignal.abort(), steps: [shell(0, `touch ${dir}/ran`)] }),
    );
    expect(result.status).toBe('cancelled');
    expect(result.steps.map((s) => s.status)).toEqual(['skipped']);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
