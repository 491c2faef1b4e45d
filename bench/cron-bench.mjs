#!/usr/bin/env node
/**
 * Next-fire computation: sked's schedule module against croner and cron-parser, in one run.
 *
 *   npm run build && node bench/cron-bench.mjs [--ms=1000] [--warmup=200] [--zones=UTC,...] [--only=EXPR-SUBSTRING]
 *                                              [--mem-count=100000] [--skip-memory] [--skip-compile]
 *
 * For each expression × time zone, each library chains `d = next(d)` for `--ms` of wall time after a
 * `--warmup` (the chain restarts at 2025-01-01 when it passes 2035 or runs out): sked
 * `compileSchedule({type:'cron', expression, timeZone}).next(d)`, croner `new Cron(expr, {timezone}).nextRun(d)`,
 * cron-parser 5 both as a stateless `parse(expr, {currentDate: d, tz}).next()` (the same question sked and
 * croner answer) and as its stateful iterator (`it.next()` chained). Ratios use croner and the faster
 * of the two cron-parser modes. Before timing, the first 200 fires from two start instants are compared
 * between the libraries ("agree" column): a speed comparison of different answers would mean little.
 *
 * Then compile (parse) throughput per library, and memory per compiled schedule, each memory case in a
 * fresh `node --expose-gc` child (heap delta and RSS delta over 100,000 schedules).
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Cron } from 'croner';
import { CronExpressionParser } from 'cron-parser';
import { compileSchedule } from '../dist/schedule/index.js';
import { fmtInt, fmtNum, parseArgs, printHeader, printTable } from './lib/common.mjs';

const args = parseArgs();
const MEASURE_MS = Number(args.ms ?? 1000);
const WARMUP_MS = Number(args.warmup ?? 200);
const MEM_COUNT = Number(args['mem-count'] ?? 100_000);

const ZONES = (args.zones ?? 'UTC,America/New_York,Europe/London,Australia/Lord_Howe,Asia/Kolkata').split(
  ',',
);
const DST_ZONES = new Set(['America/New_York', 'Europe/London', 'Australia/Lord_Howe']);

/**
 * The corpus. `croner` / `cp` give a library's spelling when it differs; `false` = not supported there.
 * Quartz-style 6-field ones are seconds-first in all three (croner and cron-parser read 6 fields as
 * seconds first too, and accept `?`).
 */
const CORPUS = [
  { expr: '*/5 * * * *', kind: 'common' },
  { expr: '0 * * * *', kind: 'common' },
  { expr: '0 9 * * 1-5', kind: 'common' },
  { expr: '30 2 * * *', kind: 'common' },
  { expr: '0 0 1 * *', kind: 'common' },
  { expr: '*/15 9-17 * * MON-FRI', kind: 'common' },
  { expr: '0 0 12 * * ?', kind: 'quartz' },
  { expr: '0 */10 * * * ?', kind: 'quartz' },
  { expr: '0 15 10 ? * MON-FRI', kind: 'quartz' },
  { expr: '* * * * * ?', kind: 'quartz' },
  { expr: '0 0 29 2 *', kind: 'rare' },
  { expr: '0 0 L * *', kind: 'rare' },
  { expr: '0 0 * * 5#3', kind: 'rare' },
  { expr: '0 0 * * 5L', kind: 'rare' },
  { expr: '0 0 12 LW * ?', kind: 'rare', cp: false },
  { expr: '0 0 13 * 5', kind: 'rare' },
].filter((c) => !args.only || c.expr.includes(args.only));

const START = Date.UTC(2025, 0, 1);
const HORIZON = Date.UTC(2035, 0, 1);
const START_DATE = new Date(START);

// --- one constructor per library ------------------------------------------------------------------

function skedOf(expr, tz) {
  return compileSchedule({ type: 'cron', expression: expr, timeZone: tz });
}
function cronerOf(expr, tz) {
  return new Cron(expr, { timezone: tz });
}
function cpOf(expr, tz, currentDate) {
  return CronExpressionParser.parse(expr, currentDate === undefined ? { tz } : { currentDate, tz });
}

function spelling(entry, lib) {
  const v = entry[lib];
  if (v === false) return null;
  return typeof v === 'string' ? v : entry.expr;
}

// --- chained next(): one monomorphic loop per library ---------------------------------------------

