import { Injectable, NotFoundException } from '@nestjs/common';
import type { SessionHistory } from '@app/contracts';
import { HistoryClient } from '@app/platform';
import { SessionAccess } from '../admission/session-access.service.js';
import { StreamCancel } from '../cancel/stream-cancel.service.js';

const notFound = (sessionId: string) =>
  new NotFoundException({ error: 'Session not found', message: 'Session not found', session_id: sessionId });

/** docs/api.md §5 on top of the history service; deletion cancels a running stream first. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly history: HistoryClient,
    private readonly access: SessionAccess,
    private readonly streams: StreamCancel,
  ) {}

  async get(sessionId: string, userId?: string): Promise<SessionHistory> {
    const session = await this.history.getSession(sessionId, userId);
    if (!session) throw notFound(sessionId);
    return session;
  }

  async delete(sessionId: string, userId?: string): Promise<{ success: true; session_id: string; message: string }> {
    const session = await this.history.getSession(sessionId, userId);
    if (!session) throw notFound(sessionId);
    const running = await this.access.activeStream(sessionId);
    if (running) await this.streams.cancel(running).catch(() => undefined);
    if (!(await this.history.deleteSession(sessionId, userId))) throw notFound(sessionId);
    await this.access.forget(sessionId).catch(() => undefined);
    return { success: true, session_id: sessionId, message: 'Session deleted' };
  }
}
