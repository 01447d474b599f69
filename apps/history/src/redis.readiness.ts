import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, commandConnection, redisAnswers, type AppConfig, type ReadinessCheck, type RedisClient } from '@app/platform';

/** Readiness of the Redis that carries the turn events stream. */
@Injectable()
export class RedisReadiness implements ReadinessCheck, OnApplicationShutdown {
  readonly name = 'redis';
  private readonly redis: RedisClient;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = commandConnection(config, 'history:health');
    this.redis.on('error', () => undefined);
  }

  async check(): Promise<boolean> {
    return redisAnswers(this.redis);
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
