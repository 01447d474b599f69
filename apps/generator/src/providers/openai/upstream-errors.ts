import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ProviderError } from '../provider-error.js';

/**
 * Maps what the `openai` SDK throws (after its own retries) to a stream error code. Errors the
 * next job attempt may not meet (timeouts, 5xx, 429, a broken stream) are retried by the queue;
 * a refused request ends the stream at once. A 400 on a request that carried a partial reply
 * to continue means the server does not accept that form: `continuation_unsupported`.
 */
export function upstreamError(err: unknown, continuing: boolean): Error {
  if (err instanceof ProviderError || err instanceof APIUserAbortError) return err as Error;
  if (err instanceof APIConnectionTimeoutError) {
    return new ProviderError('upstream_timeout', 'The model server did not answer in time', false, { cause: err });
  }
  if (err instanceof APIConnectionError) {
    return new ProviderError('upstream_unavailable', 'The model server cannot be reached', false, { cause: err });
  }
  if (err instanceof APIError) {
    const status = err.status;
    if (status === undefined) return new ProviderError('upstream_error', `The model server reported an error: ${err.message}`, false, { cause: err });
    if (status === 429) return new ProviderError('upstream_rate_limited', 'The model server is rate limiting requests', false, { cause: err });
    if (status >= 500 || status === 408 || status === 409) {
      return new ProviderError('upstream_unavailable', `The model server answered ${status}`, false, { cause: err });
    }
    if (continuing && status === 400) {
      return new ProviderError('continuation_unsupported', 'The model server cannot continue a partial reply', true, { cause: err });
    }
    if (status === 401 || status === 403) return new ProviderError('upstream_unauthorized', 'The model server refused the credentials (LLM_API_KEY)', true, { cause: err });
    if (status === 404) return new ProviderError('upstream_model_not_found', 'The model server does not know the model (LLM_MODEL)', true, { cause: err });
    return new ProviderError('upstream_rejected', `The model server refused the request (${status})`, true, { cause: err });
  }
  // A stream cut mid-way surfaces as a plain network error from fetch.
  return new ProviderError('upstream_error', `The model stream broke: ${(err as Error)?.message ?? String(err)}`, false, { cause: err });
}
