import { DependencyUnavailableError } from '../http/dependency-unavailable.error.js';

/**
 * Bounds a step that waits on a dependency (a Redis step of a request, a readiness check): queued
 * Redis commands (subscribe, BullMQ) would otherwise wait for the connection forever during an
 * outage, and a request must get its 503 instead. A failure or a timeout rejects with
 * `DependencyUnavailableError` naming `dependency`.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, dependency = 'redis'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyUnavailableError(dependency, new Error(`no answer in ${ms} ms`))), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    if (err instanceof DependencyUnavailableError) throw err;
    throw new DependencyUnavailableError(dependency, err);
  } finally {
    clearTimeout(timer);
  }
}
