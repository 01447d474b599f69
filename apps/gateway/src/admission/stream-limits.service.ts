import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, TooManyRequestsException, type AppConfig } from '@app/platform';
import { StreamStore } from '@app/stream-store';
import { RateLimiterRes, type RateLimiterRedis } from 'rate-limiter-flexible';
import { PresenceService } from '../relay/presence.service.js';
import { redisStep } from '../redis-step.js';

/** A stream that lives longer than this no longer holds a slot of its user (crash safety net). */
const SLOT_MAX_AGE_MS = 15 * 60_000;

/**
 * Limits that hold across gateway instances because they live in Redis: requests per user per
 * window, streams running per user; plus a cap on what this one gateway serves at once.
 */
@Injectable()
export class StreamLimits {
  private readonly logger = new Logger(StreamLimits.name);
  private readonly rate?: RateLimiterRedis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    store: StreamStore,
    private readonly presence: PresenceService,
  ) {
    if (config.RATE_LIMIT_REQUESTS > 0) {
      this.rate = store.rateLimiter(config.RATE_LIMIT_REQUESTS, config.RATE_LIMIT_WINDOW_S);
    }
  }

  /** Counts one chat request of `userId`, or 429 with the time until the window frees up. */
  async consumeRequest(userId: string): Promise<void> {
    if (!this.rate) return;
    // "Over the limit" is an answer, not an outage: keep it apart from Redis failures.
    const verdict = this.rate.consume(userId).then(
      () => null,
      (err: unknown) => (err instanceof RateLimiterRes ? err : Promise.reject(err)),
    );
    const limited = await redisStep(verdict);
    if (limited) {
      throw new TooManyRequestsException('Too many requests: slow down', Math.max(1, Math.ceil(limited.msBeforeNext / 1000)));
    }
  }

  /**
   * What the openStream script needs to admit a stream: whether this gateway is at its cap of
   * open streams, and the user's cap (0 = none) with the age after which a slot is dropped.
   */
  admission(): { gatewayFull: boolean; userLimit: number; slotMaxAgeMs: number } {
    const cap = this.config.MAX_STREAMS_PER_GATEWAY;
    return {
      gatewayFull: cap > 0 && this.presence.attachedClients >= cap,
      userLimit: this.config.MAX_STREAMS_PER_USER,
      slotMaxAgeMs: SLOT_MAX_AGE_MS,
    };
  }

  /** The 429 for a stream the openStream script did not admit. */
  refusal(outcome: 'gateway_full' | 'user_full'): TooManyRequestsException {
    if (outcome === 'gateway_full') {
      this.logger.warn(`gateway at its cap of ${this.config.MAX_STREAMS_PER_GATEWAY} open streams`);
      return new TooManyRequestsException('This gateway is at capacity, retry shortly', 2);
    }
    return new TooManyRequestsException(`At most ${this.config.MAX_STREAMS_PER_USER} streams may run at once per user`, 2);
  }
}
