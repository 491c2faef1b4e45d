/**
 * Source of the helper process that runs an `sqlite:` step (`node -e <source> <driverPath> <file>`,
 * the SQL on stdin). better-sqlite3 is synchronous and cannot be interrupted: on the main thread a
 * long statement would freeze every timer of the server (step timeouts, cancellation, the schedule),
 * and in a worker thread it could not be stopped. A process can always be killed, and SQLite's journal
 * makes that safe for the database.
 *
 * Protocol: row lines (one JSON object per row) on stdout, written synchronously so that a slow reader
 * holds the helper back instead of filling memory; then one JSON status line on stderr:
 * `{"rows":N}`, `{"changes":N}` or `{"error":"message"}`. Keep the value rules in sync with sql-rows.ts.
 */
export const SQLITE_HELPER_SOURCE = String.raw`
'use strict';
const fs = require('node:fs');
const [driverPath, file] = process.argv.slice(1);

function jsonValue(value) {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value instanceof Uint8Array) return '\\x' + Buffer.from(value).toString('hex');
  return value;
}

function rowLine(row) {
  const out = {};
  for (const key of Object.keys(row)) out[key] = jsonValue(row[key]);
  return JSON.stringify(out);
}

const BATCH_CHARS = 65536;
let pending = '';
function flush() {
  if (pending !== '') fs.writeSync(1, pending);
  pending = '';
}

function finish(status, code) {
  flush();
  fs.writeSync(2, '\n' + JSON.stringify(status) + '\n');
  process.exitCode = code;
}

let db = null;
try {
  const sql = fs.readFileSync(0, 'utf8');
  const Database = require(driverPath);
  db = new Database(file);
  let statement = null;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    // Several statements cannot be prepared at once: run them as a script and count the changes.
    if (!(error instanceof RangeError) || !/more than one statement/.test(error.message)) throw error;
  }
  if (statement === null) {
    const totalChanges = db.prepare('SELECT total_changes() AS n').pluck();
    const before = totalChanges.get();
    db.exec(sql);
    finish({ changes: totalChanges.get() - before }, 0);
  } else if (statement.reader) {
    statement.safeIntegers(true);
    let rows = 0;
    for (const row of statement.iterate()) {
      pending += rowLine(row) + '\n';
      rows++;
      if (pending.length >= BATCH_CHARS) flush();
    }
    finish({ rows }, 0);
  } else {
    finish({ changes: Number(statement.run().changes) }, 0);
  }
} catch (error) {
  finish({ error: error instanceof Error ? error.message : String(error) }, 1);
} finally {
  if (db !== null) {
    try { db.close(); } catch {}
  }
}
`;
