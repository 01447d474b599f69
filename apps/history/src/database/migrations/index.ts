import type { Migration, MigrationProvider } from 'kysely';
import * as initialSchema from './001-initial-schema.js';
import * as messageMetadata from './002-message-metadata.js';
import * as knowledgeBase from './003-knowledge-base.js';

/** Migrations ship inside the build (no file globbing at run time); names sort in order. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '001-initial-schema': initialSchema, '002-message-metadata': messageMetadata, '003-knowledge-base': knowledgeBase };
  },
};
