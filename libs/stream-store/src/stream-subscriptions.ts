import { isClusterTarget, subscriberConnection, type RedisClient, type RedisTarget } from '@app/platform';
import type { StreamKeys } from './stream-keys.js';

type Listener = (entry: string) => void;

/**
 * The live channels of streams, on one subscriber connection shared by every attached client
 * (exact channels: PSUBSCRIBE costs grow with every pattern). A stream's channel is subscribed
 * while it has a listener. On a Redis Cluster the channels are sharded (SSUBSCRIBE): each is read
 * from the node that owns its stream's slot, where the chunk script publishes it, and ioredis moves
 * the subscription when the slot moves.
 */
export class StreamSubscriptions {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly disconnectHandlers = new Set<() => void>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StreamKeys,
    private readonly sharded: boolean,
    private readonly onUnsubscribeError: (channel: string, err: Error) => void = () => undefined,
  ) {
    redis.on('error', () => undefined);
    redis.on(sharded ? 'smessage' : 'message', (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (set) for (const listener of set) listener(message);
    });
    let connectedOnce = false;
    redis.on('close', () => {
      if (connectedOnce) for (const handler of this.disconnectHandlers) handler();
    });
    redis.on('ready', () => {
      // Messages published while we were disconnected are lost: let relays re-read the log.
      if (connectedOnce) for (const handler of this.reconnectHandlers) handler();
      connectedOnce = true;
    });
  }

  static connect(target: RedisTarget, connectionName: string, keys: StreamKeys, onUnsubscribeError?: (channel: string, err: Error) => void): StreamSubscriptions {
    const sharded = isClusterTarget(target);
    return new StreamSubscriptions(subscriberConnection(target, connectionName, { sharded }), keys, sharded, onUnsubscribeError);
  }

  /** Resolves once Redis confirms the subscription, so no entry published afterwards is missed. */
  async subscribe(streamId: string, listener: Listener): Promise<void> {
    const channel = this.keys.channel(streamId);
    let set = this.listeners.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    if (first) {
      try {
        await (this.sharded ? this.redis.ssubscribe(channel) : this.redis.subscribe(channel));
      } catch (err) {
        this.unsubscribe(streamId, listener);
        throw err;
      }
    }
  }

  unsubscribe(streamId: string, listener: Listener): void {
    const channel = this.keys.channel(streamId);
    const set = this.listeners.get(channel);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) {
      this.listeners.delete(channel);
      (this.sharded ? this.redis.sunsubscribe(channel) : this.redis.unsubscribe(channel)).catch((err: Error) => this.onUnsubscribeError(channel, err));
    }
  }

  /** `onDown` runs when the connection drops, `onUp` when it is back (and re-subscribed). */
  watchConnection(onDown: () => void, onUp: () => void): () => void {
    this.disconnectHandlers.add(onDown);
    this.reconnectHandlers.add(onUp);
    return () => {
      this.disconnectHandlers.delete(onDown);
      this.reconnectHandlers.delete(onUp);
    };
  }

  get channelCount(): number {
    return this.listeners.size;
  }

  /** Nest calls it at shutdown when this is a provider. */
  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
