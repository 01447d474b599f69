import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';

/** When a request reached this process, on two clocks. */
export interface ArrivalTime {
  /** Epoch ms (`Date.now()`): the turn's `created_at`, and durations another process measures. */
  receivedAtMs: number;
  /**
   * `performance.now()`: durations this process measures itself (a turn's `ttft_ms` on the starting
   * connection). A difference of two `Date.now()` readings is off by up to a millisecond either way
   * (each is floored) and jumps with the wall clock; this one is exact and monotonic.
   */
  receivedAtMonoMs: number;
}

const ARRIVAL = Symbol('arrival');
type StampedRequest = Request & { [ARRIVAL]?: ArrivalTime };

/**
 * The first middleware: stamps when the request reached this process, before its body is read,
 * the caller authenticated and the body validated, so a turn's `ttft_ms`, measured from here,
 * counts all of that (docs/api.md: "from receiving the request").
 */
export function stampArrival(req: Request, _res: Response, next: NextFunction): void {
  (req as StampedRequest)[ARRIVAL] = { receivedAtMs: Date.now(), receivedAtMonoMs: performance.now() };
  next();
}

/** When `req` arrived (now for a request the stamp did not see, e.g. in a test module without it). */
export function arrivalOf(req: Request): ArrivalTime {
  return (req as StampedRequest)[ARRIVAL] ?? { receivedAtMs: Date.now(), receivedAtMonoMs: performance.now() };
}
