import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { StreamStore, StreamSubscriptions } from '@app/stream-store';
import { HistoryClient, PlatformModule, type AppConfig } from '@app/platform';
import { AuthGuard } from './auth/auth.guard.js';
import { Authenticator } from './auth/authenticator.service.js';
import { ChatController } from './chat/chat.controller.js';
import { ChatService } from './chat/chat.service.js';
import { GenerationQueue } from './chat/generation-queue.service.js';
import { SessionAccess } from './admission/session-access.service.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsService } from './sessions/sessions.service.js';
import { InputGuard } from './admission/input-guard.service.js';
import { KnowledgeController } from './knowledge/knowledge.controller.js';
import { OpenAiCompatController } from './openai-compat/openai-compat.controller.js';
import { StreamLimits } from './admission/stream-limits.service.js';
import { PresenceService } from './relay/presence.service.js';
import { StreamCancel } from './cancel/stream-cancel.service.js';
import { CancelController } from './cancel/cancel.controller.js';
import { ResumeController } from './relay/resume.controller.js';
import { StreamRelay } from './relay/stream-relay.service.js';
import { PacingClock } from '@app/pacing';
import { ReplayRegistry, ReplyCache, ReplyCacheKeys } from '@app/reply-cache';
import { TurnRecorder } from '@app/turn-events';
import { ReplyCachePolicy } from './reply-cache/reply-cache-policy.service.js';
import { CACHE_PACING_CLOCK, CachedReplyPlayer } from './reply-cache/cached-reply-player.service.js';

@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return PlatformModule.forService('gateway', config, {
      module: GatewayModule,
      // Its request lines name their request id themselves: no AsyncLocalStorage, no promise hooks.
      requestScopedLogs: false,
      controllers: [ChatController, ResumeController, CancelController, SessionsController, KnowledgeController, OpenAiCompatController],
      providers: [
        Authenticator,
        { provide: APP_GUARD, useClass: AuthGuard },
        StreamLimits,
        InputGuard,
        { provide: HistoryClient, useValue: new HistoryClient(config.HISTORY_URL) },
        { provide: StreamStore, useFactory: () => StreamStore.connect(config, 'gateway:commands') },
        {
          provide: StreamSubscriptions,
          inject: [StreamStore],
          useFactory: (store: StreamStore) => StreamSubscriptions.connect(config, 'gateway:subscriber', store),
        },
        PresenceService,
        StreamRelay,
        StreamCancel,
        GenerationQueue,
        SessionAccess,
        // The response cache: lookups share the store's command connection (they leave with the admission).
        ReplyCachePolicy,
        { provide: ReplyCache, inject: [StreamStore], useFactory: (store: StreamStore) => new ReplyCache(store.connection, { prefix: config.REDIS_PREFIX, ttlS: config.CACHE_TTL_S }) },
        { provide: CACHE_PACING_CLOCK, useFactory: () => new PacingClock({ PACING_MS: config.CACHE_PACING_MS ?? config.PACING_MS }) },
        { provide: TurnRecorder, useFactory: () => new TurnRecorder(config, 'gateway') },
        { provide: ReplayRegistry, inject: [StreamStore], useFactory: (store: StreamStore) => new ReplayRegistry(store.connection, new ReplyCacheKeys(config.REDIS_PREFIX)) },
        CachedReplyPlayer,
        ChatService,
        SessionsService,
      ],
      readiness: [StreamStore],
    });
  }
}
