import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { StreamStore } from '@app/stream-store';
import { redisStep } from '../redis-step.js';
import { StreamRelay } from '../relay/stream-relay.service.js';

/** Cancel (docs/api.md §3): mark the stream cancelling, then tell the worker that holds it. */
@Injectable()
export class StreamCancel {
  private readonly logger = new Logger(StreamCancel.name);

  constructor(
    private readonly store: StreamStore,
    private readonly relay: StreamRelay,
  ) {}

  /** `requestId`: the X-Request-Id of the request asking, for the log line. */
  async cancel(streamId: string, userId?: string, requestId?: string): Promise<{ stream_id: string; status: 'cancelling' }> {
    await this.relay.requireMeta(streamId, userId);
    const found = await redisStep(this.store.cancel(streamId));
    if (found !== 'running' && found !== 'cancelling') {
      throw new ConflictException({ message: `Stream already ${found}`, stream_id: streamId, status: found });
    }
    this.logger.log({ reqId: requestId, stream_id: streamId }, 'cancel requested');
    return { stream_id: streamId, status: 'cancelling' };
  }
}
