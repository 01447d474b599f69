import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { StreamKeys } from '@app/stream-store';
import { APP_CONFIG, commandConnection, type AppConfig, type RedisClient } from '@app/platform';

/**
 * Tells the generator that waits on a finished turn that it is stored, on the channel the turn
 * names (`confirm_to`). Pub/sub is at most once: a lost confirmation only makes that generator
 * report `persisted: false` after its wait, while the turn itself is stored.
 *
 * A confirmation that reached no subscriber went to a generator process that is gone: its job's
 * retry will ask whether the turn is stored, so history leaves a marker for it (with the replay
 * TTL: a retry after the stream's meta expired does not get that far). A confirmation that was
 * heard costs no marker.
 */
@Injectable()
export class TurnConfirmations implements OnApplicationShutdown {
  private readonly logger = new Logger(TurnConfirmations.name);
  private readonly redis: RedisClient;
  private readonly keys: StreamKeys;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.keys = new StreamKeys(config.REDIS_PREFIX);
    this.redis = commandConnection(config, 'history:confirmations');
    this.redis.on('error', () => undefined);
  }

  async confirm(channel: string, streamId: string): Promise<void> {
    try {
      const heardBy = await this.redis.publish(channel, streamId);
      if (heardBy === 0) await this.redis.set(this.keys.turnStored(streamId), '1', 'EX', this.config.STREAM_REPLAY_TTL_S);
    } catch (err) {
      this.logger.warn(`could not confirm turn ${streamId}: ${(err as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
