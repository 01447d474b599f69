import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TurnFinishedData, TurnStartedData } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { sql, type Insertable, type QueryCreator, type Transaction } from 'kysely';
import { DatabaseService } from '../database/database.service.js';
import type { HistoryDatabase, SessionsTable } from '../database/tables.js';
import { planTurnWrites, type StoredTurnState, type TurnWrite, type TurnWritePlan, type TurnWriteResult } from './turn-write-plan.js';
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

  constructor(
    private readonly database: DatabaseService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.batcher = new WriteBatcher((writes) => this.writeBatch(writes), MAX_BATCH, config.HISTORY_BATCH_WAIT_MS);
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
      if (plan.messages.length > 0) await this.insertMessages(trx, plan);
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

  /** The sessions of a wave are distinct, so one statement upserts them all. */
  private async upsertSessions(trx: Transaction<HistoryDatabase>, wave: Insertable<SessionsTable>[]): Promise<void> {
    // In session order, so that concurrent writers (several instances on PostgreSQL) lock rows alike.
    const rows = [...wave].sort((a, b) => (a.session_id < b.session_id ? -1 : 1));
    await trx
      .insertInto('sessions')
      .values(rows)
      .onConflict((oc) =>
        oc.column('session_id').doUpdateSet({
          last_activity: sql`greatest(sessions.last_activity, excluded.last_activity)`,
          // A started turn makes its stream the active one; ended streams are cleared afterwards.
          active_stream_id: sql`coalesce(excluded.active_stream_id, sessions.active_stream_id)`,
        }),
      )
      .execute();
  }

  /** The messages; in the same statement, the ended streams are cleared from their sessions. */
  private async insertMessages(trx: Transaction<HistoryDatabase>, plan: TurnWritePlan): Promise<void> {
    const { endedStreams, messages } = plan;
    // A finished turn clears only its own stream: a newer running turn stays visible.
    const db: QueryCreator<HistoryDatabase> =
      endedStreams.length === 0
        ? trx
        : trx.with('ended', (qc) =>
            qc
              .updateTable('sessions')
              .set({ active_stream_id: null })
              .where((eb) =>
                eb(
                  eb.refTuple('session_id', 'active_stream_id'),
                  'in',
                  endedStreams.map((e) => eb.tuple(e.session_id, e.stream_id)),
                ),
              )
              .returning('session_id'),
          );
    await db
      .insertInto('messages')
      .values(messages)
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
  }
}
