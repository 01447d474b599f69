/**
 * The short-lived child that sets up a new embedded data directory (started by openPglite in
 * pglite-open.ts): initdb, the migrations, and, given a KB_DIR, the shipped knowledge base for
 * text search. All of it grows PGlite's WebAssembly memory and V8's heap, which a process keeps:
 * done here, history opens a directory as on any later start. Warnings go to stdout, one a line
 * (the service logs them); a failure exits non-zero with its error on stderr.
 *
 *   node set-up-new-pglite.js <data dir> [<KB_DIR>]
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { seedWithoutEmbeddings } from '../knowledge/shipped-articles.js';
import { migrateToLatest } from './migrations/index.js';
import { pgliteDialect } from './pglite-dialect.js';
import type { HistoryDatabase } from './tables.js';

const [dir, kbDir] = process.argv.slice(2);
const pglite = new PGlite(dir);
await pglite.waitReady;
const db = new Kysely<HistoryDatabase>({ dialect: pgliteDialect(pglite) });
try {
  await migrateToLatest(db);
  if (kbDir) await seedWithoutEmbeddings(db, kbDir, (message) => process.stdout.write(`${message.replace(/\n/g, ' ')}\n`));
} finally {
  await db.destroy(); // closes PGlite cleanly: the service opens the directory next
}
