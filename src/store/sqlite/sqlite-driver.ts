/**
 * The better-sqlite3 build this Node.js can run, chosen once at load.
 *
 * - Node.js 22 and newer: better-sqlite3 13, an N-API addon (prebuilt for the common platforms). The
 *   12.x line is built on `node::ObjectWrap`, whose destructor in Node 24's headers removes an
 *   environment cleanup hook; when V8 collects a statement while no context is entered, Node aborts
 *   (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook), at exit or mid-run.
 * - Node.js 20: better-sqlite3 12 (installed under the alias `better-sqlite3-node20`, compiled from
 *   source at install); 13 needs Node 22 and crashes on 20.
 *
 * Both expose the same API, typed by @types/better-sqlite3.
 */

import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);

/** The first Node.js major on which better-sqlite3 13 runs. */
const NAPI_DRIVER_MIN_NODE = 22;

const nodeMajor = Number(process.versions.node.split('.')[0]);

/** The package sked loads for SQLite on this Node.js. */
export const SQLITE_DRIVER_PACKAGE = nodeMajor >= NAPI_DRIVER_MIN_NODE ? 'better-sqlite3' : 'better-sqlite3-node20';

/** The driver's entry file, for helper processes that load it themselves. */
export const SQLITE_DRIVER_PATH: string = require.resolve(SQLITE_DRIVER_PACKAGE);

/** better-sqlite3's Database constructor. */
export const Database = require(SQLITE_DRIVER_PATH) as typeof BetterSqlite3;

/** An open better-sqlite3 database. */
export type SqliteDatabase = BetterSqlite3.Database;
