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
  /** The database's version as last known here, written again on every (re)connection. */
  private latest?: number;
  /** Set by `reset` until a write succeeds: the key must take the database's version even if lower. */
  private overwrite = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = commandConnection(config.REDIS_URL, 'history:kb');
    this.redis.on('error', () => undefined);
    // Commands fail while disconnected (no offline queue): what could not be written goes out
    // once connected, and again after a reconnection, since a restarted Redis may have lost it.
    this.redis.on('ready', () => void this.write());
    this.key = kbVersionKey(config.REDIS_PREFIX);
  }

  /** After a change. Never throws: a Redis outage only delays generators' refresh (they ask history when the key is missing). */
  async publish(version: number): Promise<void> {
    this.latest = Math.max(this.latest ?? version, version);
    await this.write();
  }

  /** At start: the database's version, even if lower than a stale key (a database that was reset). */
  async reset(version: number): Promise<void> {
    this.latest = version;
    this.overwrite = true;
    await this.write();
  }

  private async write(): Promise<void> {
    const version = this.latest;
    if (version === undefined || this.redis.status !== 'ready') return;
    try {
      if (this.overwrite) {
        await this.redis.set(this.key, String(version));
        this.overwrite = false;
      } else {
        // Only ever forward: two changes racing must not leave the older version in Redis.
        await this.redis.eval(
          "local v = tonumber(redis.call('GET', KEYS[1]) or '-1') if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1]) end return 1",
          1,
          this.key,
          String(version),
        );
      }
    } catch (err) {
      this.logger.warn(`knowledge-base version ${version} not published to Redis: ${(err as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
