/**
 * A provider failure with the code the stream's `error` event carries (docs/api.md §1 `error`).
 * `final`: another attempt of the job would fail the same way (a refused request, a bad key), so
 * the stream ends at once instead of after JOB_ATTEMPTS.
 */
export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly final: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderError';
  }
}
