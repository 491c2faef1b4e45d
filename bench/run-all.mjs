#!/usr/bin/env node
/**
 * Runs every benchmark in sequence, each in its own process, printing their tables.
 *
 *   npm run bench                      — full sizes (about 45–55 minutes on 2 cores)
 *   node bench/run-all.mjs --quick     — small sizes, to check that everything works (a few minutes)
 *   node bench/run-all.mjs --only=cron,corpus,fire,cluster,startup
 *
 * Requires `npm run build` (the benchmarks import ../dist), for the BullMQ comparison Redis on
 * 127.0.0.1:6379 (db 9 is flushed), and for the cluster benchmark PostgreSQL on 127.0.0.1:5432 (user
 * postgres, database test; a fresh schema per run, dropped after).
 */

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, parseArgs, printHeader } from './lib/common.mjs';

const args = parseArgs();
const quick = args.quick === 'true';
const only = (args.only ?? 'cron,corpus,fire,cluster,startup').split(',');

const SUITES = [
  { name: 'cron', script: 'cron-bench.mjs', quick: ['--ms=150', '--warmup=50', '--mem-count=20000'] },
  { name: 'corpus', script: 'cron-bench.mjs', args: ['--corpus'], quick: ['--corpus', '--corpus-limit=500'] },
  {
    name: 'fire',
    script: 'fire-bench.mjs',
    quick: ['--n=500,2000', '--http-n=500', '--warmup=3', '--window=8'],
  },
  { name: 'cluster', script: 'cluster-bench.mjs', quick: ['--quick'] },
  { name: 'startup', script: 'startup-bench.mjs', quick: ['--jobs=10000', '--idle=5', '--starts=2'] },
];

function run(script, extra) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(BENCH_DIR, script), ...extra], { stdio: 'inherit' });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

printHeader(`sked benchmarks${quick ? ' (quick sizes)' : ''}`);
let failed = 0;
for (const suite of SUITES) {
  if (!only.includes(suite.name)) continue;
  const extra = quick ? suite.quick : (suite.args ?? []);
  console.log(`\n======== ${[suite.script, ...extra].join(' ')} ========\n`);
  const code = await run(suite.script, extra);
  if (code !== 0) {
    failed++;
    console.log(`\n${suite.script} exited with code ${code}`);
  }
}
process.exitCode = failed ? 1 : 0;
