import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter, APP_CONFIG, HealthController, loggerModule, MetricsController, READINESS_CHECKS, type AppConfig } from '@app/platform';
import { DatabaseService } from './database/database.service.js';
import { KnowledgeController } from './knowledge/knowledge.controller.js';
import { KnowledgeRepository } from './knowledge/knowledge.repository.js';
import { KnowledgeService } from './knowledge/knowledge.service.js';
import { KnowledgeVersionPublisher } from './knowledge/knowledge-version.publisher.js';
import { RedisReadiness } from './redis.readiness.js';
import { SessionRepository } from './sessions/session.repository.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { TurnConfirmations } from './turns/turn-confirmations.js';
import { TurnEventsConsumer } from './turns/turn-events.consumer.js';
import { TurnEventsStream } from './turns/turn-events.stream.js';
import { TurnRepository } from './turns/turn.repository.js';

@Module({})
export class HistoryModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: HistoryModule,
      imports: [loggerModule(config, 'history')],
      controllers: [SessionsController, KnowledgeController, HealthController, MetricsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        {
          provide: DatabaseService,
          inject: [APP_CONFIG],
          useFactory: async (cfg: AppConfig) => {
            const database = new DatabaseService(cfg);
            await database.open();
            return database;
          },
        },
        RedisReadiness,
        { provide: READINESS_CHECKS, inject: [DatabaseService, RedisReadiness], useFactory: (d: DatabaseService, r: RedisReadiness) => [d, r] },
        TurnRepository,
        TurnConfirmations,
        SessionRepository,
        TurnEventsStream,
        TurnEventsConsumer,
        KnowledgeRepository,
        KnowledgeVersionPublisher,
        KnowledgeService,
      ],
    };
  }
}
