/**
 * Real concurrency for SQLite needs real processes (better-sqlite3 is synchronous: two handles in one
 * process only ever take turns). This transpiles the store and the domain (TypeScript → ESM, types
 * stripped) into a folder under node_modules/.cache, where child processes can import them with plain
 * `node` and still resolve better-sqlite3, and runs scripts there with a common start instant.
 */

import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SOURCES = ['src/domain', 'src/store'];

function transpileTree(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (statSync(source).isDirectory()) {
      transpileTree(source, join(to, name));
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      const output = ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        fileName: name,
      });
      mkdirSync(to, { recursive: true });
      writeFileSync(join(to, name.replace(/\.ts$/, '.js')), output.outputText);
    }
  }
}

export interface ChildStoreBuild {
  /** The folder holding `src/…` as JavaScript. */
  readonly dir: string;
  /**
   * Runs `script` (an ES module that may import './src/store/sqlite/sqlite-store.js') in `count`
   * processes at once; each gets `args`, its index and a start instant in `process.argv`, and must
   * print one JSON value on stdout, which is returned per process.
   */
  runConcurrently(script: string, count: number, args: string[]): Promise<unknown[]>;
  remove(): void;
}

export function buildStoreForChildren(): ChildStoreBuild {
  const dir = join(REPO, 'node_modules', '.cache', `sked-store-children-${process.pid}-${Date.now()}`);
  for (const source of SOURCES)
    transpileTree(join(REPO, source), join(dir, relative(REPO, join(REPO, source))));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  let scripts = 0;
  return {
    dir,
    async runConcurrently(script: string, count: number, args: string[]): Promise<unknown[]> {
      const file = join(dir, `script-${scripts++}.mjs`);
      writeFileSync(file, script);
      // far enough ahead that every process has started and opened the database
      const startAt = String(Date.now() + 1500);
      const runs = Array.from(
        { length: count },
        (_, index) =>
          new Promise<unknown>((resolve, reject) => {
            execFile(
              process.execPath,
              [file, ...args, String(index), startAt],
              { cwd: dir, timeout: 60_000 },
              (error, stdout, stderr) => {
                if (error) reject(new Error(`child ${index} failed: ${error.message}\n${stderr}`));
                else resolve(JSON.parse(stdout) as unknown);
              },
            );
          }),
      );
      return Promise.all(runs);
    },
    remove(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
