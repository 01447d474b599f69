import type { NextFunction, Request, Response } from 'express';

const ARRIVED_AT_MS = Symbol('arrivedAtMs');
type StampedRequest = Request & { [ARRIVED_AT_MS]?: number };

/**
 * The first middleware: stamps when the request reached this process (epoch ms), before its body
 * is read, the caller authenticated and the body validated, so a turn's `ttft_ms`, measured from
 * here, counts all of that (docs/api.md: "from receiving the request").
 */
export function stampArrival(req: Request, _res: Response, next: NextFunction): void {
  (req as StampedRequest)[ARRIVED_AT_MS] = Date.now();
  next();
}

/** When `req` arrived (now for a request the stamp did not see, e.g. in a test module without it). */
export function arrivalOf(req: Request): number {
  return (req as StampedRequest)[ARRIVED_AT_MS] ?? Date.now();
}
