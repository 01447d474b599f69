import { Injectable } from '@nestjs/common';
import type { TurnFinishedData, TurnStartedData } from '@app/contracts';
import { sql, type Transaction } from 'kysely';
import { DatabaseService } from '../database/database.service.js';
import type { HistoryDatabase } from '../database/tables.js';

const TITLE_MAX = 80;

function titleOf(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line;
}

/**
 * Writes of the `history` queue. Every write is keyed by stream id and inserts "on conflict do
 * nothing", so a job that runs twice (at-least-once delivery) stores each message once.
 */
@Injectable()
export class TurnRepository {
  constructor(private readonly database: DatabaseService) {}

  async recordStarted(turn: TurnStartedData): Promise<'stored' | 'skipped'> {
    return this.database.db.transaction().execute(async (trx) => {
      if (!(await this.acceptable(trx, turn))) return 'skipped';
      const finished = await trx
        .selectFrom('messages')
        .select('message_id')
        .where('message_id', '=', `${turn.stream_id}:assistant`)
        .executeTakeFirst();
      await this.upsertSession(trx, turn, turn.created_at, finished ? null : turn.stream_id);
      await this.insertUserMessage(trx, turn);
      return 'stored';
    });
  }

  async recordFinished(turn: TurnFinishedData): Promise<'stored' | 'skipped'> {
    return this.database.db.transaction().execute(async (trx) => {
      if (!(await this.acceptable(trx, turn))) return 'skipped';
      await this.upsertSession(trx, turn, turn.finished_at, null);
      await this.insertUserMessage(trx, turn);
      await trx
        .insertInto('messages')
        .values({
          message_id: `${turn.stream_id}:assistant`,
          session_id: turn.session_id,
          stream_id: turn.stream_id,
          role: 'assistant',
          content: turn.content,
          status: turn.status,
          elp: turn.elp ? JSON.stringify(turn.elp) : null,
          confidence: turn.elp?.confidence ?? null,
          stats: turn.stats ? JSON.stringify(turn.stats) : null,
          sources: JSON.stringify(turn.sources),
          metadata: turn.reply_metadata ? JSON.stringify(turn.reply_metadata) : null,
          created_at: turn.finished_at,
        })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .execute();
      return 'stored';
    });
  }

  /** Not for a session deleted after the turn began, nor for a session owned by someone else. */
  private async acceptable(trx: Transaction<HistoryDatabase>, turn: TurnStartedData): Promise<boolean> {
    const deleted = await trx
      .selectFrom('deleted_sessions')
      .select('deleted_at')
      .where('session_id', '=', turn.session_id)
      .executeTakeFirst();
    if (deleted && new Date(deleted.deleted_at) >= new Date(turn.created_at)) return false;
    const owner = await trx.selectFrom('sessions').select('user_id').where('session_id', '=', turn.session_id).executeTakeFirst();
    return !owner || owner.user_id === turn.user_id;
  }

  private async upsertSession(
    trx: Transaction<HistoryDatabase>,
    turn: TurnStartedData,
    activity: string,
    activeStreamId: string | null,
  ): Promise<void> {
    await trx
      .insertInto('sessions')
      .values({
        session_id: turn.session_id,
        user_id: turn.user_id,
        title: titleOf(turn.message),
        created_at: turn.created_at,
        last_activity: activity,
        active_stream_id: activeStreamId,
      })
      .onConflict((oc) =>
        oc.column('session_id').doUpdateSet({
          last_activity: sql`greatest(sessions.last_activity, excluded.last_activity)`,
          // A finished turn clears only its own stream: a newer running turn stays visible.
          active_stream_id:
            activeStreamId === null
              ? sql`case when sessions.active_stream_id = ${turn.stream_id} then null else sessions.active_stream_id end`
              : sql`excluded.active_stream_id`,
        }),
      )
      .execute();
  }

  private async insertUserMessage(trx: Transaction<HistoryDatabase>, turn: TurnStartedData): Promise<void> {
    await trx
      .insertInto('messages')
      .values({
        message_id: `${turn.stream_id}:user`,
        session_id: turn.session_id,
        stream_id: turn.stream_id,
        role: 'user',
        content: turn.message,
        status: 'completed',
        elp: null,
        confidence: null,
        stats: null,
        sources: null,
        metadata: turn.metadata ? JSON.stringify(turn.metadata) : null,
        created_at: turn.created_at,
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
  }
}
