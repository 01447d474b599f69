/** A non-2xx answer from the gateway (docs/api.md §6), with the server's message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds, from `Retry-After` (429/503). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static async fromResponse(res: Response): Promise<ApiError> {
    let message = `${res.status} ${res.statusText}`.trim();
    try {
      const body = (await res.json()) as { message?: unknown; error?: unknown };
      const detail = Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? body.error);
      if (typeof detail === 'string' && detail !== '') message = detail;
    } catch {
      // Not JSON (a proxy's HTML page, an empty body): the status line says enough.
    }
    const retryAfter = Number(res.headers.get('Retry-After'));
    return new ApiError(res.status, message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
  }
}

/** True for the error `fetch` and stream readers throw when their AbortController fired. */
export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
