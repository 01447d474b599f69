import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, TooManyRequestsException, withTimeout, type AppConfig } from '@app/platform';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayRedis } from '../redis/gateway-redis.service.js';
import { PresenceService } from '../streams/presence.service.js';
import { REDIS_STEP_TIMEOUT_MS } from '../streams/stream-relay.service.js';

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
    private readonly redis: GatewayRedis,
    private readonly presence: PresenceService,
  ) {
    if (config.RATE_LIMIT_REQUESTS > 0) {
      this.rate = new RateLimiterRedis({
        storeClient: redis.client,
        keyPrefix: `${config.REDIS_PREFIX}:rate`,
        points: config.RATE_LIMIT_REQUESTS,
        duration: config.RATE_LIMIT_WINDOW_S,
      });
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
    const limited = await withTimeout(verdict, REDIS_STEP_TIMEOUT_MS);
    if (limited) {
      throw new TooManyRequestsException('Too many requests: slow down', Math.max(1, Math.ceil(limited.msBeforeNext / 1000)));
    }
  }

  /** Takes one of the gateway's and one of the user's stream slots, or 429. */
  async admitStream(userId: string, streamId: string): Promise<void> {
    const cap = this.config.MAX_STREAMS_PER_GATEWAY;
    if (cap > 0 && this.presence.attachedClients >= cap) {
      this.logger.warn(`gateway at its cap of ${cap} open streams`);
      throw new TooManyRequestsException('This gateway is at capacity, retry shortly', 2);
    }
    const limit = this.config.MAX_STREAMS_PER_USER;
    if (limit === 0) return;
    const admitted = await withTimeout(
      this.redis.client.admitStream(this.redis.keys.userStreams(userId), streamId, Date.now(), limit, SLOT_MAX_AGE_MS),
      REDIS_STEP_TIMEOUT_MS,
    );
    if (admitted !== 1) throw new TooManyRequestsException(`At most ${limit} streams may run at once per user`, 2);
  }

  async releaseStream(userId: string, streamId: string): Promise<void> {
    await this.redis.client.zrem(this.redis.keys.userStreams(userId), streamId).catch(() => 0);
  }
}
