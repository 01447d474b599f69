import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, subscriberConnection, type AppConfig } from '@app/platform';
import type { Redis } from 'ioredis';

type Listener = (message: string) => void;

/**
 * One subscriber connection per gateway, shared by every attached client, on exact channels
 * (PSUBSCRIBE costs grow with every pattern). A channel is subscribed while it has a listener.
 */
@Injectable()
export class StreamSubscriber implements OnApplicationShutdown {
  private readonly logger = new Logger(StreamSubscriber.name);
  private readonly redis: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly disconnectHandlers = new Set<() => void>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = subscriberConnection(config.REDIS_URL, 'gateway:subscriber');
    this.redis.on('error', () => undefined);
    this.redis.on('message', (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (set) for (const listener of set) listener(message);
    });
    let connectedOnce = false;
    this.redis.on('close', () => {
      if (connectedOnce) for (const handler of this.disconnectHandlers) handler();
    });
    this.redis.on('ready', () => {
      // Messages published while we were disconnected are lost: let relays re-read the log.
      if (connectedOnce) for (const handler of this.reconnectHandlers) handler();
      connectedOnce = true;
    });
  }

  /** Resolves once Redis confirms the subscription, so nothing published afterwards is missed. */
  async subscribe(channel: string, listener: Listener): Promise<void> {
    let set = this.listeners.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    if (first) {
      try {
        await this.redis.subscribe(channel);
      } catch (err) {
        this.unsubscribe(channel, listener);
        throw err;
      }
    }
  }

  unsubscribe(channel: string, listener: Listener): void {
    const set = this.listeners.get(channel);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) {
      this.listeners.delete(channel);
      this.redis.unsubscribe(channel).catch((err: Error) => this.logger.debug(`unsubscribe ${channel}: ${err.message}`));
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

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
