import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { countReconnects } from '../metrics/redis-metrics.js';

/**
 * The three kinds of connection (docs/architecture.md "Redis"). Commands fail fast (no offline queue) so a
 * Redis outage becomes a 503 instead of a hung request; BullMQ's own connections must retry
 * forever (`maxRetriesPerRequest: null`).
 */
const reconnect: RedisOptions = {
  retryStrategy: (attempt: number) => Math.min(50 * attempt, 1_000),
  lazyConnect: false,
};

export function commandConnection(url: string, name: string): Redis {
  const redis = new Redis(url, {
    ...reconnect,
    connectionName: name,
    // Hundreds of streams tick in the same event-loop turn: their commands leave in one write.
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  });
  countReconnects(redis, name);
  return redis;
}

export function subscriberConnection(url: string, name: string): Redis {
  // The offline queue stays on here: (re)subscribing must wait for the connection, and ioredis
  // re-subscribes by itself after a reconnect.
  const redis = new Redis(url, { ...reconnect, connectionName: name, maxRetriesPerRequest: null });
  countReconnects(redis, name);
  return redis;
}

export function bullConnectionOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, retryStrategy: (attempt: number) => Math.min(50 * attempt, 1_000) };
}

/** BullMQ keys share one hash tag so a Redis Cluster keeps each queue on one slot. */
export const bullPrefix = (redisPrefix: string): string => `{${redisPrefix}}`;

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
