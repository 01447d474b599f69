import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The set-up child's entry, compiled beside this file (dist/apps/history/…/database/). */
const SET_UP_SCRIPT = fileURLToPath(new URL('./set-up-new-pglite.js', import.meta.url));

/** What the child that sets up a new directory does besides initdb and the migrations. */
export interface NewDirectorySetup {
  /** KB_DIR, to load the shipped knowledge base for text search; unset leaves the seed to the service. */
  kbDir?: string;
  /** Receives the child's warnings (an article it could not read). */
  warn: (message: string) => void;
}

/**
 * Opens the embedded database in `dir` ('memory://' for a throwaway one). A new directory is set
 * up in a short-lived child process (set-up-new-pglite.ts): initdb grows PGlite's WebAssembly
 * memory to ~700 MB, which a process never gives back; the migrations and the first load of the
 * knowledge base, done in the service, left its idle RSS 30 s after ready at 143–147 MB against
 * 137–141 MB with them done here (132–137 MB on a reopened directory; docs/benchmarks.md item 21).
 * The caller still migrates: a reopened directory may be of an older schema.
 */
export async function openPglite(dir: string, setup: NewDirectorySetup): Promise<PGlite> {
  if (dir !== 'memory://') {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'PG_VERSION'))) await setUpInChild(dir, setup);
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

function setUpInChild(dir: string, setup: NewDirectorySetup): Promise<void> {
  // Run from the TypeScript sources (the specs import this file), there is no compiled script: the
  // child then runs initdb only, and the service migrates and seeds, as it would after a child
  // that died half-way.
  const args = existsSync(SET_UP_SCRIPT) ? [SET_UP_SCRIPT, dir, ...(setup.kbDir ? [setup.kbDir] : [])] : ['-e', INITDB_ONLY, pgliteEntry(), dir];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      for (const line of stdout.split('\n')) if (line) setup.warn(line);
      if (code === 0) resolve();
      else reject(new Error(`setting up the embedded database in ${dir} failed (exit ${code}): ${stderr.slice(-500)}`));
    });
  });
}

const INITDB_ONLY = 'const { PGlite } = require(process.argv[1]); const db = new PGlite(process.argv[2]); db.waitReady.then(() => db.close());';

function pgliteEntry(): string {
  return createRequire(import.meta.url).resolve('@electric-sql/pglite');
}
