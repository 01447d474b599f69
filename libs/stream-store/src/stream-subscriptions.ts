import { isClusterTarget, subscriberConnection, type RedisClient, type RedisTarget } from '@app/platform';
import type { Redis } from 'ioredis';
import type { StreamKeys } from './stream-keys.js';
import type { StreamStore } from './stream-store.js';

type Listener = (entry: string) => void;

/**
 * The live channels of streams, on one connection shared by every attached client (exact channels:
 * PSUBSCRIBE costs grow with every pattern). A stream's channel is subscribed while it has a
 * listener.
 *
 * On one Redis that connection is the stream store's command connection, speaking RESP3, where a
 * subscription does not stop the connection's other commands: a stream start's SUBSCRIBE leaves
 * in the same write as its admission (one socket write and one wake-up of Redis, not two), and
 * their answers come back together. On a Redis Cluster the channels are sharded (SSUBSCRIBE) on a
 * subscriber connection of their own: each is read from the node that owns its stream's slot,
 * where the chunk script publishes it, and ioredis moves the subscription when the slot moves.
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
    /** False for a connection someone else owns (and closes). */
    private readonly owned = true,
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

  /**
   * The subscriptions beside `store`: on one Redis, on its command connection, in RESP3 (ioredis's
   * default; the product needs Redis 6.2 or later anyway), which `store` owns and closes; on a
   * cluster, on a sharded subscriber connection of their own, named `connectionName`.
   */
  static connect(target: RedisTarget, connectionName: string, store: StreamStore, onUnsubscribeError?: (channel: string, err: Error) => void): StreamSubscriptions {
    if (!isClusterTarget(target)) return new StreamSubscriptions(store.connection, store.keys, false, onUnsubscribeError, false);
    return new StreamSubscriptions(subscriberConnection(target, connectionName, { sharded: true }), store.keys, true, onUnsubscribeError);
  }

  /** Resolves once Redis confirms the subscription, so no entry published afterwards is missed. */
  async subscribe(streamId: string, listener: Listener): Promise<void> {
    this.refuseResp2();
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

  /**
   * On RESP2 (a server older than Redis 6) a SUBSCRIBE would turn a shared command connection into
   * a subscriber-only one and fail every stream command after it: refused instead, by name.
   */
  private refuseResp2(): void {
    if (!this.owned && (this.redis as Redis).condition?.protocol === 2) {
      throw new Error('stream subscriptions share the command connection and need RESP3: Redis 6.2 or later');
    }
  }

  /** Nest calls it at shutdown when this is a provider. */
  onApplicationShutdown(): void {
    if (this.owned) this.redis.disconnect();
  }
}
