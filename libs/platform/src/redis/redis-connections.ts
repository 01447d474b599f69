import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/config.schema.js';
import { countReconnects } from '../metrics/redis-metrics.js';
import { CoalescingRedis } from './coalescing-redis.js';

/**
 * Where the service's Redis is: one server (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES`,
 * which wins when set). Pass the config itself.
 */
export type RedisTarget = Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>;

/**
 * A connection to either: the commands both clients share. A `Cluster` routes each command by its
 * first key's slot; a command without keys (PING, PUBLISH) goes to any node.
 */
export type RedisClient = Redis | Cluster;

/**
 * The three kinds of connection (docs/architecture.md "Redis"). Commands fail fast (no offline queue) so a
 * Redis outage becomes a 503 instead of a hung request; BullMQ's own connections must retry
 * forever (`maxRetriesPerRequest: null`).
 */
const retry = (attempt: number) => Math.min(50 * attempt, 1_000);
const reconnect = { retryStrategy: retry, lazyConnect: false } satisfies RedisOptions;

/** A cluster client with the same behaviour: `options` apply to the cluster, `node` to each node's connection. */
function clusterClient(target: RedisTarget, options: ClusterOptions, node: ClusterOptions['redisOptions']): Cluster {
  return new Cluster(target.REDIS_CLUSTER_NODES!, { clusterRetryStrategy: retry, ...options, redisOptions: node });
}

const isCluster = (target: RedisTarget) => (target.REDIS_CLUSTER_NODES?.length ?? 0) > 0;

/** A command connection: fails fast, a tick's commands in one write. A bare URL is a single Redis. */
export function commandConnection(url: string, name: string): Redis;
export function commandConnection(target: RedisTarget, name: string): RedisClient;
export function commandConnection(target: string | RedisTarget, name: string): RedisClient {
  const redis =
    typeof target === 'string' || !isCluster(target)
      ? // Hundreds of streams tick in the same event-loop turn: their commands leave in one write.
        new CoalescingRedis(typeof target === 'string' ? target : target.REDIS_URL, {
          ...reconnect,
          connectionName: name,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
        })
      : clusterClient(
          target,
          // Auto-pipelining on a cluster batches per node; a failover's "connection closed" is retried on the new owner.
          { enableAutoPipelining: true, enableOfflineQueue: false, retryDelayOnFailover: 200 },
          { connectionName: name, maxRetriesPerRequest: 1, connectTimeout: 2_000 },
        );
  countReconnects(redis, name);
  return redis;
}

/** A subscriber connection. A bare URL is a single Redis. */
export function subscriberConnection(url: string, name: string): Redis;
export function subscriberConnection(target: RedisTarget, name: string, options?: { sharded?: boolean }): RedisClient;
/**
 * `sharded`: on a cluster, SSUBSCRIBE through one subscriber per master (ioredis moves a channel
 * when its slot moves); on one Redis it changes nothing.
 */
export function subscriberConnection(target: string | RedisTarget, name: string, { sharded = false }: { sharded?: boolean } = {}): RedisClient {
  // The offline queue stays on here: (re)subscribing must wait for the connection, and ioredis
  // re-subscribes by itself after a reconnect (a cluster client: on another node when its node fails).
  const redis =
    typeof target === 'string' || !isCluster(target)
      ? new Redis(typeof target === 'string' ? target : target.REDIS_URL, { ...reconnect, connectionName: name, maxRetriesPerRequest: null })
      : clusterClient(target, { shardedSubscribers: sharded }, { connectionName: name, maxRetriesPerRequest: null });
  countReconnects(redis, name);
  return redis;
}

/** Whether the target is a Redis Cluster (`REDIS_CLUSTER_NODES` set). */
export function isClusterTarget(target: RedisTarget): boolean {
  return isCluster(target);
}

/**
 * BullMQ's `connection`. For one Redis, options (BullMQ opens and closes its connections). For a
 * cluster, a lazy `Cluster` client: a Worker duplicates it (the original never connects), a Queue
 * uses it as is and does not close it: its owner calls `releaseBullConnection` after `queue.close()`.
 */
export function bullConnectionOptions(target: string | RedisTarget): ConnectionOptions {
  if (typeof target === 'string' || !isCluster(target)) {
    return { url: typeof target === 'string' ? target : target.REDIS_URL, maxRetriesPerRequest: null, retryStrategy: retry };
  }
  return clusterClient(target, { lazyConnect: true }, { maxRetriesPerRequest: null });
}

/**
 * A BullMQ queue's (producer's) `connection`. For one Redis, a connection whose commands of the
 * same tick leave in one write, like the command connection's: the jobs of starts admitted
 * together are added in one write instead of a system call each. Retries forever, as BullMQ needs.
 * For a cluster, what `bullConnectionOptions` gives. Its owner calls `releaseBullConnection` after
 * `queue.close()`: a queue does not close a connection it was given.
 */
export function bullQueueConnection(target: RedisTarget): ConnectionOptions {
  if (isCluster(target)) return bullConnectionOptions(target);
  return new CoalescingRedis(target.REDIS_URL, { maxRetriesPerRequest: null, retryStrategy: retry });
}

/** Closes a connection that was handed to BullMQ; nothing to do for options (BullMQ closes what it opened). */
export async function releaseBullConnection(connection: ConnectionOptions): Promise<void> {
  if (connection instanceof Cluster || connection instanceof Redis) await connection.quit().catch(() => connection.disconnect());
}

/** BullMQ keys share one hash tag so a Redis Cluster keeps each queue on one slot. */
export const bullPrefix = (redisPrefix: string): string => `{${redisPrefix}}`;

/**
 * Whether Redis serves commands: PING for one server; for a cluster, `CLUSTER INFO` of some node
 * says `cluster_state:ok` (every slot has a reachable master).
 */
export async function redisAnswers(redis: RedisClient): Promise<boolean> {
  if (redis instanceof Cluster) {
    if (redis.status !== 'ready') return false;
    return /cluster_state:ok/.test(await redis.cluster('INFO'));
  }
  return (await redis.ping()) === 'PONG';
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitReady(redis: RedisClient, timeoutMs: number): Promise<void> {
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
