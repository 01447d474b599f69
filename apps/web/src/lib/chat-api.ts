import { ApiError } from './api-error';
import type { SessionHistory, SessionList } from './api-types';
import { authHeaders, withUser, type Credentials } from './credentials';

/** The non-streaming calls of docs/api.md §3 and §5. Relative URLs: the gateway serves this UI. */

async function request<T>(path: string, credentials: Credentials, init: RequestInit = {}): Promise<T> {
  const res = await fetch(withUser(path, credentials), {
    ...init,
    headers: { Accept: 'application/json', ...authHeaders(credentials), ...init.headers },
  });
  if (!res.ok) throw await ApiError.fromResponse(res);
  return (await res.json()) as T;
}

/** The caller's sessions; with a token, `user_id` of the answer says who the caller is. */
export function listSessions(credentials: Credentials): Promise<SessionList> {
  return request('/api/v1/chat/sessions', credentials);
}

export function getHistory(sessionId: string, credentials: Credentials): Promise<SessionHistory> {
  return request(`/api/v1/chat/history/${encodeURIComponent(sessionId)}`, credentials);
}

export function deleteSession(sessionId: string, credentials: Credentials): Promise<{ success: boolean; session_id: string }> {
  return request(`/api/v1/chat/sessions/${encodeURIComponent(sessionId)}`, credentials, { method: 'DELETE' });
}

/**
 * Asks the generator to stop (202: every attached client then gets `done` with status
 * `cancelled`). `finished` (409): it ended on its own meanwhile, its `done` is already on the way.
 * `unknown` (404): expired or never existed, nothing more will come.
 */
export async function cancelStream(streamId: string, credentials: Credentials): Promise<'cancelling' | 'finished' | 'unknown'> {
  try {
    await request(`/api/v1/chat/streams/${encodeURIComponent(streamId)}/cancel`, credentials, { method: 'POST' });
    return 'cancelling';
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return 'finished';
    if (err instanceof ApiError && err.status === 404) return 'unknown';
    throw err;
  }
}
