import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter, APP_CONFIG, HealthController, HistoryClient, loggerModule, MetricsController, READINESS_CHECKS, type AppConfig } from '@app/platform';
import { AuthGuard } from './auth/auth.guard.js';
import { Authenticator } from './auth/authenticator.service.js';
import { ChatController } from './chat/chat.controller.js';
import { ChatService } from './chat/chat.service.js';
import { GenerationQueue } from './chat/generation-queue.service.js';
import { SessionAccess } from './chat/session-access.service.js';
import { HistoryController } from './history/history.controller.js';
import { SessionsService } from './history/sessions.service.js';
import { InputGuard } from './guardrails/input-guard.service.js';
import { KnowledgeController } from './knowledge/knowledge.controller.js';
import { OpenAiCompatController } from './openai-compat/openai-compat.controller.js';
import { StreamLimits } from './limits/stream-limits.service.js';
import { GatewayRedis } from './redis/gateway-redis.service.js';
import { PresenceService } from './streams/presence.service.js';
import { StreamControl } from './streams/stream-control.service.js';
import { StreamRelay } from './streams/stream-relay.service.js';
import { StreamSubscriber } from './streams/stream-subscriber.service.js';
import { StreamsController } from './streams/streams.controller.js';

@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [loggerModule(config, 'gateway')],
      controllers: [ChatController, StreamsController, HistoryController, KnowledgeController, OpenAiCompatController, HealthController, MetricsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        {
          provide: APP_PIPE,
          // Unknown fields are rejected (docs/api.md §1); `transform` applies the DTO's trimming.
          useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, expectedType: undefined }),
        },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        Authenticator,
        { provide: APP_GUARD, useClass: AuthGuard },
        StreamLimits,
        InputGuard,
        { provide: HistoryClient, useValue: new HistoryClient(config.HISTORY_URL) },
        GatewayRedis,
        StreamSubscriber,
        PresenceService,
        StreamRelay,
        StreamControl,
        GenerationQueue,
        SessionAccess,
        ChatService,
        SessionsService,
        { provide: READINESS_CHECKS, inject: [GatewayRedis], useFactory: (r: GatewayRedis) => [r] },
      ],
    };
  }
}
