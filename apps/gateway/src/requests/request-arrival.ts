import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { arrivalOf, requestIdOf, type ArrivalTime } from '@app/platform';
import type { Request } from 'express';

/**
 * What a turn keeps of the request that started it: when it arrived (epoch ms for `created_at`
 * and `duration_ms`, the monotonic clock for `ttft_ms` on this connection; see `ArrivalTime`).
 */
export interface RequestArrival extends ArrivalTime {
  /**
   * Its X-Request-Id, for the turn's log lines: the gateway has no request-scoped logger to add it
   * (libs/platform logging).
   */
  requestId?: string;
}

export function requestArrival(req: Request): RequestArrival {
  return { ...arrivalOf(req), requestId: requestIdOf(req) };
}

/** The handler's `RequestArrival`. */
export const Arrival = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestArrival => requestArrival(ctx.switchToHttp().getRequest<Request>()));
