import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { StreamKeys } from '@app/contracts';
import { APP_CONFIG, commandConnection, withStreamScripts, type AppConfig, type ReadinessCheck, type StreamScripts } from '@app/platform';
import type { Redis } from 'ioredis';

/** The gateway's command connection (fails fast: a Redis outage is a 503, not a hang). */
@Injectable()
export class GatewayRedis implements ReadinessCheck, OnApplicationShutdown {
  readonly name = 'redis';
  readonly client: Redis & StreamScripts;
  readonly keys: StreamKeys;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.keys = new StreamKeys(config.REDIS_PREFIX);
    this.client = withStreamScripts(commandConnection(config.REDIS_URL, 'gateway:commands'));
    this.client.on('error', () => undefined);
  }

  async check(): Promise<boolean> {
    return (await this.client.ping()) === 'PONG';
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
