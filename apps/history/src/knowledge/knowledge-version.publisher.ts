import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { kbVersionChannel, kbVersionKey } from '@app/contracts';
import { APP_CONFIG, commandConnection, type AppConfig } from '@app/platform';
import type { Redis } from 'ioredis';

/** Sets the key and announces the version, in one step: a generator that hears of it reads the key no more. */
const SET_AND_ANNOUNCE = "redis.call('SET', KEYS[1], ARGV[1]) redis.call('PUBLISH', ARGV[2], ARGV[1]) return 1";
/** The same, only ever forward: two changes racing must not leave the older version in Redis. */
const RAISE_AND_ANNOUNCE =
  "if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '-1') then redis.call('SET', KEYS[1], ARGV[1]) redis.call('PUBLISH', ARGV[2], ARGV[1]) end return 1";

/**
 * Copies the knowledge-base version from the database to Redis (`<prefix>:kb:version`), where a
 * response cache puts it in its key, and announces each new one on `<prefix>:kb:version:changed`,
 * which generators follow instead of reading the key on every turn. The database stays the
 * truth: a Redis that lost the key gets it again at history's next start or change (or its next
 * connection), and generators fall back to asking history meanwhile.
 */
@Injectable()
export class KnowledgeVersionPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(KnowledgeVersionPublisher.name);
  private readonly redis: Redis;
  private readonly key: string;
  private readonly channel: string;
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
    this.channel = kbVersionChannel(config.REDIS_PREFIX);
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
      await this.redis.eval(this.overwrite ? SET_AND_ANNOUNCE : RAISE_AND_ANNOUNCE, 1, this.key, String(version), this.channel);
      this.overwrite = false;
    } catch (err) {
      this.logger.warn(`knowledge-base version ${version} not published to Redis: ${(err as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
