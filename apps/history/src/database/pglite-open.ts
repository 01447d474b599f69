import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * PostgreSQL's default shared_buffers (128 MB) is sized for a server; the embedded database of a
 * laptop install holds a few thousand turns. 16 MB takes an idle history process from ~280 MB
 * to ~190 MB of RSS (measured on a reopened data directory).
 */
const EMBEDDED_SETTINGS = ['shared_buffers=16MB'];

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
