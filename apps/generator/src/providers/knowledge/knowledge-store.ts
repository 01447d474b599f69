import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { kbVersionChannel, kbVersionKey, type KbIndex } from '@app/contracts';
import { chunkDocument } from '@app/knowledge';
import { APP_CONFIG, commandConnection, HistoryClient, type AppConfig } from '@app/platform';
import type { Redis } from 'ioredis';
import { KnowledgeBase } from '../builtin/knowledge-base.js';
import { PublishedVersion } from './published-version.js';

/** One version of the knowledge base, indexed in this process. */
export interface KnowledgeSnapshot {
  version: number;
  kb: KnowledgeBase;
  urls: ReadonlyMap<string, string>;
  /** Section embeddings by ref (empty without embeddings). */
  vectors: ReadonlyMap<string, Float32Array>;
  embeddingsModel: string | null;
}

/** Without the version key in Redis (a Redis that lost it), or after a failed load, history is asked at most this often. */
const RECHECK_MS = 5_000;

export const HISTORY_FOR_KNOWLEDGE = Symbol('HISTORY_FOR_KNOWLEDGE');

/** Builds the in-process index of one version of history's knowledge base. */
export function snapshotOf(index: KbIndex): KnowledgeSnapshot {
  // Chunked exactly as history chunked it at ingestion, so refs match the stored sections (and their vectors).
  const articles = index.documents.map((d) => chunkDocument(d.path, d.content, d.format, d.title));
  const urls = new Map(index.documents.filter((d) => d.source_url).map((d) => [d.path, d.source_url!]));
  const vectors = new Map(Object.entries(index.embeddings).map(([ref, v]) => [ref, Float32Array.from(v)]));
  return { version: index.version, kb: new KnowledgeBase(articles), urls, vectors, embeddingsModel: index.embeddings_model };
}

/**
 * The generator's copy of the knowledge base (docs/architecture.md "Knowledge base"): loaded
 * from history, indexed in memory, and reloaded when the version in Redis moves. The version is
 * followed through history's announcements (`PublishedVersion`), so a turn costs no Redis round
 * trip; a reload happens once per change, shared by the turns waiting on it. When history cannot
 * be reached, the last loaded version keeps answering.
 */
@Injectable()
export class KnowledgeStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KnowledgeStore.name);
  private readonly redis: Redis;
  private readonly published: PublishedVersion;
  private snapshot: KnowledgeSnapshot = { version: -1, kb: new KnowledgeBase([]), urls: new Map(), vectors: new Map(), embeddingsModel: null };
  private loading?: Promise<KnowledgeSnapshot>;
  /** When history was last asked without a version to go by, or failed to answer. */
  private lastAttempt = 0;
  private failed = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(HISTORY_FOR_KNOWLEDGE) private readonly history: HistoryClient,
  ) {
    this.redis = commandConnection(config.REDIS_URL, 'generator:kb');
    this.redis.on('error', () => undefined);
    this.published = new PublishedVersion(this.redis, kbVersionKey(config.REDIS_PREFIX), kbVersionChannel(config.REDIS_PREFIX));
  }

  /** Starts loading without holding up the start: the first turn waits for the load in flight. */
  onModuleInit(): void {
    void this.reload();
  }

  /** The current version's index; reloads first when Redis names another version. */
  async current(): Promise<KnowledgeSnapshot> {
    const published = await this.published.current();
    if (published !== null && published === this.snapshot.version) return this.snapshot;
    // No version to go by, or history failed a moment ago: answer from what is loaded rather than ask on every turn.
    if ((published === null || this.failed) && Date.now() - this.lastAttempt < RECHECK_MS) return this.snapshot;
    const loaded = await this.reload();
    // A load already in flight may have read the index before this version was committed.
    if (published !== null && loaded.version < published && !this.failed) return this.reload();
    return loaded;
  }

  private reload(): Promise<KnowledgeSnapshot> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<KnowledgeSnapshot> {
    const started = Date.now();
    this.lastAttempt = started;
    try {
      const index = await this.history.kbIndex();
      if (index.version !== this.snapshot.version) {
        this.snapshot = snapshotOf(index);
        this.logger.log({ version: index.version, documents: index.documents.length, ms: Date.now() - started }, 'knowledge base loaded');
      }
      this.failed = false;
    } catch (err) {
      this.failed = true;
      this.logger.warn(`knowledge base not loaded from history, answering from version ${this.snapshot.version}: ${(err as Error).message}`);
    }
    return this.snapshot;
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
