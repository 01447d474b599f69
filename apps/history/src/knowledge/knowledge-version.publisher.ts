import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { kbVersionKey } from '@app/contracts';
import { APP_CONFIG, commandConnection, type AppConfig } from '@app/platform';
import type { Redis } from 'ioredis';

/**
 * Copies the knowledge-base version from the database to Redis (`<prefix>:kb:version`), where
 * generators read it on every turn (one GET) and a response cache can put it in its key. The
 * database stays the truth: a Redis that lost the key gets it again at history's next start or
 * change, and generators fall back to asking history meanwhile.
 */
@Injectable()
export class KnowledgeVersionPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(KnowledgeVersionPublisher.name);
  private readonly redis: Redis;
  private readonly key: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = commandConnection(config.REDIS_URL, 'history:kb');
    this.redis.on('error', () => undefined);
    this.key = kbVersionKey(config.REDIS_PREFIX);
  }

  /** Never throws: a Redis outage only delays generators' refresh (they ask history when the key is missing). */
  async publish(version: number): Promise<void> {
    try {
      // Only ever forward: two changes racing must not leave the older version in Redis.
      await this.redis.eval(
        "local v = tonumber(redis.call('GET', KEYS[1]) or '-1') if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1]) end return 1",
        1,
        this.key,
        String(version),
      );
    } catch (err) {
      this.logger.warn(`knowledge-base version ${version} not published to Redis: ${(err as Error).message}`);
    }
  }

  /** At start: the database's version, even if lower than a stale key (a database that was reset). */
  async reset(version: number): Promise<void> {
    try {
      await this.redis.set(this.key, String(version));
    } catch (err) {
      this.logger.warn(`knowledge-base version ${version} not published to Redis: ${(err as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
