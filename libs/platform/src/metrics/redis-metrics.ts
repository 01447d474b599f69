import { counter } from './metric.js';

/** Reconnections of the service's own Redis connections, by connection name (a fixed set). */
const redisReconnects = counter({
  name: 'chat_redis_reconnects_total',
  help: 'Times a Redis connection of this service started reconnecting',
  labelNames: ['service', 'connection'] as const,
});

/** Connection names are "<service>:<role>", e.g. "gateway:subscriber". */
export function countReconnects(redis: { on(event: 'reconnecting', listener: () => void): unknown }, name: string): void {
  const [service, connection = service] = name.split(':');
  redisReconnects.inc({ service, connection }, 0); // the series exists from the start, at 0
  redis.on('reconnecting', () => redisReconnects.inc({ service, connection }));
}
