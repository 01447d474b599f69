import { sql, type Kysely } from 'kysely';

/**
 * The knowledge base (docs/architecture.md "Knowledge base"): documents, their sections with a
 * full-text vector (GIN) and an optional embedding, and one row holding the version every
 * change increments. The same SQL on PostgreSQL and PGlite.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kb_documents')
    .addColumn('document_id', 'text', (c) => c.primaryKey())
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('markdown', 'text')`))
    .addColumn('source_url', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('kb_sections')
    .addColumn('section_id', 'serial', (c) => c.primaryKey())
    .addColumn('document_id', 'text', (c) => c.notNull().references('kb_documents.document_id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('heading', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // Titles and headings weigh more than the body, as in the generators' in-process index.
    .addColumn('search', sql`tsvector`, (c) =>
      c.generatedAlwaysAs(sql`setweight(to_tsvector('english', title || ' ' || heading), 'A') || setweight(to_tsvector('english', body), 'B')`).stored(),
    )
    // real[] rather than pgvector's type: pgvector is not available everywhere (PGlite, stock PostgreSQL).
    .addColumn('embedding', sql`real[]`)
    .execute();
  await db.schema.createIndex('kb_sections_search').on('kb_sections').using('gin').column('search').execute();
  await db.schema.createIndex('kb_sections_document').on('kb_sections').columns(['document_id', 'position']).execute();

  await db.schema
    .createTable('kb_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('seeded', 'boolean', (c) => c.notNull())
    .addColumn('embeddings_model', 'text')
    .execute();
  await sql`insert into kb_state (id, version, seeded) values (1, 0, false)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('kb_state').execute();
  await db.schema.dropTable('kb_sections').execute();
  await db.schema.dropTable('kb_documents').execute();
}
