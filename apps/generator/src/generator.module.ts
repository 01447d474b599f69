import { Module, type DynamicModule } from '@nestjs/common';
import { StreamStore } from '@app/stream-store';
import { HistoryClient, PlatformModule, type AppConfig } from '@app/platform';
import { GenerateJob, HISTORY_CLIENT } from './generation/generate.job.js';
import { GenerationWorker } from './generation/generation.worker.js';
import { PacingClock } from '@app/pacing';
import { TurnRecorder } from '@app/turn-events';
import { ReplyCache } from '@app/reply-cache';
import { CHAT_PROVIDER } from './providers/chat-provider.js';
import { KnowledgeRetriever } from './providers/knowledge/knowledge-retriever.js';
import { HISTORY_FOR_KNOWLEDGE, KnowledgeStore } from './providers/knowledge/knowledge-store.js';
import { createProvider } from './providers/provider.factory.js';

@Module({})
export class GeneratorModule {
  static forRoot(config: AppConfig): DynamicModule {
    return PlatformModule.forService('generator', config, {
      module: GeneratorModule,
      providers: [
        { provide: HISTORY_CLIENT, useValue: new HistoryClient(config.HISTORY_URL) },
        { provide: HISTORY_FOR_KNOWLEDGE, useExisting: HISTORY_CLIENT },
        KnowledgeStore,
        KnowledgeRetriever,
        { provide: CHAT_PROVIDER, inject: [KnowledgeRetriever], useFactory: (knowledge: KnowledgeRetriever) => createProvider(config, knowledge) },
        PacingClock,
        // Its commands fail fast like the gateway's: an attempt that meets an outage fails and BullMQ retries it.
        { provide: StreamStore, useFactory: () => StreamStore.connect(config, 'generator:commands') },
        { provide: TurnRecorder, useFactory: () => new TurnRecorder(config, 'generator') },
        // The store's command connection serves the cache too: an entry is one SET at a turn's end.
        { provide: ReplyCache, inject: [StreamStore], useFactory: (store: StreamStore) => new ReplyCache(store.connection, { prefix: config.REDIS_PREFIX, ttlS: config.CACHE_TTL_S }) },
        GenerateJob,
        GenerationWorker,
      ],
      readiness: [GenerationWorker],
    });
  }
}