function loopSked(s, ms) {
  let d = START_DATE;
  let n = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 128; i++) {
      d = s.next(d);
      if (d === null || d.getTime() > HORIZON) d = START_DATE;
    }
    n += 128;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

function loopCroner(c, ms) {
  let d = START_DATE;
  let n = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 128; i++) {
      d = c.nextRun(d);
      if (d === null || d.getTime() > HORIZON) d = START_DATE;
    }
    n += 128;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/** cron-parser answering the same stateless question: "next after d" (parse + next per call). */
function loopCpStateless(expr, tz, ms) {
  let d = START_DATE;
  let n = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 16; i++) {
      d = CronExpressionParser.parse(expr, { currentDate: d, tz }).next().toDate();
      if (d.getTime() > HORIZON) d = START_DATE;
    }
    n += 16;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/** cron-parser's own iterator: `it.next()` chained. */
function loopCpIterator(it, ms) {
  let n = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 16; i++) {
      const c = it.next();
      if (c.getTime() > HORIZON) it.reset(START_DATE);
    }
    n += 16;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/** next/s, or NaN when the library throws on this expression (reported as "throws"). */
function measure(loop) {
  try {
    loop(WARMUP_MS);
    return loop(MEASURE_MS);
  } catch {
    return NaN;
  }
}

const fmtRate = (v) => (v === null ? '—' : Number.isNaN(v) ? 'throws' : fmtInt(v));

// --- agreement ------------------------------------------------------------------------------------

/** Fires compared up to 2100: sked's cron (like Quartz's) stops at year 2199, the others do not. */
const AGREE_UNTIL = Date.UTC(2100, 0, 1);

function firstFires(nextFn, from, count) {
  const out = [];
  let d = new Date(from);
  for (let i = 0; i < count; i++) {
    d = nextFn(d);
    if (d === null || d.getTime() >= AGREE_UNTIL) break;
    out.push(d.getTime());
  }
  return out;
}

/** 'yes', or where the first difference is (sked's instant). The first 200 fires (before 2100) from 2025-01-01 and from 2026-03-01. */
function agreement(entry, tz) {
  const diffs = [];
  for (const from of [START, Date.UTC(2026, 2, 1)]) {
    const sked = skedOf(entry.expr, tz);
    const ref = firstFires((d) => sked.next(d), from, 200);
    const others = [];
    const ce = spelling(entry, 'croner');
    if (ce) {
      const c = cronerOf(ce, tz);
      others.push(['croner', firstFires((d) => c.nextRun(d), from, 200)]);
    }
    const pe = spelling(entry, 'cp');
    if (pe) {
      try {
        const it = cpOf(pe, tz, new Date(from));
        const list = [];
        for (let i = 0; i < 200; i++) {
          const t = it.next().getTime();
          if (t >= AGREE_UNTIL) break;
          list.push(t);
        }
        others.push(['cron-parser', list]);
      } catch (err) {
        diffs.push(`cron-parser throws (${err.message})`);
      }
    }
    for (const [name, list] of others) {
      const i = ref.findIndex((t, k) => t !== list[k]);
      if (i >= 0 || list.length !== ref.length) {
        const k = i >= 0 ? i : Math.min(ref.length, list.length);
        diffs.push(`${name}@${new Date(ref[k] ?? list[k]).toISOString().slice(0, 16)}`);
      }
    }
  }
  return diffs.length ? `differs: ${[...new Set(diffs)].slice(0, 2).join(' ')}` : 'yes';
}

// --- compile throughput ---------------------------------------------------------------------------

/** 10,000 distinct plain 5-field expressions every library accepts. */
function generatedExpressions(count) {
  const out = [];
  for (let i = 0; out.length < count; i++) {
    const m = i % 60;
    const h = Math.floor(i / 60) % 24;
    const dom = (Math.floor(i / 1440) % 28) + 1;
    const mon = (Math.floor(i / 40320) % 12) + 1;
    out.push(`${m} ${h} ${dom} ${mon} *`);
  }
  return out;
}

function compileRate(make, items) {
  const run = (ms) => {
    let n = 0;
    let sink = 0;
    const t0 = performance.now();
    const end = t0 + ms;
    let t = t0;
    while (t < end) {
      for (let i = 0; i < 64; i++) {
        const it = items[(n + i) % items.length];
        if (make(it[0], it[1])) sink++;
      }
      n += 64;
      t = performance.now();
    }
    if (sink < 0) console.log(sink);
    return (n * 1000) / (t - t0);
  };
  run(WARMUP_MS);
  return run(MEASURE_MS);
}

