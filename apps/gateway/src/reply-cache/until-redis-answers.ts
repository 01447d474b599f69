import pRetry from 'p-retry';

/**
 * How long a replay's Redis step is retried before the replay fails: longer than a Redis Cluster
 * failover (a replica is promoted in ~3 s) or a Redis restart, so neither ends a cached reply, as
 * neither ends a generated one (whose job is retried). Every step may be repeated safely: a chunk
 * already in the log is refused by its seq, a second finish by the stream's status, and history
 * stores a turn event delivered twice once.
 */
const REDIS_OUTAGE_BOUND_MS = 10_000;

/** `step`, tried again while Redis does not answer, up to `REDIS_OUTAGE_BOUND_MS`. */
export async function untilRedisAnswers<T>(step: (attempt: number) => Promise<T>): Promise<T> {
  // The first try outside p-retry: p-retry's bookkeeping is about a kilobyte a call.
  try {
    return await step(1);
  } catch {
    return pRetry((retry) => step(retry + 1), { retries: 20, minTimeout: 100, maxTimeout: 1_000, maxRetryTime: REDIS_OUTAGE_BOUND_MS });
  }
}
