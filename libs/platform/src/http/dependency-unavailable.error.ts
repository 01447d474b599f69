/** A dependency (Redis, history) cannot be reached: the client gets 503 with Retry-After. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    cause?: unknown,
  ) {
    super(`${dependency} is unavailable`, { cause });
    this.name = 'DependencyUnavailableError';
  }
}

const REDIS_DOWN = /Stream isn't writeable|Connection is closed|MaxRetriesPerRequest|ECONNREFUSED|ETIMEDOUT|Redis not ready|connect ECONN/;

/** ioredis reports an outage through several error shapes; all of them mean "retry later". */
export function isRedisOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'MaxRetriesPerRequestError' || REDIS_DOWN.test(err.message);
}
