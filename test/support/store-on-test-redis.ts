import { commandConnection, waitReady } from '@app/platform';
import { StreamStore } from '@app/stream-store';
import type { Redis } from 'ioredis';
import { TestRedis } from './redis-server.js';

/** A stream store on a redis-server of its own, and a plain client to look at what it wrote. */
export interface StoreOnTestRedis {
  redis: Redis;
  store: StreamStore;
  stop(): Promise<void>;
}

/**
 * `bySlot`: the store splits its calls by hash slot as on a Redis Cluster (one call per slot,
 * undone or completed by calls of their own), which must leave what one Redis's scripts leave.
 */
export async function storeOnTestRedis(prefix: string, bySlot: boolean): Promise<StoreOnTestRedis> {
  const server = await TestRedis.start();
  const redis = server.client();
  const connection = commandConnection(server.url, `test:${prefix}`);
  connection.on('error', () => undefined);
  const store = new StreamStore(connection, { prefix, replayTtlS: 600, presenceTtlMs: 10_000, pacingMs: 30, bySlot });
  await waitReady(connection, 10_000);
  return {
    redis,
    store,
    async stop() {
      store.onApplicationShutdown();
      redis.disconnect();
      await server.stop();
    },
  };
}
