import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, NotFoundException, UnprocessableEntityException, type OnApplicationBootstrap } from '@nestjs/common';
import type { KbDocumentCreated, KbDocumentDeleted, KbDocumentList } from '@app/contracts';
import type { KbDocumentDto } from '@app/platform';
import { APP_CONFIG, EmbeddingsClient, type AppConfig } from '@app/platform';
import { newDocument, type NewDocument } from './kb-documents.js';
import { embeddingText, KnowledgeRepository } from './knowledge.repository.js';
import { KnowledgeVersionPublisher } from './knowledge-version.publisher.js';
import { readShippedArticles } from './shipped-articles.js';

/**
 * Ingestion (docs/api.md §14): documents are split into sections, embedded when embeddings are
 * configured, and stored with a new version, which is then copied to Redis for the generators.
 * On its first start history loads the shipped articles of KB_DIR.
 */
@Injectable()
export class KnowledgeService implements OnApplicationBootstrap {
  private readonly logger = new Logger(KnowledgeService.name);
  private readonly embeddings?: EmbeddingsClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: KnowledgeRepository,
    private readonly version: KnowledgeVersionPublisher,
  ) {
    this.embeddings = EmbeddingsClient.fromConfig(config);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.repository.isSeeded())) await this.seed();
    await this.version.reset(await this.repository.version());
    // Sections stored before embeddings were configured (or with another model) are embedded in the background.
    if (this.embeddings) void this.embedMissing().catch((err: Error) => this.logger.warn(`embedding stored sections failed: ${err.message}`));
  }

  async list(): Promise<KbDocumentList> {
    const [documents, version] = await Promise.all([this.repository.list(), this.repository.version()]);
    return { version, total_documents: documents.length, documents };
  }

  async add(input: KbDocumentDto): Promise<KbDocumentCreated> {
    const documentId = randomUUID();
    const format = input.format ?? 'markdown';
    const doc = await this.prepare(documentId, `documents/${documentId}`, input.content, format, input.title, input.source_url ?? null);
    if (doc.article.sections.length === 0) throw new UnprocessableEntityException({ message: ['content has no text to index'] });
    const version = await this.repository.add([doc], { embeddingsModel: doc.embeddings ? this.embeddings!.model : undefined });
    await this.version.publish(version);
    this.logger.log({ document_id: documentId, sections: doc.article.sections.length, version }, 'knowledge-base document added');
    return { ...(await this.repository.summary(documentId))!, version };
  }

  async remove(documentId: string): Promise<KbDocumentDeleted> {
    const version = await this.repository.delete(documentId);
    if (version === null) throw new NotFoundException({ error: 'Document not found', message: 'Document not found', document_id: documentId });
    await this.version.publish(version);
    this.logger.log({ document_id: documentId, version }, 'knowledge-base document removed');
    return { success: true, document_id: documentId, version };
  }

  private async prepare(documentId: string, path: string, content: string, format: 'markdown' | 'text', title: string | undefined, sourceUrl: string | null): Promise<NewDocument> {
    const doc = newDocument(documentId, path, content, format, title, sourceUrl);
    const { article } = doc;
    // Embedded before the transaction: a slow embeddings server must not hold the state row's lock.
    if (this.embeddings && article.sections.length) {
      try {
        doc.embeddings = await this.embeddings.embed(article.sections.map((s) => embeddingText(s.title, s.heading, s.body)));
      } catch (err) {
        // Without embeddings a document is still found by its words; the next start embeds it.
        this.logger.warn(`embedding ${path} failed, stored for text search only: ${(err as Error).message}`);
      }
    }
    return doc;
  }

  /**
   * Loads the shipped articles once; a missing KB_DIR leaves the knowledge base empty (and seeded).
   * On the embedded database without embeddings, the child that set up its directory has already
   * done this (set-up-new-pglite.ts); with embeddings, it is left to this service, which embeds.
   */
  private async seed(): Promise<void> {
    const started = Date.now();
    const docs: NewDocument[] = [];
    for (const { path, content } of await readShippedArticles(this.config.KB_DIR, (message) => this.logger.warn(message))) {
      const doc = await this.prepare(randomUUID(), path, content, 'markdown', undefined, null);
      if (doc.article.sections.length > 0) docs.push(doc);
    }
    const embedded = docs.some((d) => d.embeddings);
    const version = await this.repository.add(docs, { seeded: true, embeddingsModel: embedded ? this.embeddings!.model : undefined });
    this.logger.log({ documents: docs.length, version, ms: Date.now() - started }, 'shipped knowledge base loaded');
  }

  private async embedMissing(): Promise<void> {
    const embeddings = this.embeddings!;
    const sections = await this.repository.sectionsToEmbed(embeddings.model);
    if (sections.length === 0) return;
    const vectors = await embeddings.embed(sections.map((s) => s.text));
    const version = await this.repository.storeEmbeddings(
      embeddings.model,
      sections.map((s, i) => ({ section_id: s.section_id, embedding: vectors[i] })),
    );
    await this.version.publish(version);
    this.logger.log({ sections: sections.length, version }, 'knowledge-base sections embedded');
  }
}
