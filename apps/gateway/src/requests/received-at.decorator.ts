import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { arrivalOf } from '@app/platform';
import type { Request } from 'express';

/** When the request reached the gateway (epoch ms): the start of a turn's `ttft_ms` and `duration_ms`. */
export const ReceivedAt = createParamDecorator((_: unknown, ctx: ExecutionContext): number => arrivalOf(ctx.switchToHttp().getRequest<Request>()));
