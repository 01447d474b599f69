import { HttpException } from '@nestjs/common';
import type { ChatStats, ContextTurnData, KbDocumentCreated, KbDocumentDeleted, KbDocumentInput, KbDocumentList, KbIndex, SessionHistory, SessionList } from '@app/contracts';
import { DependencyUnavailableError } from '../http/dependency-unavailable.error.js';

const TIMEOUT_MS = 3_000;
/** Adding a document may wait on the embeddings server. */
const KB_WRITE_TIMEOUT_MS = 30_000;
/** The index is the whole knowledge base (about 0.2 s for the shipped one). */
const KB_INDEX_TIMEOUT_MS = 10_000;

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

  async kbDocuments(): Promise<KbDocumentList> {
    return (await this.request<KbDocumentList>('/kb/documents'))!;
  }

  /** History's own refusal of a document (a 4xx, e.g. content with nothing to index) is passed on as it is. */
  async addKbDocument(input: KbDocumentInput): Promise<KbDocumentCreated> {
    return (await this.request<KbDocumentCreated>('/kb/documents', 'POST', input, KB_WRITE_TIMEOUT_MS))!;
  }

  /** null when there is no such document. */
  deleteKbDocument(documentId: string): Promise<KbDocumentDeleted | null> {
    return this.request<KbDocumentDeleted>(`/kb/documents/${encodeURIComponent(documentId)}`, 'DELETE');
  }

  async kbIndex(): Promise<KbIndex> {
    return (await this.request<KbIndex>('/kb/index', 'GET', undefined, KB_INDEX_TIMEOUT_MS))!;
  }

  async kbVersion(): Promise<number> {
    return (await this.request<{ version: number }>('/kb/version'))!.version;
  }

  private async request<T>(path: string, method = 'GET', body?: unknown, timeoutMs = TIMEOUT_MS): Promise<T | null> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
      });
    } catch (err) {
      throw new DependencyUnavailableError('history', err);
    }
    if (res.status === 404) return null;
    if (body !== undefined && res.status >= 400 && res.status < 500) throw new HttpException((await res.json()) as Record<string, unknown>, res.status);
    if (!res.ok) throw new DependencyUnavailableError('history', new Error(`history answered ${res.status}`));
    return (await res.json()) as T;
  }
}

function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}
