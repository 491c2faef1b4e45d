// Runs queries through the Quartz oracle (quartz-next), one JVM for a whole batch, with a watchdog:
// Quartz 2.3.2 loops forever on a few accepted expressions (e.g. `0 0 12 0W * ?`), so a query that does
// not answer within `lineTimeoutMs` is recorded as a hang, the JVM is killed and a new one picks up at
// the next query.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

const WARM_UP = '0 0 12 * * ?\tUTC\t2020-01-01T00:00:00Z\t1';

/** Path of the oracle: $QUARTZ_ORACLE, else ../shared/tools/quartz-oracle/quartz-next from the repo root. */
export function oraclePath(repoRoot) {
  return process.env.QUARTZ_ORACLE || path.resolve(repoRoot, '../shared/tools/quartz-oracle/quartz-next');
}

/**
 * @param {string} oracle path of quartz-next
 * @param {{expression: string, timeZone: string, start: string, count: number}[]} queries
 * @returns {Promise<{answer: string | null, hang: boolean}[]>} answer is the raw oracle line
 */
export async function runOracle(oracle, queries, { lineTimeoutMs = 5000, startTimeoutMs = 180000 } = {}) {
  const lines = queries.map((q) => {
    for (const f of [q.expression, q.timeZone, q.start]) {
      if (/[\t\n\r]/.test(f)) throw new Error(`query field contains a tab or newline: ${JSON.stringify(f)}`);
    }
    return `${q.expression}\t${q.timeZone}\t${q.start}\t${q.count}`;
  });
  const results = new Array(lines.length);
  let next = 0;
  while (next < lines.length) {
    const { answered, hung } = await runBatch(oracle, lines, next, results, lineTimeoutMs, startTimeoutMs);
    next += answered;
    if (hung) {
      results[next] = { answer: null, hang: true };
      next++;
    }
  }
  return results;
}

function runBatch(oracle, lines, from, results, lineTimeoutMs, startTimeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(oracle, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let buf = '';
    let warmedUp = false;
    let answered = 0;
    let finished = false;
    let timer = null;
    const want = lines.length - from;
    const finish = (fn) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      fn();
    };
    const arm = (ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        finish(() => {
          child.kill('SIGKILL');
          if (!warmedUp) reject(new Error(`oracle did not start within ${ms} ms: ${stderr}`));
          else resolve({ answered, hung: true });
        });
      }, ms);
    };
    arm(startTimeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {}); // EPIPE after a kill
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      if (finished) return;
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!warmedUp) {
          warmedUp = true;
        } else if (answered < want) {
          results[from + answered] = { answer: line, hang: false };
          answered++;
        }
      }
      arm(lineTimeoutMs);
    });
    child.on('error', (e) => finish(() => reject(e)));
    child.on('close', (code) => {
      finish(() => {
        if (answered < want) {
          reject(new Error(`oracle exited (code ${code}) after ${answered}/${want} answers: ${stderr}`));
        } else {
          resolve({ answered, hung: false });
        }
      });
    });
    child.stdin.end(`${WARM_UP}\n${lines.slice(from).join('\n')}\n`);
  });
}

/** Versions for the fixture headers: Quartz jar, `java -version` first line, Java's tzdb.dat version. */
export function environmentInfo() {
  let quartz = '2.3.2 (assumed)';
  try {
    const m = /quartz2?-(\d+\.\d+\.\d+)\.jar$/.exec(realpathSync('/usr/share/java/quartz2.jar'));
    if (m) quartz = m[1];
  } catch {
    /* jar elsewhere: keep the assumption */
  }
  let java = 'unknown';
  let javaTzdata = 'unknown';
  const r = spawnSync('java', ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  if (r.status === 0) {
    const err = r.stderr || '';
    const versionLine = err.split('\n').find((l) => /^(openjdk|java) version/.test(l));
    if (versionLine) java = versionLine.trim();
    const home = /^\s*java\.home = (.*)$/m.exec(err);
    if (home) javaTzdata = tzdbVersion(path.join(home[1].trim(), 'lib', 'tzdb.dat'));
  }
  return { quartz, java, javaTzdata, node: process.version, nodeTzdata: process.versions.tz || 'unknown' };
}

// tzdb.dat: byte 1, writeUTF("TZDB"), short versionCount, writeUTF(version)...
function tzdbVersion(file) {
  if (!existsSync(file)) return 'unknown';
  const b = readFileSync(file);
  let p = 1;
  const utf = () => {
    const n = b.readUInt16BE(p);
    const s = b.toString('utf8', p + 2, p + 2 + n);
    p += 2 + n;
    return s;
  };
  if (b[0] !== 1 || utf() !== 'TZDB') return 'unknown';
  const count = b.readUInt16BE(p);
  p += 2;
  const versions = [];
  for (let i = 0; i < count; i++) versions.push(utf());
  return versions.join(',') || 'unknown';
}
