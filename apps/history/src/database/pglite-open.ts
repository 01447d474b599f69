import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';

/**
 * PostgreSQL's defaults are sized for a server; the embedded database of a laptop install holds a
 * few thousand turns. Emscripten zeroes the shared memory PostgreSQL asks for, so all of it is
 * resident from the start: with 2 MB of shared_buffers and room for 2 connections instead of 100
 * (PGlite is one), 11 MB of PGlite's WebAssembly memory is resident after opening, against 29 MB
 * with 16 MB of buffers. Turn writes took the same CPU with 2 MB as with 16 MB (they touch a few
 * pages at the end of each table and index), on a database of a few thousand turns.
 *
 * PGlite's `initialMemory` is no lever: the WebAssembly module declares a minimum of 128 MB (less
 * fails to instantiate), and the pages PostgreSQL never touches are not resident anyway.
 */
const EMBEDDED_SETTINGS = ['shared_buffers=2MB', 'max_connections=2'];

/**
 * Opens the embedded database in `dir` ('memory://' for a throwaway one). A new directory is
 * initialised (initdb) in a short-lived child process: initdb grows PGlite's WebAssembly memory
 * to ~700 MB, which a process never gives back, so doing it in the service itself would leave
 * history at that size for as long as it runs.
 */
export async function openPglite(dir: string): Promise<PGlite> {
  if (dir !== 'memory://') {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'PG_VERSION'))) await initialiseInChild(dir);
  }
  // V8 compiles PostgreSQL's WebAssembly with its baseline compiler (Liftoff), then recompiles the
  // hot functions with TurboFan on background threads, whose malloc'd memory stays resident for
  // good: with 16 MB of buffers, a bare PGlite on a reopened directory sat at 162-171 MB of RSS
  // after opening and 193-218 MB after 300 turn writes; 129-134 and 149-154 MB with baseline code
  // only. Baseline code also took less CPU for the first 500 turns after a start (1.8 against 4.1 ms
  // of history's CPU a turn: nothing to recompile) and no difference we could measure after 2,000.
  // The flag applies to WebAssembly compiled from now on (PGlite compiles its module here).
  setFlagsFromString('--liftoff-only');
  const db = new PGlite(dir, { postgresqlconf: EMBEDDED_SETTINGS });
  await db.waitReady;
  return db;
}

function initialiseInChild(dir: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = 'const { PGlite } = require(process.argv[1]); const db = new PGlite(process.argv[2]); db.waitReady.then(() => db.close());';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, entry, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initialising the embedded database in ${dir} failed (exit ${code}): ${stderr.slice(-500)}`))));
  });
}
