import type { KbIndexDocument } from '@app/contracts';
import { chunkDocument, type KbArticle } from '@app/knowledge';
import type { Kysely, Transaction } from 'kysely';
import type { HistoryDatabase } from '../database/tables.js';

/**
 * Storing documents, without Nest: KnowledgeRepository uses it, and so does the child that loads
 * the shipped knowledge base into a new embedded directory (set-up-new-pglite.ts).
 */

/** A document to store, already split into sections (and embedded when embeddings are on). */
export interface NewDocument extends KbIndexDocument {
  article: KbArticle;
  /** One per section, in order; absent without embeddings. */
  embeddings?: number[][];
}

/** A document split into its sections, not embedded. */
export function newDocument(documentId: string, path: string, content: string, format: 'markdown' | 'text', title: string | undefined, sourceUrl: string | null): NewDocument {
  const article = chunkDocument(path, content, format, title);
  return { document_id: documentId, path, title: article.title, format, source_url: sourceUrl, content, article };
}

/**
 * Stores documents and their sections; the new version. `seeded` also marks the shipped articles
 * as loaded (and stores nothing when they already are).
 */
export function addDocuments(db: Kysely<HistoryDatabase>, documents: readonly NewDocument[], options: { seeded?: boolean; embeddingsModel?: string | null } = {}): Promise<number> {
  return db.transaction().execute(async (tx) => {
    // Locks the state row first: concurrent changes queue up behind it, one version each.
    const state = await tx.selectFrom('kb_state').selectAll().where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
    if (options.seeded && state.seeded) return state.version;
    for (const doc of documents) await insertDocument(tx, doc);
    const version = state.version + 1;
    await tx
      .updateTable('kb_state')
      .set({
        version,
        seeded: state.seeded || Boolean(options.seeded),
        ...(options.embeddingsModel !== undefined ? { embeddings_model: options.embeddingsModel } : {}),
      })
      .where('id', '=', 1)
      .execute();
    return version;
  });
}

async function insertDocument(tx: Transaction<HistoryDatabase>, doc: NewDocument): Promise<void> {
  await tx
    .insertInto('kb_documents')
    .values({
      document_id: doc.document_id,
      path: doc.path,
      title: doc.title,
      format: doc.format,
      source_url: doc.source_url,
      content: doc.content,
      bytes: new TextEncoder().encode(doc.content).length,
      created_at: new Date(),
    })
    .execute();
  const sections = doc.article.sections.map((s, position) => ({
    document_id: doc.document_id,
    position,
    ref: s.ref,
    title: s.title,
    heading: s.heading,
    body: s.body,
    embedding: doc.embeddings?.[position] ?? null,
  }));
  if (sections.length) await tx.insertInto('kb_sections').values(sections).execute();
}
