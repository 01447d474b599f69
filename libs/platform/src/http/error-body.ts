import { STATUS_CODES } from 'node:http';
import type { Request } from 'express';

/** docs/api.md §6 error body. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: unknown;
  [extra: string]: unknown;
}

export function errorBody(statusCode: number, message: unknown, extra: Record<string, unknown> = {}): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...extra };
}

/**
 * The body of a refusal made before routing (media type, size, JSON syntax, prototype keys): §6's
 * shape, or OpenAI's on the OpenAI-compatible routes (docs/api.md §13), whose clients read only that.
 */
export function earlyErrorBody(req: Request, statusCode: number, message: string | string[]): object {
  if (!req.path.startsWith('/v1/')) return errorBody(statusCode, message);
  const text = Array.isArray(message) ? message.join('; ') : message;
  return { error: { message: text, type: 'invalid_request_error', param: null, code: null } };
}

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_S = 2;
