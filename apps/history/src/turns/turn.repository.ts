import { Injectable, Logger } from '@nestjs/common';
import type { TurnFinishedData, TurnStartedData } from '@app/contracts';
import { sql, type Insertable, type Transaction } from 'kysely';
import { DatabaseService } from '../database/database.service.js';
import type { HistoryDatabase, MessagesTable } from '../database/tables.js';
import { planTurnWrites, type SessionWave, type StoredTurnState, type TurnWrite, type TurnWriteResult } from './turn-write-plan.js';
import { WriteBatcher } from './write-batcher.js';

/** Turns written in one transaction at most. */
const MAX_BATCH = 100;

/**
 * Writes of the turn events stream. Every write is keyed by stream id and inserts "on conflict do
 * nothing", so an event delivered or added twice (at-least-once delivery) stores each message
 * once. Writes that arrive together share one transaction (see WriteBatcher).
 */
@Injectable()
export class TurnRepository {
  private readonly logger = new Logger(TurnRepository.name);
  private readonly batcher: WriteBatcher<TurnWrite, TurnWriteResult>;

  constructor(private readonly database: DatabaseService) {
    this.batcher = new WriteBatcher((writes) => this.writeBatch(writes), MAX_BATCH);
  }

  recordStarted(turn: TurnStartedData): Promise<TurnWriteResult> {
    return this.batcher.write({ kind: 'started', turn });
  }

  recordFinished(turn: TurnFinishedData): Promise<TurnWriteResult> {
    return this.batcher.write({ kind: 'finished', turn });
  }

  /** One read, one upsert per wave of sessions (one wave unless a session has several writes), one insert. */
  private async writeBatch(writes: readonly TurnWrite[]): Promise<TurnWriteResult[]> {
    const started = Date.now();
    const results = await this.database.db.transaction().execute(async (trx) => {
      const plan = planTurnWrites(writes, await this.storedState(trx, writes));
      for (const wave of plan.sessionWaves) await this.upsertSessions(trx, wave);
      if (plan.messages.length > 0) await this.insertMessages(trx, plan.messages);
      return plan.results;
    });
    this.logger.debug(`wrote ${writes.length} turn writes in one transaction in ${Date.now() - started} ms`);
    return results;
  }

  /** Per write: its session's owner and deletion time, and whether its reply is stored already. */
  private async storedState(trx: Transaction<HistoryDatabase>, writes: readonly TurnWrite[]): Promise<StoredTurnState[]> {
    const sessionIds = writes.map((w) => w.turn.session_id);
    // Only a "started" needs to know (a stored reply means its stream is over).
    const replyIds = writes.map((w) => (w.kind === 'started' ? `${w.turn.stream_id}:assistant` : null));
    const { rows } = await sql<{ ord: number; owner: string | null; deleted_at: Date | string | null; reply_stored: boolean }>`
      select k.ord::int as ord,
             (select s.user_id from sessions s where s.session_id = k.session_id) as owner,
             (select d.deleted_at from deleted_sessions d where d.session_id = k.session_id) as deleted_at,
             exists (select 1 from messages m where m.message_id = k.reply_id) as reply_stored
      from unnest(${sessionIds}::text[], ${replyIds}::text[]) with ordinality as k(session_id, reply_id, ord)`.execute(trx);
    const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
    return writes.map((_, i) => {
      const row = byOrd.get(i + 1);
      if (!row) throw new Error(`no stored state for write ${i + 1}`);
      return { owner: row.owner, deletedAt: row.deleted_at, replyStored: row.reply_stored };
    });
  }

  /**
   * The sessions of a wave are distinct, so one statement upserts them all, and clears the streams
   * the wave ends from their sessions in the same row update. (A separate update of the ended
   * streams wrote a second version of each of those rows, with its index entries: 5-8% of a
   * batch's database CPU on the embedded database under ~400 open streams.)
   */
  private async upsertSessions(trx: Transaction<HistoryDatabase>, { rows: wave, endedStreams }: SessionWave): Promise<void> {
    // Rows go as one array per column, so the statement's text is the same for any number of rows:
    // the embedded database prepares it once (pglite-dialect.ts). In session order, so that
    // concurrent writers (several instances on PostgreSQL) lock rows alike.
    await sql`
      insert into sessions (session_id, user_id, title, created_at, last_activity, active_stream_id)
      select session_id, user_id, title, created_at, last_activity, active_stream_id
      from unnest(${column(wave, 'session_id')}::text[], ${column(wave, 'user_id')}::text[], ${column(wave, 'title')}::text[],
                  ${column(wave, 'created_at')}::timestamptz[], ${column(wave, 'last_activity')}::timestamptz[],
                  ${column(wave, 'active_stream_id')}::text[])
        as r(session_id, user_id, title, created_at, last_activity, active_stream_id)
      order by session_id
      on conflict (session_id) do update set
        last_activity = greatest(sessions.last_activity, excluded.last_activity),
        -- A started turn makes its stream the active one; a turn that ends clears its stream only
        -- if it is still the active one (judged on the row as locked: a newer running turn stays).
        active_stream_id = case
          when excluded.active_stream_id is not null then excluded.active_stream_id
          when sessions.active_stream_id = any(${endedStreams}::text[]) then null
          else sessions.active_stream_id
        end`.execute(trx);
  }

  /** The messages, in order of arrival. */
  private async insertMessages(trx: Transaction<HistoryDatabase>, rows: readonly Insertable<MessagesTable>[]): Promise<void> {
    await sql`
      insert into messages (message_id, session_id, stream_id, role, content, status, elp, confidence, stats, sources, metadata, created_at)
      select message_id, session_id, stream_id, role, content, status, elp, confidence, stats, sources, metadata, created_at
      from unnest(${column(rows, 'message_id')}::text[], ${column(rows, 'session_id')}::text[], ${column(rows, 'stream_id')}::text[],
                  ${column(rows, 'role')}::text[], ${column(rows, 'content')}::text[], ${column(rows, 'status')}::text[],
                  ${column(rows, 'elp')}::jsonb[], ${column(rows, 'confidence')}::float8[], ${column(rows, 'stats')}::jsonb[],
                  ${column(rows, 'sources')}::jsonb[], ${column(rows, 'metadata')}::jsonb[], ${column(rows, 'created_at')}::timestamptz[])
        with ordinality as r(message_id, session_id, stream_id, role, content, status, elp, confidence, stats, sources, metadata, created_at, ord)
      -- Ordinals follow arrival: a session's messages read back in the order they were written.
      order by ord
      on conflict (message_id) do nothing`.execute(trx);
  }
}

/** One column of rows, for an `unnest` parameter (absent values as nulls). */
function column<R, K extends keyof R>(rows: readonly R[], key: K): Array<R[K] | null> {
  return rows.map((row) => row[key] ?? null);
}
