import { withTimeout } from '@app/platform';

/** Redis steps of a request get this long before the client is told 503. */
const REDIS_STEP_TIMEOUT_MS = 2_000;

/** One Redis step of a request, bounded by `REDIS_STEP_TIMEOUT_MS`. */
export function redisStep<T>(step: Promise<T>): Promise<T> {
  return withTimeout(step, REDIS_STEP_TIMEOUT_MS);
}
