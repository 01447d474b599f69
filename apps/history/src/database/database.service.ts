import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, EmbeddingsClient, type AppConfig, type ReadinessCheck } from '@app/platform';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { migrateToLatest } from './migrations/index.js';
import { pgliteDialect } from './pglite-dialect.js';
import { openPglite } from './pglite-open.js';
import type { HistoryDatabase } from './tables.js';

/**
 * The database connection: PostgreSQL when DATABASE_URL is set, otherwise an embedded PGlite in
 * HISTORY_DATA_DIR (one process per directory: PGlite corrupts a directory shared by two).
 */
@Injectable()
export class DatabaseService implements ReadinessCheck, OnApplicationShutdown {
  readonly name = 'database';
  private readonly logger = new Logger(DatabaseService.name);
  private kysely?: Kysely<HistoryDatabase>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get db(): Kysely<HistoryDatabase> {
    if (!this.kysely) throw new Error('database not open');
    return this.kysely;
  }

  async open(): Promise<void> {
    const started = Date.now();
    this.kysely = new Kysely<HistoryDatabase>({ dialect: await this.dialect() });
    // Also on an embedded directory its set-up child migrated: one of an older build may be reopened.
    for (const r of await migrateToLatest(this.kysely)) this.logger.log(`migration ${r.migrationName}: ${r.status}`);
    this.logger.log(`database ready (${this.config.DATABASE_URL ? 'postgresql' : 'pglite'}) in ${Date.now() - started} ms`);
  }

  async check(): Promise<boolean> {
    await sql`select 1`.execute(this.db);
    return true;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.kysely?.destroy();
  }

  private async dialect() {
    if (this.config.DATABASE_URL) {
      // Loaded only here: the embedded default does not need node-postgres (~2 MB of heap).
      const { default: pg } = await import('pg');
      // timestamptz/int8 parsing stays pg's default; counts are cast to int in queries.
      const pool = new pg.Pool({ connectionString: this.config.DATABASE_URL, max: 10 });
      // An idle client dropped by the server (restart, terminated backend) must not crash the process.
      pool.on('error', (err) => this.logger.warn(`idle database connection lost: ${err.message}`));
      return new PostgresDialect({ pool });
    }
    // A new directory's set-up child loads the shipped knowledge base too, unless it is to be
    // embedded: the embeddings client is the service's (KnowledgeService seeds what is not seeded).
    const kbDir = EmbeddingsClient.fromConfig(this.config) ? undefined : this.config.KB_DIR;
    return pgliteDialect(await openPglite(this.config.HISTORY_DATA_DIR, { kbDir, warn: (message) => this.logger.warn(message) }));
  }
}
