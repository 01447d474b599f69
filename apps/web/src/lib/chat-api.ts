import { ApiError } from './api-error';
import type { SessionHistory, SessionList } from './api-types';

/** The non-streaming calls of API.md §3 and §5. Relative URLs: the gateway serves this UI. */

async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, headers: { Accept: 'application/json', ...init.headers } });
  if (!res.ok) throw await ApiError.fromResponse(res);
  return (await res.json()) as T;
}

const withUser = (path: string, userId: string) => `${path}?${new URLSearchParams({ user_id: userId })}`;

export function listSessions(userId: string): Promise<SessionList> {
  return request(withUser('/api/v1/chat/sessions', userId));
}

export function getHistory(sessionId: string, userId: string): Promise<SessionHistory> {
  return request(withUser(`/api/v1/chat/history/${encodeURIComponent(sessionId)}`, userId));
}

export function deleteSession(sessionId: string, userId: string): Promise<{ success: boolean; session_id: string }> {
  return request(withUser(`/api/v1/chat/sessions/${encodeURIComponent(sessionId)}`, userId), { method: 'DELETE' });
}

/**
 * Asks the generator to stop (202: every attached client then gets `done` with status
 * `cancelled`). `finished` (409): it ended on its own meanwhile, its `done` is already on the way.
 * `unknown` (404): expired or never existed, nothing more will come.
 */
export async function cancelStream(streamId: string, userId: string): Promise<'cancelling' | 'finished' | 'unknown'> {
  try {
    await request(withUser(`/api/v1/chat/streams/${encodeURIComponent(streamId)}/cancel`, userId), { method: 'POST' });
    return 'cancelling';
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return 'finished';
    if (err instanceof ApiError && err.status === 404) return 'unknown';
    throw err;
  }
}
