import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { arrivalOf, requestIdOf } from '@app/platform';
import type { Request } from 'express';

/** What a turn keeps of the request that started it. */
export interface RequestArrival {
  /** When the request reached the gateway (epoch ms): the turn's `created_at`, the start of its `duration_ms`. */
  receivedAtMs: number;
  /** The same moment on the monotonic clock (`performance.now()`): the start of `ttft_ms` on this connection. */
  receivedAtMonoMs: number;
  /**
   * Its X-Request-Id, for the turn's log lines: the gateway has no request-scoped logger to add it
   * (libs/platform logging).
   */
  requestId?: string;
}

export function requestArrival(req: Request): RequestArrival {
  const { atMs, monoMs } = arrivalOf(req);
  return { receivedAtMs: atMs, receivedAtMonoMs: monoMs, requestId: requestIdOf(req) };
}

/** The handler's `RequestArrival`. */
export const Arrival = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestArrival => requestArrival(ctx.switchToHttp().getRequest<Request>()));
