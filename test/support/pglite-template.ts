import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestRedis } from './redis-server.js';
import { ServiceProcess } from './service-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PREFIX = 'chat-history-template-';
/** Templates of older builds are removed once this old (a run of another build may still copy its own). */
const STALE_MS = 24 * 3_600_000;

/**
 * A PGlite data directory as history leaves it after its first start on this build: migrated, the
 * shipped knowledge base loaded, shut down cleanly. Creating a PGlite database (its initdb) takes
 * history about 6 s of a 2-core machine; a stack copies this directory instead and history opens
 * it as it opens its data directory on every later start. Suites that test the first start itself
 * (start script, compose, the knowledge-base settings) do not use it.
 *
 * Built once per build of history and kb/ (the directory name carries their fingerprint), shared
 * by every suite of a run and by parallel runs: it is built under a private name and renamed
 * into place, so a reader never sees half of one.
 */
export async function pgliteTemplate(): Promise<string> {
  const path = join(tmpdir(), `${PREFIX}${fingerprint()}`);
  if (existsSync(join(path, 'READY'))) return path;
  removeStale(path);
  const building = mkdtempSync(`${path}.building-`);
  const redis = await TestRedis.start();
  try {
    const history = await ServiceProcess.start('history', { REDIS_URL: redis.url, REDIS_PREFIX: 'template', HISTORY_DATA_DIR: building });
    await history.stop();
    writeFileSync(join(building, 'READY'), '');
    try {
      renameSync(building, path);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another run put its copy there first
    }
  } finally {
    await redis.stop();
  }
  return path;
}

/** What the template depends on: history's build and the shipped knowledge base (names, sizes, times). */
function fingerprint(): string {
  const hash = createHash('sha1');
  for (const dir of ['dist/apps/history', 'kb']) {
    for (const file of listFiles(join(root, dir))) {
      const stat = statSync(file);
      hash.update(`${file}:${stat.size}:${stat.mtimeMs}\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function removeStale(current: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith(PREFIX) || path === current) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}
