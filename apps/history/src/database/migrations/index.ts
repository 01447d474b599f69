import type { Kysely, Migration, MigrationProvider, MigrationResult } from 'kysely';
import { Migrator } from 'kysely';
import type { HistoryDatabase } from '../tables.js';
import * as initialSchema from './001-initial-schema.js';
import * as messageMetadata from './002-message-metadata.js';
import * as knowledgeBase from './003-knowledge-base.js';

/** Migrations ship inside the build (no file globbing at run time); names sort in order. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '001-initial-schema': initialSchema, '002-message-metadata': messageMetadata, '003-knowledge-base': knowledgeBase };
  },
};

/**
 * Runs the pending migrations and says what each did (nothing when none is pending). The service
 * runs it on every start; the child that sets up a new embedded directory runs it first
 * (set-up-new-pglite.ts), so that the service opens that directory already migrated.
 */
export async function migrateToLatest(db: Kysely<HistoryDatabase>): Promise<MigrationResult[]> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) throw error;
  return results ?? [];
}
