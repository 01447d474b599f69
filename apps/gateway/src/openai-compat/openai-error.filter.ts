import { ArgumentsHost, Catch, Logger, type ExceptionFilter } from '@nestjs/common';
import { respondWithError, type ErrorShapes } from '@app/platform';
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

/** OpenAI's body for every status; `param` names the field a 400 is about. */
const openAiShapes: ErrorShapes = {
  http(status, exception) {
    const response = exception.getResponse() as string | { message?: unknown; code?: string; param?: string };
    const raw = typeof response === 'string' ? response : (response.message ?? exception.message);
    const messages = Array.isArray(raw) ? raw.map(String) : [String(raw)];
    const detail = typeof response === 'object' ? response : {};
    return openAiError(status, messages.join('; '), { param: detail.param ?? (status === 400 ? paramOf(messages[0]) : null), code: detail.code });
  },
  unavailable: (message) => openAiError(503, message),
  internal: () => openAiError(500, 'Internal server error'),
  special: (exception) =>
    exception instanceof TurnFailedError ? { status: 503, body: openAiError(503, exception.message, { code: exception.code }), retryAfter: true } : undefined,
};

/**
 * Errors of the OpenAI-compatible routes in OpenAI's shape (docs/api.md §13), with the statuses
 * of §6: its clients read `error.message` and `error.code`, not the native body. Scoped to that
 * controller; the rest of the gateway keeps the native shape.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAiErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    respondWithError(exception, host, this.logger, openAiShapes);
  }
}
