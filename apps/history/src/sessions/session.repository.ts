import { Injectable } from '@nestjs/common';
import type { ChatStats, ContextTurnData, HistoryMessage, SessionHistory, SessionSummary, TurnStatus } from '@app/contracts';
import { sql } from 'kysely';
import { DatabaseService } from '../database/database.service.js';

const PREVIEW_MAX = 120;
const iso = (d: Date | string): string => new Date(d).toISOString();
const preview = (text: string | null): string => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_MAX ? `${flat.slice(0, PREVIEW_MAX - 1)}…` : flat;
};

/** Reads of docs/api.md §5 and the generator's context window. */
@Injectable()
export class SessionRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  async owner(sessionId: string): Promise<string | null> {
    const row = await this.db.selectFrom('sessions').select('user_id').where('session_id', '=', sessionId).executeTakeFirst();
    return row?.user_id ?? null;
  }

  async list(userId: string): Promise<SessionSummary[]> {
    const rows = await this.db
      .selectFrom('sessions as s')
      .select([
        's.session_id',
        's.user_id',
        's.title',
        's.created_at',
        's.last_activity',
        's.active_stream_id',
        sql<number>`(select count(*)::int from messages m where m.session_id = s.session_id)`.as('message_count'),
        sql<string | null>`(select m.content from messages m where m.session_id = s.session_id
          order by m.created_at desc, m.ordinal desc limit 1)`.as('last_content'),
      ])
      .where('s.user_id', '=', userId)
      .orderBy('s.last_activity', 'desc')
      .orderBy('s.session_id')
      .execute();
    return rows.map((r) => ({
      session_id: r.session_id,
      user_id: r.user_id,
      title: r.title,
      created_at: iso(r.created_at),
      last_activity: iso(r.last_activity),
      message_count: Number(r.message_count),
      preview: preview(r.last_content),
      active_stream_id: r.active_stream_id,
    }));
  }

  async history(sessionId: string): Promise<SessionHistory | null> {
    const session = await this.db.selectFrom('sessions').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    if (!session) return null;
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('created_at')
      .orderBy('ordinal')
      .execute();
    const messages: HistoryMessage[] = rows.map((m) => ({
      role: m.role,
      content: m.content,
      timestamp: iso(m.created_at),
      stream_id: m.stream_id,
      status: m.status as TurnStatus,
      elp: (m.elp as HistoryMessage['elp']) ?? null,
      confidence: m.confidence,
      metadata: (m.metadata as HistoryMessage['metadata']) ?? null,
      ...(m.role === 'assistant' ? { stats: (m.stats as HistoryMessage['stats']) ?? null, sources: m.sources ?? [] } : {}),
    }));
    return {
      session_id: session.session_id,
      user_id: session.user_id,
      title: session.title,
      created_at: iso(session.created_at),
      last_activity: iso(session.last_activity),
      message_count: messages.length,
      active_stream_id: session.active_stream_id,
      messages,
    };
  }

  /** The last `turns` finished turns, oldest first, without the turn being generated now. */
  async context(sessionId: string, turns: number, excludeStreamId?: string): Promise<ContextTurnData[]> {
    if (turns === 0) return [];
    let query = this.db
      .selectFrom('messages')
      .select(['role', 'content', 'created_at', 'ordinal'])
      .where('session_id', '=', sessionId)
      .orderBy('created_at', 'desc')
      .orderBy('ordinal', 'desc')
      .limit(turns * 2);
    if (excludeStreamId) query = query.where('stream_id', '!=', excludeStreamId);
    const rows = await query.execute();
    return rows.reverse().map((r) => ({ role: r.role, content: r.content }));
  }

  async delete(sessionId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('sessions').where('session_id', '=', sessionId).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      const now = new Date().toISOString();
      await trx
        .insertInto('deleted_sessions')
        .values({ session_id: sessionId, deleted_at: now })
        .onConflict((oc) => oc.column('session_id').doUpdateSet({ deleted_at: now }))
        .execute();
      return true;
    });
  }

  async stats(userId?: string): Promise<ChatStats> {
    let sessions = this.db
      .selectFrom('sessions')
      .select([sql<number>`count(*)::int`.as('total'), sql<number>`count(active_stream_id)::int`.as('active')]);
    let messages = this.db
      .selectFrom('messages')
      .innerJoin('sessions', 'sessions.session_id', 'messages.session_id')
      .select(sql<number>`count(*)::int`.as('total'));
    if (userId) {
      sessions = sessions.where('user_id', '=', userId);
      messages = messages.where('sessions.user_id', '=', userId);
    }
    const [s, m] = await Promise.all([sessions.executeTakeFirstOrThrow(), messages.executeTakeFirstOrThrow()]);
    return { total_sessions: Number(s.total), total_messages: Number(m.total), active_streams: Number(s.active) };
  }
}
