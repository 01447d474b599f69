import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter, APP_CONFIG, HealthController, HistoryClient, loggerModule, MetricsController, READINESS_CHECKS, type AppConfig } from '@app/platform';
import { GenerateJob, HISTORY_CLIENT } from './generation/generate.job.js';
import { GenerationWorker } from './generation/generation.worker.js';
import { PacingClock } from './generation/pacing-clock.js';
import { StreamWriter } from './generation/stream-writer.js';
import { TurnRecorder } from './generation/turn-recorder.js';
import { CHAT_PROVIDER } from './providers/chat-provider.js';
import { KnowledgeRetriever } from './providers/knowledge/knowledge-retriever.js';
import { HISTORY_FOR_KNOWLEDGE, KnowledgeStore } from './providers/knowledge/knowledge-store.js';
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
        { provide: HISTORY_CLIENT, useValue: new HistoryClient(config.HISTORY_URL) },
        { provide: HISTORY_FOR_KNOWLEDGE, useExisting: HISTORY_CLIENT },
        KnowledgeStore,
        KnowledgeRetriever,
        { provide: CHAT_PROVIDER, inject: [KnowledgeRetriever], useFactory: (knowledge: KnowledgeRetriever) => createProvider(config, knowledge) },
        PacingClock,
        StreamWriter,
        TurnRecorder,
        GenerateJob,
        GenerationWorker,
        { provide: READINESS_CHECKS, inject: [GenerationWorker], useFactory: (w: GenerationWorker) => [w] },
      ],
    };
  }
}
