import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, EmbeddingsClient, type AppConfig } from '@app/platform';
import type { RetrievalQuery } from '../builtin/retrieval-query.js';
import { hybridRanking } from './hybrid-ranking.js';
import type { KnowledgeSource, Retrieval } from './knowledge-source.js';
import { KnowledgeStore } from './knowledge-store.js';

/** A question's embedding must come quickly: it delays the first word. Past this, text retrieval alone answers. */
const QUESTION_EMBEDDING_TIMEOUT_MS = 5_000;

/**
 * Retrieval for every provider: the text ranking of the in-process index, fused with the vector
 * ranking when embeddings are configured and the stored vectors come from the same model.
 */
@Injectable()
export class KnowledgeRetriever implements KnowledgeSource {
  private readonly logger = new Logger(KnowledgeRetriever.name);
  private readonly embeddings?: EmbeddingsClient;
  private readonly minSimilarity: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: KnowledgeStore,
  ) {
    this.embeddings = EmbeddingsClient.fromConfig(config, QUESTION_EMBEDDING_TIMEOUT_MS);
    this.minSimilarity = config.EMBEDDINGS_MIN_SIMILARITY;
  }

  async retrieve(query: RetrievalQuery, message: string, signal?: AbortSignal): Promise<Retrieval> {
    const snapshot = await this.store.current();
    const hits = snapshot.kb.find(query);
    const retrieval: Retrieval = { kb: snapshot.kb, hits, similar: [], urls: snapshot.urls };
    if (!this.embeddings || snapshot.vectors.size === 0 || snapshot.embeddingsModel !== this.embeddings.model || message.trim() === '') return retrieval;
    try {
      const [question] = await this.embeddings.embed([message], signal);
      return { ...retrieval, ...hybridRanking(hits, snapshot.kb.sections, snapshot.vectors, question, this.minSimilarity) };
    } catch (err) {
      if (signal?.aborted) return retrieval;
      this.logger.warn(`question not embedded, text retrieval only: ${(err as Error).message}`);
      return retrieval;
    }
  }
}
