import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { withTimeout } from '@app/platform';
import { GatewayRedis } from '../redis/gateway-redis.service.js';
import { REDIS_STEP_TIMEOUT_MS, StreamRelay } from './stream-relay.service.js';

/** Cancel (docs/api.md §3): mark the stream cancelling, then tell the worker that holds it. */
@Injectable()
export class StreamControl {
  private readonly logger = new Logger(StreamControl.name);

  constructor(
    private readonly redis: GatewayRedis,
    private readonly relay: StreamRelay,
  ) {}

  async cancel(streamId: string, userId?: string): Promise<{ stream_id: string; status: 'cancelling' }> {
    await this.relay.requireMeta(streamId, userId);
    const result = await withTimeout(this.redis.client.requestCancel(this.redis.keys.meta(streamId)), REDIS_STEP_TIMEOUT_MS);
    if (result !== 1 && result !== 'cancelling') {
      throw new ConflictException({ message: `Stream already ${result}`, stream_id: streamId, status: result });
    }
    // The status flag alone stops the generator at its next tick; the message makes it immediate.
    await withTimeout(this.redis.client.publish(this.redis.keys.controlChannel(), streamId), REDIS_STEP_TIMEOUT_MS);
    this.logger.log({ stream_id: streamId }, 'cancel requested');
    return { stream_id: streamId, status: 'cancelling' };
  }
}
