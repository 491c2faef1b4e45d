/**
 * The BullMQ side of the firing benchmark, in its own process (as sked's server is): one Worker with the
 * given concurrency on the given queue, recording for every job the nominal fire instant, the instant
 * its processor started and the instant it returned.
 *
 * The nominal instant of a job-scheduler job is the `nextMillis` BullMQ computed for it, which is also
 * the tail of its id: `repeat:<schedulerId>:<nextMillis>` (see getJobSchedulerEveryNextMillis.lua and
 * getSchedulerNextJobId). `job.timestamp` is only when the job was created (the previous iteration).
 *
 * Config from the environment (JSON in BENCH_CONFIG): { queue, redis: {host, port, db}, concurrency,
 * mode: 'noop' | 'http', target }. IPC messages: in {cmd:'collect', w0, w1, ids?} → out {type:'collected', ...}
 * (with `ids: true`, also the id of every job processed, for counting duplicates across workers);
 * in {cmd:'stop'} → closes and exits.
 */

import { Worker } from 'bullmq';
import { Agent, request } from 'undici';
import { Column } from './column.mjs';

const config = JSON.parse(process.env.BENCH_CONFIG ?? '{}');

const nominal = new Column();
const started = new Column();
const finished = new Column();
/** Job ids in processing order (the same index as the columns), for counting duplicates. */
const jobIds = [];
let failures = 0;

const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });

async function processor(job) {
  const start = Date.now();
  const id = job.id ?? '';
  // The id carries the scheduler's nextMillis, the nominal instant (lib/firing.mjs puts a spread job's phase
  // in its startDate); a `data.offset` would be added to it.
  const at = Number(id.slice(id.lastIndexOf(':') + 1)) + Number(job.data?.offset ?? 0);
  if (config.mode === 'http') {
    const res = await request(`${config.target}?s=${at}&j=${encodeURIComponent(job.repeatJobKey ?? '')}`, {
      method: 'GET',
      dispatcher: agent,
    });
    for await (const chunk of res.body) void chunk;
    if (res.statusCode < 200 || res.statusCode >= 300) failures++;
  }
  nominal.push(at);
  jobIds.push(id);
  started.push(start);
  finished.push(Date.now());
}

const worker = new Worker(config.queue, processor, {
  connection: config.redis,
  concurrency: config.concurrency,
  // History is trimmed as a user would: keep the latest 1000 (sked keeps up to 1000 per job).
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
});
worker.on('error', (err) => process.stderr.write(`worker error: ${err.message}\n`));
worker.on('failed', () => failures++);

await worker.waitUntilReady();
process.send?.({ type: 'ready' });

process.on('message', async (msg) => {
  if (msg.cmd === 'collect') {
    const { w0, w1 } = msg;
    const startLate = [];
    const endLate = [];
    let due = 0;
    let dueStartedBy = 0;
    for (let i = 0; i < started.length; i++) {
      const s = started.data[i];
      const n = nominal.data[i];
      if (s >= w0 && s < w1) {
        startLate.push(s - n);
        endLate.push(finished.data[i] - n);
      }
      if (n >= w0 && n < w1) {
        due++;
        if (s < w1 + 1000) dueStartedBy++;
      }
    }
    process.send({
      type: 'collected',
      startLate,
      endLate,
      dueStartedBy,
      due,
      total: started.length,
      failures,
      ...(msg.ids ? { ids: jobIds } : {}),
    });
  } else if (msg.cmd === 'stop') {
    await worker.close(true).catch(() => undefined);
    await agent.close().catch(() => undefined);
    process.exit(0);
  }
});
