import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, HistoryClient, withTimeout, type AppConfig } from '@app/platform';
import { GatewayRedis } from '../redis/gateway-redis.service.js';
import { REDIS_STEP_TIMEOUT_MS, StreamRelay } from '../streams/stream-relay.service.js';

const OWNER_CACHE_S = 7 * 86_400;

/** Who owns a session, and the one-running-stream-per-session rule (API.md §1). */
@Injectable()
export class SessionAccess {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: GatewayRedis,
    private readonly relay: StreamRelay,
    private readonly history: HistoryClient,
  ) {}

  /**
   * The owner is cached in Redis so a turn needs no HTTP call; on a miss history decides, and an
   * id nobody owns is claimed for the caller (SET NX: two claimants cannot both win).
   */
  async assertOwner(sessionId: string, userId: string): Promise<void> {
    const key = this.redis.keys.sessionOwner(sessionId);
    let owner = await withTimeout(this.redis.client.get(key), REDIS_STEP_TIMEOUT_MS);
    if (owner === null) {
      const stored = await this.history.owner(sessionId);
      await withTimeout(this.redis.client.set(key, stored ?? userId, 'EX', OWNER_CACHE_S, 'NX'), REDIS_STEP_TIMEOUT_MS);
      owner = await withTimeout(this.redis.client.get(key), REDIS_STEP_TIMEOUT_MS);
    }
    if (owner !== userId) throw new NotFoundException({ error: 'Session not found', message: 'Session not found', session_id: sessionId });
  }

  async claimNew(sessionId: string, userId: string): Promise<void> {
    await withTimeout(this.redis.client.set(this.redis.keys.sessionOwner(sessionId), userId, 'EX', OWNER_CACHE_S), REDIS_STEP_TIMEOUT_MS);
  }

  /** Makes `streamId` the session's running stream, or 409 with the one that runs. */
  async claimActive(sessionId: string, streamId: string): Promise<void> {
    const key = this.redis.keys.sessionActive(sessionId);
    const ttl = this.config.STREAM_REPLAY_TTL_S;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await withTimeout(this.redis.client.set(key, streamId, 'EX', ttl, 'NX'), REDIS_STEP_TIMEOUT_MS)) return;
      const running = await withTimeout(this.redis.client.get(key), REDIS_STEP_TIMEOUT_MS);
      if (running === null) continue;
      const meta = await this.relay.meta(running);
      if (meta && (meta.status === 'running' || meta.status === 'cancelling')) {
        throw new ConflictException({ message: 'A stream is already running for this session', stream_id: running, session_id: sessionId });
      }
      // A stale claim (its stream ended without releasing it): take it over if still the same.
      await withTimeout(this.redis.client.releaseIfEqual(key, running), REDIS_STEP_TIMEOUT_MS);
    }
    throw new ConflictException({ message: 'A stream is already running for this session', session_id: sessionId });
  }

  async releaseActive(sessionId: string, streamId: string): Promise<void> {
    await this.redis.client.releaseIfEqual(this.redis.keys.sessionActive(sessionId), streamId).catch(() => 0);
  }

  async activeStream(sessionId: string): Promise<string | null> {
    return withTimeout(this.redis.client.get(this.redis.keys.sessionActive(sessionId)), REDIS_STEP_TIMEOUT_MS);
  }

  async forget(sessionId: string): Promise<void> {
    await withTimeout(this.redis.client.del(this.redis.keys.sessionOwner(sessionId)), REDIS_STEP_TIMEOUT_MS);
  }
}
