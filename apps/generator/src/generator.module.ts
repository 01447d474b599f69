import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { StreamStore } from '@app/stream-store';
import { AllExceptionsFilter, APP_CONFIG, HealthController, HistoryClient, loggerModule, MetricsController, READINESS_CHECKS, type AppConfig } from '@app/platform';
import { GenerateJob, HISTORY_CLIENT } from './generation/generate.job.js';
import { GenerationWorker } from './generation/generation.worker.js';
import { PacingClock } from '@app/pacing';
import { TurnRecorder } from '@app/turn-events';
import { ReplyCache } from '@app/reply-cache';
import { CHAT_PROVIDER } from './providers/chat-provider.js';
import { createProvider } from './providers/provider.factory.js';

@Module({})
export class GeneratorModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GeneratorModule,
      imports: [loggerModule(config, 'generator')],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: CHAT_PROVIDER, useFactory: () => createProvider(config) },
        { provide: HISTORY_CLIENT, useValue: new HistoryClient(config.HISTORY_URL) },
        PacingClock,
        // Its commands fail fast like the gateway's: an attempt that meets an outage fails and BullMQ retries it.
        { provide: StreamStore, useFactory: () => StreamStore.connect(config, 'generator:commands') },
        { provide: TurnRecorder, useFactory: () => new TurnRecorder(config, 'generator') },
        // The store's command connection serves the cache too: an entry is one SET at a turn's end.
        { provide: ReplyCache, inject: [StreamStore], useFactory: (store: StreamStore) => new ReplyCache(store.connection, { prefix: config.REDIS_PREFIX, ttlS: config.CACHE_TTL_S }) },
        GenerateJob,
        GenerationWorker,
        { provide: READINESS_CHECKS, inject: [GenerationWorker], useFactory: (w: GenerationWorker) => [w] },
      ],
    };
  }
}
