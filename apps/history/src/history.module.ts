import { Module, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, PlatformModule, type AppConfig } from '@app/platform';
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
    return PlatformModule.forService('history', config, {
      module: HistoryModule,
      controllers: [SessionsController, KnowledgeController],
      providers: [
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
        TurnRepository,
        TurnConfirmations,
        SessionRepository,
        TurnEventsStream,
        TurnEventsConsumer,
        KnowledgeRepository,
        KnowledgeVersionPublisher,
        KnowledgeService,
      ],
      readiness: [DatabaseService, RedisReadiness],
    });
  }
}
