/**
 * CPU profiles of a child process over a chosen window, through the inspector protocol (the child runs
 * with `--inspect=127.0.0.1:0`; startSkedServer picks up its ws:// URL), and a summary of the top
 * self-time functions.
 *
 *   node bench/lib/profile.mjs FILE.cpuprofile [TOP]   — summarise a saved profile
 */

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'undici';

/** A minimal Chrome DevTools Protocol session. */
export async function connectInspector(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', (e) => reject(new Error(`inspector: ${e.message ?? 'connection failed'}`)), {
      once: true,
    });
  });
  let id = 0;
  const pending = new Map();
  ws.addEventListener('message', (event) => {
    const msg = JSON.parse(typeof event.data === 'string' ? event.data : Buffer.from(event.data).toString());
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  return {
    send(method, params = {}) {
      const n = ++id;
      ws.send(JSON.stringify({ id: n, method, params }));
      return new Promise((resolve, reject) => pending.set(n, { resolve, reject }));
    },
    close() {
      ws.close();
    },
  };
}

/** Starts sampling; `stop()` resolves with the .cpuprofile object. */
export async function startProfiling(session, intervalUs = 1000) {
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.send('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.send('Profiler.stop');
      return profile;
    },
  };
}

/** Top functions by self time, and self time by file. */
export function summarizeProfile(profile, top = 20) {
  const total = profile.samples?.length ?? profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const byFn = new Map();
  const byFile = new Map();
  const hits = new Map();
  if (profile.samples) for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  for (const node of profile.nodes) {
    const h = profile.samples ? (hits.get(node.id) ?? 0) : (node.hitCount ?? 0);
    if (!h) continue;
    const cf = node.callFrame;
    const file = cf.url ? shortUrl(cf.url) : '';
    const key = `${cf.functionName || '(anonymous)'}  ${file}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + h);
    const fileKey = file || cf.functionName || '(native)';
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + h);
  }
  // Native functions (better-sqlite3's `all`, `run`, `get`) say little alone: attribute them to the
  // nearest JavaScript caller with a source location.
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node);
  const byCaller = new Map();
  for (const node of profile.nodes) {
    const h = profile.samples ? (hits.get(node.id) ?? 0) : (node.hitCount ?? 0);
    if (!h || node.callFrame.url) continue;
    const name = node.callFrame.functionName;
    if (!name || name.startsWith('(')) continue;
    let p = parent.get(node.id);
    const chain = [];
    while (p && chain.length < 3) {
      if (p.callFrame.url && !p.callFrame.url.includes('node_modules/better-sqlite3'))
        chain.push(
          `${p.callFrame.functionName || '(anonymous)'} ${shortUrl(p.callFrame.url)}:${p.callFrame.lineNumber + 1}`,
        );
      p = parent.get(p.id);
    }
    const key = `${name} ← ${chain.join(' ← ') || '?'}`;
    byCaller.set(key, (byCaller.get(key) ?? 0) + h);
  }
  const durationMs = (profile.endTime - profile.startTime) / 1000;
  const rank = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, h]) => ({ name, pct: (100 * h) / total, ms: (h / total) * durationMs }));
  return {
    samples: total,
    durationMs,
    functions: rank(byFn),
    files: rank(byFile),
    natives: rank(byCaller).filter((x) => x.pct >= 0.5),
  };
}

function shortUrl(url) {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 1);
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  if (path.startsWith('node:')) return path;
  return basename(path);
}

export function printProfileSummary(summary, print = console.log) {
  print(`${summary.samples} samples over ${(summary.durationMs / 1000).toFixed(1)} s`);
  print('top self time by function:');
  for (const f of summary.functions) print(`  ${f.pct.toFixed(1).padStart(5)}%  ${f.name}`);
  print('self time by file:');
  for (const f of summary.files.slice(0, 12)) print(`  ${f.pct.toFixed(1).padStart(5)}%  ${f.name}`);
  if (summary.natives?.length) {
    print('native self time by JavaScript caller (≥ 0.5%):');
    for (const f of summary.natives.slice(0, 12)) print(`  ${f.pct.toFixed(1).padStart(5)}%  ${f.name}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/lib/profile.mjs FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  printProfileSummary(
    summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), Number(process.argv[3] ?? 25)),
  );
}
