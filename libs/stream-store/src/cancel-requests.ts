import { subscriberConnection, type RedisClient, type RedisTarget } from '@app/platform';
import type { StreamKeys } from './stream-keys.js';

/**
 * The generators' side of a cancel: the control channel on which `StreamStore.cancel` names the
 * stream, heard by every generator (only the one holding the job can abort it).
 */
export class CancelRequests {
  private constructor(
    private readonly redis: RedisClient,
    private readonly keys: StreamKeys,
  ) {
    redis.on('error', () => undefined);
  }

  static connect(target: RedisTarget, connectionName: string, keys: StreamKeys): CancelRequests {
    return new CancelRequests(subscriberConnection(target, connectionName), keys);
  }

  /** Resolves once subscribed; `handler` gets each stream id to cancel. */
  async listen(handler: (streamId: string) => void): Promise<void> {
    this.redis.on('message', (_channel: string, streamId: string) => handler(streamId));
    await this.redis.subscribe(this.keys.controlChannel());
  }

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  close(): void {
    this.redis.disconnect();
  }
}
