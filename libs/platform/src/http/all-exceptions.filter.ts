import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DependencyUnavailableError, isRedisOutage } from './dependency-unavailable.error.js';
import { errorBody, RETRY_AFTER_S } from './error-body.js';
import { requestIdOf } from './request-id.middleware.js';
import { TooManyRequestsException } from './too-many-requests.exception.js';

/** How one API shapes its error bodies; the statuses and headers are the same for every shape. */
export interface ErrorShapes {
  /** An HTTP exception a handler threw: its own status. */
  http(status: number, exception: HttpException): object;
  /** A dependency (Redis, history, …) is down: 503 + Retry-After. */
  unavailable(message: string): object;
  /** Anything else: a 500 without internals. */
  internal(): object;
  /** An exception this API answers in its own way (status, body, whether to send Retry-After). */
  special?(exception: unknown): { status: number; body: object; retryAfter?: boolean } | undefined;
}

/**
 * Answers an exception (docs/api.md §6): HTTP exceptions keep their status (a 429 its
 * Retry-After), outages become 503 + Retry-After, anything else a logged 500.
 */
export function respondWithError(exception: unknown, host: ArgumentsHost, logger: Logger, shapes: ErrorShapes): void {
  const ctx = host.switchToHttp();
  const res = ctx.getResponse<Response>();
  const req = ctx.getRequest<Request>();
  if (res.headersSent) {
    res.end();
    return;
  }
  const special = shapes.special?.(exception);
  if (special) {
    if (special.retryAfter) res.setHeader('Retry-After', String(RETRY_AFTER_S));
    res.status(special.status).json(special.body);
    return;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (exception instanceof TooManyRequestsException) res.setHeader('Retry-After', String(exception.retryAfterS));
    res.status(status).json(shapes.http(status, exception));
    return;
  }
  if (exception instanceof DependencyUnavailableError || isRedisOutage(exception)) {
    const dependency = exception instanceof DependencyUnavailableError ? exception.dependency : 'redis';
    logger.warn(requestTag(req), `${req.method} ${req.path}: ${dependency} unavailable`);
    res.setHeader('Retry-After', String(RETRY_AFTER_S));
    res.status(503).json(shapes.unavailable(`${dependency} is unavailable, retry shortly`));
    return;
  }
  logger.error({ ...requestTag(req), err: exception instanceof Error ? exception.stack : String(exception) }, `${req.method} ${req.path} failed`);
  res.status(500).json(shapes.internal());
}

/** The request id for a line, unless the request has a logger of its own (pino-http's `req.log`) that adds it. */
function requestTag(req: Request): { reqId?: string } {
  return 'log' in req ? {} : { reqId: requestIdOf(req) };
}

/** docs/api.md §6's body: `{statusCode, error, message}` plus what the exception carries. */
const nativeShapes: ErrorShapes = {
  http(status, exception) {
    const response = exception.getResponse();
    return typeof response === 'object' && response !== null ? { ...errorBody(status, exception.message), ...response } : errorBody(status, response);
  },
  unavailable: (message) => errorBody(503, message),
  internal: () => errorBody(500, 'Internal server error'),
};

/** The one place the native API's error bodies are shaped. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    respondWithError(exception, host, this.logger, nativeShapes);
  }
}
