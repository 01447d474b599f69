import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DependencyUnavailableError, isRedisOutage } from './dependency-unavailable.error.js';
import { errorBody, RETRY_AFTER_S } from './error-body.js';
import { TooManyRequestsException } from './too-many-requests.exception.js';

/**
 * The one place error bodies are shaped (docs/api.md §6): HTTP exceptions keep their status, outages
 * become 503 + Retry-After, anything else is a 500 without internals in the body.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    if (res.headersSent) {
      res.end();
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (exception instanceof TooManyRequestsException) res.setHeader('Retry-After', String(exception.retryAfterS));
      const response = exception.getResponse();
      const body =
        typeof response === 'object' && response !== null
          ? { ...errorBody(status, exception.message), ...(response as object) }
          : errorBody(status, response);
      res.status(status).json(body);
      return;
    }
    if (exception instanceof DependencyUnavailableError || isRedisOutage(exception)) {
      const dependency = exception instanceof DependencyUnavailableError ? exception.dependency : 'redis';
      this.logger.warn(`${req.method} ${req.path}: ${dependency} unavailable`);
      res.setHeader('Retry-After', String(RETRY_AFTER_S));
      res.status(503).json(errorBody(503, `${dependency} is unavailable, retry shortly`));
      return;
    }
    this.logger.error(`${req.method} ${req.path} failed`, exception instanceof Error ? exception.stack : String(exception));
    res.status(500).json(errorBody(500, 'Internal server error'));
  }
}
