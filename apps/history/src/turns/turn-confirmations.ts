import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, commandConnection, type AppConfig } from '@app/platform';
import type { Redis } from 'ioredis';

/**
 * Tells the generator that waits on a finished turn that it is stored, on the channel the turn
 * names (`confirm_to`). Pub/sub is at most once: a lost confirmation only makes that generator
 * report `persisted: false` after its wait, while the turn itself is stored.
 */
@Injectable()
export class TurnConfirmations implements OnApplicationShutdown {
  private readonly logger = new Logger(TurnConfirmations.name);
  private readonly redis: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = commandConnection(config.REDIS_URL, 'history:confirmations');
    this.redis.on('error', () => undefined);
  }

  async confirm(channel: string, streamId: string): Promise<void> {
    try {
      await this.redis.publish(channel, streamId);
    } catch (err) {
      this.logger.warn(`could not confirm turn ${streamId}: ${(err as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
