import type { ChatStats, ContextTurnData, SessionHistory, SessionList } from '@app/contracts';
import { DependencyUnavailableError } from '../http/dependency-unavailable.error.js';

const TIMEOUT_MS = 3_000;

/** The history service's internal HTTP API, as gateways and generators call it. */
export class HistoryClient {
  constructor(private readonly baseUrl: string) {}

  /** null when the session does not exist (or is not `userId`'s). */
  getSession(sessionId: string, userId?: string): Promise<SessionHistory | null> {
    return this.request(`/sessions/${encodeURIComponent(sessionId)}${query({ user_id: userId })}`);
  }

  async owner(sessionId: string): Promise<string | null> {
    const found = await this.request<{ user_id: string }>(`/sessions/${encodeURIComponent(sessionId)}/owner`);
    return found?.user_id ?? null;
  }

  async listSessions(userId: string): Promise<SessionList> {
    return (await this.request<SessionList>(`/sessions${query({ user_id: userId })}`))!;
  }

  async context(sessionId: string, turns: number, excludeStreamId: string): Promise<ContextTurnData[]> {
    const path = `/sessions/${encodeURIComponent(sessionId)}/context${query({ limit: String(turns), exclude_stream: excludeStreamId })}`;
    return (await this.request<ContextTurnData[]>(path)) ?? [];
  }

  /** false when the session does not exist (or is not `userId`'s). */
  async deleteSession(sessionId: string, userId?: string): Promise<boolean> {
    const done = await this.request(`/sessions/${encodeURIComponent(sessionId)}${query({ user_id: userId })}`, 'DELETE');
    return done !== null;
  }

  async stats(userId?: string): Promise<ChatStats> {
    return (await this.request<ChatStats>(`/stats${query({ user_id: userId })}`))!;
  }

  private async request<T>(path: string, method = 'GET'): Promise<T | null> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new DependencyUnavailableError('history', err);
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new DependencyUnavailableError('history', new Error(`history answered ${res.status}`));
    return (await res.json()) as T;
  }
}

function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}
