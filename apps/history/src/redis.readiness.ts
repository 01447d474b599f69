import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, commandConnection, type AppConfig, type ReadinessCheck } from '@app/platform';
import type { Redis } from 'ioredis';

/** Readiness of the Redis that carries the turn events stream. */
@Injectable()
export class RedisReadiness implements ReadinessCheck, OnApplicationShutdown {
  readonly name = 'redis';
  private readonly redis: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = commandConnection(config.REDIS_URL, 'history:health');
    this.redis.on('error', () => undefined);
  }

  async check(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
