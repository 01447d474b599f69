import { STATUS_CODES } from 'node:http';

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

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_S = 2;