// --- memory (in a child with --expose-gc) ----------------------------------------------------------

const MEM_CASES = {
  'sked:distinct': { lib: 'sked', distinct: true },
  'sked:repeated': { lib: 'sked', distinct: false },
  'croner:distinct': { lib: 'croner', distinct: true },
  'croner:repeated': { lib: 'croner', distinct: false },
  'cron-parser:distinct': { lib: 'cron-parser', distinct: true },
  'cron-parser:repeated': { lib: 'cron-parser', distinct: false },
};

function memoryChild(caseName, count) {
  const { lib, distinct } = MEM_CASES[caseName];
  const gc = globalThis.gc;
  const repeatedPool = CORPUS.filter((e) => spelling(e, lib === 'cron-parser' ? 'cp' : lib));
  const exprs = distinct
    ? generatedExpressions(count)
    : Array.from({ length: count }, (_, i) =>
        spelling(repeatedPool[i % repeatedPool.length], lib === 'cron-parser' ? 'cp' : lib),
      );
  // Inputs (strings, spec objects) exist before the baseline: only what compiling adds is counted.
  const specs = exprs.map((expression, i) => ({
    type: 'cron',
    expression,
    timeZone: ZONES[i % ZONES.length],
  }));
  const out = new Array(count).fill(null);
  const make =
    lib === 'sked'
      ? (s) => compileSchedule(s)
      : lib === 'croner'
        ? (s) => new Cron(s.expression, { timezone: s.timeZone })
        : (s) => CronExpressionParser.parse(s.expression, { tz: s.timeZone, currentDate: START_DATE });
  // Warm the shared state (zones) with one of each so it is not charged to the first schedules.
  for (const z of ZONES) make({ type: 'cron', expression: '0 0 * * *', timeZone: z });
  const settle = () => {
    for (let i = 0; i < 4; i++) gc();
  };
  settle();
  const m0 = process.memoryUsage();
  for (let i = 0; i < count; i++) out[i] = make(specs[i]);
  settle();
  const m1 = process.memoryUsage();
  // The engine asks every schedule for its next fire: count lazily built state too.
  for (let i = 0; i < count; i++) {
    const o = out[i];
    if (lib === 'sked') o.next(START_DATE);
    else if (lib === 'croner') o.nextRun(START_DATE);
    else o.next();
  }
  settle();
  const m2 = process.memoryUsage();
  const per = (a, b, k) => (b[k] - a[k]) / count;
  process.stdout.write(
    JSON.stringify({
      caseName,
      count,
      distinctExpressions: new Set(exprs).size,
      heapCompiled: per(m0, m1, 'heapUsed'),
      heapAfterNext: per(m0, m2, 'heapUsed'),
      externalAfterNext: per(m0, m2, 'external'),
      rssAfterNext: per(m0, m2, 'rss'),
      keep: out.length,
    }),
  );
}

/** croner instances are large (tens of KB each): 100,000 of them exceed the default heap. */
const MEM_COUNT_CAP = { croner: 10_000 };

function memoryCase(caseName) {
  const lib = MEM_CASES[caseName].lib;
  const count = Math.min(MEM_COUNT, MEM_COUNT_CAP[lib] ?? Infinity);
  const res = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      fileURLToPath(import.meta.url),
      `--mem-child=${caseName}`,
      `--mem-count=${count}`,
      `--zones=${ZONES.join(',')}`,
    ],
    { encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 20 },
  );
  if (res.status !== 0) {
    const err = res.stderr || res.error?.message || `exit ${res.status}`;
    return {
      caseName,
      count,
      error: /heap out of memory/i.test(err)
        ? 'out of memory'
        : (err
            .trim()
            .split('\n')
            .find((l) => /Error/.test(l)) ?? err.trim().split('\n')[0]),
    };
  }
  return JSON.parse(res.stdout);
}

// --- --corpus: every distinct expression of the Quartz conformance corpus ---------------------------

const CORPUS_FILE =
  args['corpus-file'] ?? fileURLToPath(new URL('../test/fixtures/quartz-corpus.tsv', import.meta.url));
