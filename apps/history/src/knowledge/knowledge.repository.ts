import { Injectable } from '@nestjs/common';
import type { KbDocumentSummary, KbIndex } from '@app/contracts';
import { sql } from 'kysely';
import { DatabaseService } from '../database/database.service.js';
import { addDocuments, type NewDocument } from './kb-documents.js';

const iso = (d: Date | string): string => new Date(d).toISOString();

/** A section found by the database's full-text search. */
export interface TextSearchHit {
  ref: string;
  title: string;
  heading: string;
  rank: number;
}

/**
 * The knowledge base's tables (docs/architecture.md "Knowledge base"). Every change bumps
 * `kb_state.version` in its own transaction, so a reader that sees a version sees its documents.
 */
@Injectable()
export class KnowledgeRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  async version(): Promise<number> {
    const row = await this.db.selectFrom('kb_state').select('version').where('id', '=', 1).executeTakeFirstOrThrow();
    return row.version;
  }

  /** Stores documents and their sections; the new version. `seeded` also marks the shipped articles as loaded. */
  add(documents: readonly NewDocument[], options: { seeded?: boolean; embeddingsModel?: string | null } = {}): Promise<number> {
    return addDocuments(this.db, documents, options);
  }

  async isSeeded(): Promise<boolean> {
    const row = await this.db.selectFrom('kb_state').select('seeded').where('id', '=', 1).executeTakeFirstOrThrow();
    return row.seeded;
  }

  /** The new version, or null when no such document exists. */
  async delete(documentId: string): Promise<number | null> {
    return this.db.transaction().execute(async (tx) => {
      const state = await tx.selectFrom('kb_state').select('version').where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
      const deleted = await tx.deleteFrom('kb_documents').where('document_id', '=', documentId).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return null;
      const version = state.version + 1;
      await tx.updateTable('kb_state').set({ version }).where('id', '=', 1).execute();
      return version;
    });
  }

  async list(): Promise<KbDocumentSummary[]> {
    const rows = await this.db
      .selectFrom('kb_documents as d')
      .select([
        'd.document_id',
        'd.path',
        'd.title',
        'd.format',
        'd.source_url',
        'd.bytes',
        'd.created_at',
        sql<number>`(select count(*)::int from kb_sections s where s.document_id = d.document_id)`.as('sections'),
      ])
      .orderBy('d.path')
      .execute();
    return rows.map((r) => ({
      document_id: r.document_id,
      title: r.title,
      format: r.format,
      source_url: r.source_url,
      path: r.path,
      bytes: r.bytes,
      sections: Number(r.sections),
      created_at: iso(r.created_at),
    }));
  }

  async summary(documentId: string): Promise<KbDocumentSummary | undefined> {
    return (await this.list()).find((d) => d.document_id === documentId);
  }

  /** Everything a generator indexes, read in one transaction so documents and version agree. */
  async index(): Promise<KbIndex> {
    return this.db.transaction().execute(async (tx) => {
      const state = await tx.selectFrom('kb_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
      const documents = await tx
        .selectFrom('kb_documents')
        .select(['document_id', 'path', 'title', 'format', 'source_url', 'content'])
        .orderBy('path')
        .execute();
      const vectors = await tx.selectFrom('kb_sections').select(['ref', 'embedding']).where('embedding', 'is not', null).execute();
      const embeddings: Record<string, number[]> = {};
      for (const v of vectors) if (v.embedding) embeddings[v.ref] = v.embedding.map(Number);
      return { version: state.version, documents, embeddings, embeddings_model: state.embeddings_model };
    });
  }

  /** Sections without an embedding, or all of them when the model changed: what to embed. */
  async sectionsToEmbed(model: string): Promise<{ section_id: number; text: string }[]> {
    const state = await this.db.selectFrom('kb_state').select('embeddings_model').where('id', '=', 1).executeTakeFirstOrThrow();
    let query = this.db.selectFrom('kb_sections').select(['section_id', 'title', 'heading', 'body']).orderBy('section_id');
    if (state.embeddings_model === model) query = query.where('embedding', 'is', null);
    const rows = await query.execute();
    return rows.map((r) => ({ section_id: r.section_id, text: embeddingText(r.title, r.heading, r.body) }));
  }

  /** Stores section embeddings of `model`; a new version, so generators load them. */
  async storeEmbeddings(model: string, vectors: readonly { section_id: number; embedding: number[] }[]): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const state = await tx.selectFrom('kb_state').select('version').where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
      for (const v of vectors) await tx.updateTable('kb_sections').set({ embedding: v.embedding }).where('section_id', '=', v.section_id).execute();
      const version = state.version + 1;
      await tx.updateTable('kb_state').set({ version, embeddings_model: model }).where('id', '=', 1).execute();
      return version;
    });
  }

  /**
   * The database's own ranking: PostgreSQL full-text search (`websearch_to_tsquery` with its
   * terms joined by OR, `ts_rank_cd` over the GIN-indexed vector). Measured against the
   * generators' in-process index in docs/architecture.md "Knowledge base".
   */
  async search(question: string, limit: number): Promise<TextSearchHit[]> {
    const rows = await sql<TextSearchHit>`
      select s.ref, s.title, s.heading, ts_rank_cd(s.search, q) as rank
      from kb_sections s, to_tsquery('english', ${orQuery(question)}) q
      where s.search @@ q
      order by rank desc, s.section_id
      limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({ ...r, rank: Number(r.rank) }));
  }
}

/** What an embedding of a section is computed from: its titles give the body its subject. */
export function embeddingText(title: string, heading: string, body: string): string {
  return [title, heading, body].filter((p) => p !== '').join('\n\n');
}

/** The question's words joined by `|` for `to_tsquery` (any word may match), stripped of its operators. */
function orQuery(question: string): string {
  const words = question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? [...new Set(words)].slice(0, 64).join(' | ') : 'a & !a';
}
