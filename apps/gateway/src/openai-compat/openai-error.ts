/** OpenAI's error body (docs/api.md §13): `{"error":{"message","type","param","code"}}`. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
};

const CODE_BY_STATUS: Record<number, string> = {
  401: 'invalid_api_key',
  403: 'permission_denied',
  404: 'not_found',
  409: 'session_busy',
  429: 'rate_limit_exceeded',
  503: 'service_unavailable',
};

export function openAiError(status: number, message: string, extra: { param?: string | null; code?: string | null } = {}): OpenAiErrorBody {
  return {
    error: {
      message,
      type: TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: extra.param ?? null,
      code: extra.code ?? CODE_BY_STATUS[status] ?? null,
    },
  };
}

/** The first field a validation message names ("messages.0.role must …", "messages.0.property extra should not exist"). */
export function paramOf(message: string): string | null {
  const property = /^((?:[\w]+\.)*)property (\S+) should not exist/.exec(message);
  if (property) return `${property[1]}${property[2]}`;
  const field = /^([A-Za-z_][\w.]*)[: ]/.exec(message);
  return field ? field[1] : null;
}