const CORPUS_MS = Number(args['corpus-ms'] ?? 20);
const CORPUS_WARMUP_MS = Number(args['corpus-warmup'] ?? 5);
/** Rows whose first ratio is below this are measured again, longer (a busy machine makes 20 ms noisy). */
const CORPUS_CONFIRM_BELOW = Number(args['corpus-confirm-below'] ?? 1.5);
const CORPUS_CONFIRM_MS = Number(args['corpus-confirm-ms'] ?? 300);
const CORPUS_AGREE = Number(args['corpus-agree'] ?? 100);
const CORPUS_TOP = Number(args['corpus-top'] ?? 25);
const CORPUS_LIMIT = args['corpus-limit'] ? Number(args['corpus-limit']) : Infinity;
/** `pair`: every distinct (expression, zone) of the corpus; `expr`: every distinct expression, in the zone of its first row. */
const CORPUS_BY = args['corpus-by'] ?? 'pair';
const CORPUS_DST = args['corpus-dst'] ?? 'compatible';

/**
 * The Quartz spelling for croner: the same text with croner's Quartz options, weekdays numbered 1 = SUN
 * … 7 = SAT (`alternativeWeekdays`) and `a/n` steps (`sloppyRanges`); croner reads `?` as `*`, 6 fields as
 * seconds first and a 7th as the year. What croner rejects (e.g. overflowing ranges `50-10`, `L-3`) or
 * answers differently (e.g. year steps, which Quartz counts from 1970) is skipped by the agreement check.
 */
const CRONER_QUARTZ = { alternativeWeekdays: true, sloppyRanges: true };

/** Distinct (expression, zone) pairs of the corpus file, in file order, with the start instants of their rows. */
function readCorpus(file) {
  const pairs = new Map();
  let rows = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [expression, zone, start] = line.split('\t'); // never trimmed: see test/fixtures/README.md
    rows++;
    const key = CORPUS_BY === 'expr' ? expression : `${expression}\t${zone}`;
    let p = pairs.get(key);
    if (!p) pairs.set(key, (p = { expression, zone, starts: [] }));
    if (p.zone === zone && p.starts.length < 3) p.starts.push(Date.parse(start));
  }
  return { rows, items: [...pairs.values()] };
}

/** Chained next/s with batches that grow from 1 (a call may take milliseconds: croner on a rare expression).
 * chainCroner is the same loop on purpose: one loop per library keeps each measured call site monomorphic
 * (a shared loop taking a `next` callback would measure both through a polymorphic call). */
function chainSked(s, ms) {
  let d = START_DATE;
  let n = 0;
  let batch = 1;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms || n < 2) {
    for (let i = 0; i < batch; i++) {
      d = s.next(d);
      if (d === null || d.getTime() > HORIZON) d = START_DATE;
    }
    n += batch;
    t = performance.now();
    if (batch < 256 && (t - t0) * 8 < ms) batch *= 2;
  }
  return (n * 1000) / (t - t0);
}

function chainCroner(c, ms) {
  let d = START_DATE;
  let n = 0;
  let batch = 1;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms || n < 2) {
    for (let i = 0; i < batch; i++) {
      d = c.nextRun(d);
      if (d === null || d.getTime() > HORIZON) d = START_DATE;
    }
    n += batch;
    t = performance.now();
    if (batch < 256 && (t - t0) * 8 < ms) batch *= 2;
  }
  return (n * 1000) / (t - t0);
}

/** Fires from `from` while before HORIZON (the span the chains cover), at most `count`. */
function firesUntilHorizon(nextFn, from, count) {
  const out = [];
  let d = new Date(from);
  for (let i = 0; i < count; i++) {
    d = nextFn(d);
    if (d === null || d.getTime() > HORIZON) break;
    out.push(d.getTime());
  }
  return out;
}

/** null when croner answers as sked does: the first fires of the measured chain and from the corpus rows' starts. */
function corpusDisagreement(sked, croner, starts) {
  for (const [from, count] of [[START, CORPUS_AGREE], ...starts.map((s) => [s, 12])]) {
    const a = firesUntilHorizon((d) => sked.next(d), from, count);
    const b = firesUntilHorizon((d) => croner.nextRun(d), from, count);
    const i = a.findIndex((t, k) => t !== b[k]);
    if (i >= 0 || a.length !== b.length) {
      const k = i >= 0 ? i : Math.min(a.length, b.length);
      const show = (t) => (t === undefined ? 'none' : new Date(t).toISOString().slice(0, 19));
      return `from ${new Date(from).toISOString().slice(0, 19)}: fire ${k + 1} sked ${show(a[k])} croner ${show(b[k])}`;
    }
  }
  return null;
}

