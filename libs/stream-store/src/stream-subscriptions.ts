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
 *
 * On one Redis the chunks themselves come on this process's delivery channel (`deliveryChannel`,
 * subscribed with the first stream): the chunk script sends a gateway all of a call's chunks for
 * its streams in one message (append-chunks.ts), which is split here by stream id. A stream's own
 * channel carries the rest (ELP snapshots, the end), and the chunks of a stream that delivers to
 * no gateway.
 */
export class StreamSubscriptions {
  private readonly listeners = new Map<string, Set<Listener>>();
  /** The same listener sets by stream id, for the delivery channel's lines. */
  private readonly byStream = new Map<string, Set<Listener>>();
  private delivering?: Promise<unknown>;
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly disconnectHandlers = new Set<() => void>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StreamKeys,
    private readonly sharded: boolean,
    private readonly onUnsubscribeError: (channel: string, err: Error) => void = () => undefined,
    /** False for a connection someone else owns (and closes). */
    private readonly owned = true,
    /** This process's delivery channel (one Redis), subscribed with the first stream. */
    private readonly deliveryChannel?: string,
  ) {
    redis.on('error', () => undefined);
    redis.on(sharded ? 'smessage' : 'message', (channel: string, message: string) => {
      if (channel === this.deliveryChannel) return this.deliver(message);
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
    if (!isClusterTarget(target)) {
      const deliveries = store.instanceId === undefined ? undefined : store.keys.deliveries(store.instanceId);
      return new StreamSubscriptions(store.connection, store.keys, false, onUnsubscribeError, false, deliveries);
    }
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
      this.byStream.set(streamId, set);
    }
    set.add(listener);
    if (first) {
      try {
        await Promise.all([this.sharded ? this.redis.ssubscribe(channel) : this.redis.subscribe(channel), this.subscribeDeliveries()]);
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
      this.byStream.delete(streamId);
      (this.sharded ? this.redis.sunsubscribe(channel) : this.redis.unsubscribe(channel)).catch((err: Error) => this.onUnsubscribeError(channel, err));
    }
  }

  /** The delivery channel's subscription, made once (and again after a failed try). */
  private subscribeDeliveries(): Promise<unknown> | undefined {
    if (this.deliveryChannel === undefined) return undefined;
    this.delivering ??= this.redis.subscribe(this.deliveryChannel).catch((err: Error) => {
      this.delivering = undefined;
      throw err;
    });
    return this.delivering;
  }

  /** A delivery: lines of `<stream id> <entry>`, in the order they were appended. */
  private deliver(message: string): void {
    let at = 0;
    while (at < message.length) {
      const space = message.indexOf(' ', at);
      if (space < 0) return;
      let end = message.indexOf('\n', space);
      if (end < 0) end = message.length;
      const set = this.byStream.get(message.slice(at, space));
      if (set) {
        const entry = message.slice(space + 1, end);
        for (const listener of set) listener(entry);
      }
      at = end + 1;
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
