import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { arrivalOf, requestIdOf } from '@app/platform';
import type { Request } from 'express';

/** What a turn keeps of the request that started it. */
export interface RequestArrival {
  /** When the request reached the gateway (epoch ms): the start of the turn's `ttft_ms` and `duration_ms`. */
  receivedAtMs: number;
  /**
   * Its X-Request-Id, for the turn's log lines: the gateway has no request-scoped logger to add it
   * (libs/platform logging).
   */
  requestId?: string;
}

export function requestArrival(req: Request): RequestArrival {
  return { receivedAtMs: arrivalOf(req), requestId: requestIdOf(req) };
}

/** The handler's `RequestArrival`. */
export const Arrival = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestArrival => requestArrival(ctx.switchToHttp().getRequest<Request>()));