function quantile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function corpusMode() {
  printHeader(
    'cron-bench --corpus: next/s, sked vs croner, every expression of the Quartz conformance corpus',
  );
  const cronerVersion = (await import('croner/package.json', { with: { type: 'json' } })).default.version;
  const { rows: fileRows, items: allItems } = readCorpus(CORPUS_FILE);
  const items = allItems.slice(0, CORPUS_LIMIT);
  const distinctExprs = new Set(allItems.map((p) => p.expression)).size;
  const zones = new Set(allItems.map((p) => p.zone)).size;
  console.log(
    `corpus ${CORPUS_FILE.replace(process.cwd() + '/', '')}: ${fmtInt(fileRows)} rows, ${fmtInt(distinctExprs)} distinct expressions, ${zones} zones; measuring ${fmtInt(items.length)} ${CORPUS_BY === 'expr' ? 'distinct expressions (each in the zone of its first row)' : 'distinct (expression, zone) pairs'}`,
  );
  console.log(
    `sked compileSchedule({type: 'cron', dialect: 'quartz', dst: '${CORPUS_DST}', expression, timeZone}).next(d); croner ${cronerVersion} new Cron(expression, {timezone, alternativeWeekdays: true, sloppyRanges: true}).nextRun(d); chained d = next(d) from ${new Date(START).toISOString().slice(0, 10)}, restarting when past ${new Date(HORIZON).toISOString().slice(0, 10)} or at no fire; ${CORPUS_MS} ms per library after ${CORPUS_WARMUP_MS} ms warm-up each; rows with sked/croner < ${CORPUS_CONFIRM_BELOW} measured again (${CORPUS_CONFIRM_MS} ms per library in 3 interleaved rounds, best round kept)`,
  );
  console.log(
    `agreement (else skipped): the first ${CORPUS_AGREE} fires of the chain before ${new Date(HORIZON).toISOString().slice(0, 10)}, and 12 fires from each corpus start (up to 3) of the row`,
  );
  console.log('');

  const skipped = new Map(); // reason → { count, example }
  const skip = (reason, item, detail) => {
    const s = skipped.get(reason) ?? { count: 0, example: null };
    s.count++;
    s.example ??= `${item.expression} (${item.zone})${detail ? `: ${detail}` : ''}`;
    skipped.set(reason, s);
  };
  const measured = [];
  let confirmed = 0;
  // Warm both libraries' code on the first 200 items (unmeasured), so the first rows are not measured cold.
  for (const item of items.slice(0, 200)) {
    try {
      const spec = {
        type: 'cron',
        dialect: 'quartz',
        dst: CORPUS_DST,
        expression: item.expression,
        timeZone: item.zone,
      };
      chainSked(compileSchedule(spec), 2);
      chainCroner(new Cron(item.expression, { timezone: item.zone, ...CRONER_QUARTZ }), 2);
    } catch {
      /* skipped below */
    }
  }
  const t0 = Date.now();
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (k % 250 === 0) process.stderr.write(`\r[cron-bench --corpus] ${k}/${items.length} `);
    let sked;
    try {
      sked = compileSchedule({
        type: 'cron',
        dialect: 'quartz',
        dst: CORPUS_DST,
        expression: item.expression,
        timeZone: item.zone,
      });
    } catch (err) {
      skip('sked rejects (a bug: the corpus is valid Quartz)', item, err.message.slice(0, 80));
      continue;
    }
    let croner;
    try {
      croner = new Cron(item.expression, { timezone: item.zone, ...CRONER_QUARTZ });
    } catch (err) {
      skip('croner rejects the expression', item, err.message.replace(/^CronPattern: /, '').slice(0, 70));
      continue;
    }
    try {
      const why = corpusDisagreement(sked, croner, item.starts);
      if (why) {
        skip('croner answers differently', item, why);
        continue;
      }
    } catch (err) {
      skip('croner or sked throws computing fires', item, err.message.slice(0, 80));
      continue;
    }
    chainSked(sked, CORPUS_WARMUP_MS);
    const skedRate = chainSked(sked, CORPUS_MS);
    chainCroner(croner, CORPUS_WARMUP_MS);
    const cronerRate = chainCroner(croner, CORPUS_MS);
    const row = { ...item, sked: skedRate, croner: cronerRate, ratio: skedRate / cronerRate, first: null };
    if (row.ratio < CORPUS_CONFIRM_BELOW) {
      // Interleaved rounds, best of each: a burst of other work on this shared machine hits one round.
      confirmed++;
      row.first = row.ratio;
      let bs = 0;
      let bc = 0;
      for (let r = 0; r < 3; r++) {
        bs = Math.max(bs, chainSked(sked, CORPUS_CONFIRM_MS / 3));
        bc = Math.max(bc, chainCroner(croner, CORPUS_CONFIRM_MS / 3));
      }
      row.sked = bs;
      row.croner = bc;
      row.ratio = bs / bc;
    }
    measured.push(row);
  }
  process.stderr.write(
    `\r[cron-bench --corpus] ${items.length}/${items.length} in ${fmtNum((Date.now() - t0) / 1000, 0)} s\n`,
  );

  const ratios = Float64Array.from(measured.map((r) => r.ratio)).sort();
  const slower = measured.filter((r) => r.ratio < 1).sort((a, b) => a.ratio - b.ratio);
  const fmtRatio = (v) => (v === null ? '—' : `${fmtNum(v, v < 10 ? 2 : 0)}×`);
  const skippedTotal = [...skipped.values()].reduce((s, v) => s + v.count, 0);

  console.log('## summary');
  printTable(
    [
      { key: 'what', title: 'what', align: 'l' },
      { key: 'value', title: 'value', align: 'l' },
    ],
    [
      {
        what: CORPUS_BY === 'expr' ? 'expressions in the corpus' : '(expression, zone) pairs in the corpus',
        value: fmtInt(items.length),
      },
      { what: 'measured (croner agrees)', value: fmtInt(measured.length) },
      { what: 'skipped', value: fmtInt(skippedTotal) },
      { what: 'sked/croner ratio: min', value: fmtRatio(quantile(ratios, 0)) },
      { what: 'sked/croner ratio: p1', value: fmtRatio(quantile(ratios, 0.01)) },
      { what: 'sked/croner ratio: p5', value: fmtRatio(quantile(ratios, 0.05)) },
      { what: 'sked/croner ratio: median', value: fmtRatio(quantile(ratios, 0.5)) },
      { what: 'sked/croner ratio: max', value: fmtRatio(quantile(ratios, 1)) },
      {
        what: 'sked next/s: min / median',
        value: `${fmtInt(Math.min(...measured.map((r) => r.sked)))} / ${fmtInt(quantile(Float64Array.from(measured.map((r) => r.sked)).sort(), 0.5))}`,
      },
      {
        what: 'croner next/s: min / median',
        value: `${fmtInt(Math.min(...measured.map((r) => r.croner)))} / ${fmtInt(quantile(Float64Array.from(measured.map((r) => r.croner)).sort(), 0.5))}`,
      },
      { what: `measured again (first ratio < ${CORPUS_CONFIRM_BELOW})`, value: fmtInt(confirmed) },
      { what: 'sked slower than croner (ratio < 1, after re-measuring)', value: fmtInt(slower.length) },
    ],
  );
  console.log('');
  console.log('## skipped');
  printTable(
    [
      { key: 'reason', title: 'reason', align: 'l' },
      { key: 'count', title: 'count', format: fmtInt },
      { key: 'example', title: 'first example', align: 'l' },
    ],
    [...skipped].map(([reason, v]) => ({ reason, ...v })),
  );
  console.log('');
  const slowest = [...measured].sort((a, b) => a.ratio - b.ratio).slice(0, CORPUS_TOP);
  console.log(`## the ${slowest.length} lowest sked/croner ratios`);
  printTable(
    [
      { key: 'expression', title: 'expression', align: 'l' },
      { key: 'zone', title: 'zone', align: 'l' },
      { key: 'sked', title: 'sked next/s', format: fmtInt },
      { key: 'croner', title: 'croner next/s', format: fmtInt },
      { key: 'ratio', title: 'sked/croner', format: fmtRatio },
      { key: 'first', title: 'first 20 ms ratio', format: (v) => (v === null ? '' : fmtRatio(v)) },
      { key: 'flag', title: '', align: 'l' },
    ],
    slowest.map((r) => ({ ...r, flag: r.ratio < 1 ? 'SLOWER than croner' : '' })),
  );
  console.log('');
  console.log('## target (issue 3)');
  printTable(
    [
      { key: 'target', title: 'target', align: 'l' },
      { key: 'measured', title: 'measured', align: 'l' },
      { key: 'verdict', title: 'verdict', align: 'l' },
    ],
    [
      {
        target: 'never slower than croner on any expression of the corpus',
        measured: `${slower.length} of ${fmtInt(measured.length)} measured slower (${fmtInt(skippedTotal)} skipped: croner rejects them or answers differently)`,
        verdict: slower.length === 0 ? 'met (on the measured ones)' : 'MISSED',
      },
    ],
  );
  if (args.json) console.log(JSON.stringify({ measured, skipped: Object.fromEntries(skipped) }));
}

