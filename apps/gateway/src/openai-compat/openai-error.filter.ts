import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { DependencyUnavailableError, isRedisOutage, RETRY_AFTER_S, TooManyRequestsException } from '@app/platform';
import type { Request, Response } from 'express';
import { openAiError, paramOf } from './openai-error.js';

/** A turn that ended with an `error` event before a non-streamed reply was sent. */
export class TurnFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Errors of the OpenAI-compatible routes in OpenAI's shape (docs/api.md §13), with the statuses
 * of §6: its clients read `error.message` and `error.code`, not the native body. Scoped to that
 * controller; the rest of the gateway keeps the native shape.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAiErrors');

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
      const response = exception.getResponse() as string | { message?: unknown; code?: string; param?: string };
      const raw = typeof response === 'string' ? response : (response.message ?? exception.message);
      const messages = Array.isArray(raw) ? raw.map(String) : [String(raw)];
      const detail = typeof response === 'object' ? response : {};
      res.status(status).json(openAiError(status, messages.join('; '), { param: detail.param ?? (status === 400 ? paramOf(messages[0]) : null), code: detail.code }));
      return;
    }
    if (exception instanceof TurnFailedError) {
      res.setHeader('Retry-After', String(RETRY_AFTER_S));
      res.status(503).json(openAiError(503, exception.message, { code: exception.code }));
      return;
    }
    if (exception instanceof DependencyUnavailableError || isRedisOutage(exception)) {
      const dependency = exception instanceof DependencyUnavailableError ? exception.dependency : 'redis';
      this.logger.warn(`${req.method} ${req.path}: ${dependency} unavailable`);
      res.setHeader('Retry-After', String(RETRY_AFTER_S));
      res.status(503).json(openAiError(503, `${dependency} is unavailable, retry shortly`));
      return;
    }
    this.logger.error(`${req.method} ${req.path} failed`, exception instanceof Error ? exception.stack : String(exception));
    res.status(500).json(openAiError(500, 'Internal server error'));
  }
}