// --- main ---------------------------------------------------------------------------------------

async function main() {
  if (args['mem-child']) {
    memoryChild(args['mem-child'], MEM_COUNT);
    return;
  }
  if (args.corpus) {
    await corpusMode();
    return;
  }
  printHeader('cron-bench: next-fire computation, sked vs croner vs cron-parser');
  console.log(
    `croner ${(await import('croner/package.json', { with: { type: 'json' } })).default.version}, cron-parser ${(await import('cron-parser/package.json', { with: { type: 'json' } })).default.version}; ${MEASURE_MS} ms per measurement after ${WARMUP_MS} ms warm-up; chains restart at ${new Date(START).toISOString().slice(0, 10)} when past ${new Date(HORIZON).toISOString().slice(0, 10)}`,
  );
  console.log('');

  const rows = [];
  for (const entry of CORPUS) {
    for (const tz of ZONES) {
      const row = { expr: entry.expr, kind: entry.kind, tz };
      try {
        row.agree = agreement(entry, tz);
      } catch (err) {
        row.agree = `error: ${err.message}`;
      }
      row.sked = measure((ms) => loopSked(skedOf(entry.expr, tz), ms));
      const ce = spelling(entry, 'croner');
      row.croner = ce ? measure((ms) => loopCroner(cronerOf(ce, tz), ms)) : null;
      const pe = spelling(entry, 'cp');
      row.cpNext = pe ? measure((ms) => loopCpStateless(pe, tz, ms)) : null;
      row.cpIter = pe ? measure((ms) => loopCpIterator(cpOf(pe, tz, START_DATE), ms)) : null;
      const cpBest = Math.max(row.cpNext || 0, row.cpIter || 0) || null;
      row.vsCroner = row.croner ? row.sked / row.croner : null;
      row.vsCp = cpBest ? row.sked / cpBest : null;
      row.flag = Number.isNaN(row.sked)
        ? 'sked throws'
        : row.croner && row.sked < row.croner
          ? 'SLOWER than croner'
          : '';
      rows.push(row);
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  console.log('## next/s (chained d = next(d))');
  printTable(
    [
      { key: 'expr', title: 'expression', align: 'l' },
      { key: 'kind', title: 'kind', align: 'l' },
      { key: 'tz', title: 'zone', align: 'l' },
      { key: 'sked', title: 'sked', format: fmtRate },
      { key: 'croner', title: 'croner', format: fmtRate },
      { key: 'cpNext', title: 'cron-parser', format: fmtRate },
      { key: 'cpIter', title: 'c-p iter', format: fmtRate },
      {
        key: 'vsCroner',
        title: 'sked/croner',
        format: (v) => (v === null ? '—' : `${fmtNum(v, v < 10 ? 2 : 0)}×`),
      },
      { key: 'vsCp', title: 'sked/c-p', format: (v) => (v === null ? '—' : `${fmtNum(v, v < 10 ? 2 : 0)}×`) },
      { key: 'agree', title: 'agree', align: 'l' },
      { key: 'flag', title: '', align: 'l' },
    ],
    rows,
  );
  console.log(
    '("cron-parser" = parse(expr, {currentDate: d, tz}).next() per call, the same stateless question; "c-p iter" = its iterator chained; sked/c-p uses the faster of the two)',
  );
  console.log('');

  const results = { rows };
  if (!args['skip-compile']) {
    const generated = generatedExpressions(10_000).map((e, i) => [e, ZONES[i % ZONES.length]]);
    const corpusFor = (lib) =>
      CORPUS.flatMap((e) => ZONES.map((z) => [spelling(e, lib), z])).filter(([e]) => e);
    const libs = [
      ['sked', (e, z) => skedOf(e, z), corpusFor('sked')],
      ['croner', (e, z) => cronerOf(e, z), corpusFor('croner')],
      ['cron-parser', (e, z) => cpOf(e, z, START_DATE), corpusFor('cp')],
    ];
    const compileRows = libs.map(([lib, make, corpus]) => ({
      lib,
      generated: compileRate(make, generated),
      corpus: compileRate(make, corpus),
      corpusSize: corpus.length,
    }));
    console.log('## compile (parse) throughput, expressions/s');
    printTable(
      [
        { key: 'lib', title: 'library', align: 'l' },
        { key: 'generated', title: '10,000 distinct 5-field', format: fmtInt },
        { key: 'corpus', title: 'corpus × zones', format: fmtInt },
        { key: 'corpusSize', title: 'corpus items', format: fmtInt },
      ],
      compileRows,
    );
    console.log('');
    results.compile = compileRows;
  }

  if (!args['skip-memory']) {
    const memRows = Object.keys(MEM_CASES).map((c) => memoryCase(c));
    console.log(
      `## memory per compiled schedule (up to ${fmtInt(MEM_COUNT)} in one array, fresh node --expose-gc per row; inputs allocated before the baseline)`,
    );
    printTable(
      [
        { key: 'caseName', title: 'case', align: 'l' },
        { key: 'count', title: 'schedules', format: fmtInt },
        { key: 'distinctExpressions', title: 'distinct exprs', format: fmtInt },
        { key: 'heapCompiled', title: 'heap B/sched', format: (v) => fmtInt(v) },
        { key: 'heapAfterNext', title: 'heap B after next()', format: (v) => fmtInt(v) },
        { key: 'externalAfterNext', title: 'external B', format: (v) => fmtInt(v) },
        { key: 'rssAfterNext', title: 'RSS B', format: (v) => fmtInt(v) },
        { key: 'error', title: '', align: 'l' },
      ],
      memRows,
    );
    console.log(
      `(zones: ${ZONES.join(', ')}, cycled; "repeated" = the corpus expressions cycled, so schedules repeat and share zones; heap counts include the array slot, 8 B)`,
    );
    console.log('');
    results.memory = memRows;
  }

  // --- targets (issue 3) ---
  const commonDst = rows.filter((r) => r.kind === 'common' && DST_ZONES.has(r.tz));
  const minCommonDst = commonDst.length ? Math.min(...commonDst.map((r) => r.sked)) : null;
  const slower = rows.filter((r) => r.flag);
  const skedCompile = results.compile?.find((r) => r.lib === 'sked');
  const skedMem = results.memory?.filter((r) => r.caseName.startsWith('sked') && !r.error) ?? [];
  const worstMem = skedMem.length ? Math.max(...skedMem.map((r) => r.heapAfterNext)) : null;
  console.log('## targets (issue 3)');
  const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'met' : 'MISSED');
  printTable(
    [
      { key: 'target', title: 'target', align: 'l' },
      { key: 'measured', title: 'measured', align: 'l' },
      { key: 'verdict', title: 'verdict', align: 'l' },
    ],
    [
      {
        target: '>= 2,000,000 next/s, common expressions, DST zones (minimum)',
        measured: fmtInt(minCommonDst),
        verdict: verdict(minCommonDst === null ? null : minCommonDst >= 2_000_000),
      },
      {
        target: 'never slower than croner',
        measured: `${slower.length} of ${rows.filter((r) => r.croner).length} rows slower`,
        verdict: verdict(slower.length === 0),
      },
      {
        target: 'compile >= 200,000 expressions/s',
        measured: skedCompile
          ? `${fmtInt(skedCompile.generated)} (distinct), ${fmtInt(skedCompile.corpus)} (corpus)`
          : '—',
        verdict: skedCompile
          ? verdict(Math.min(skedCompile.generated, skedCompile.corpus) >= 200_000)
          : 'n/a',
      },
      {
        target: '< 1 KiB per compiled schedule (heap)',
        measured: worstMem === null ? '—' : `${fmtInt(worstMem)} B (worst sked case)`,
        verdict: verdict(worstMem === null ? null : worstMem < 1024),
      },
    ],
  );
  if (args.json) console.log(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
