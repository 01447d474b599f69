import type { TurnFinishedData, TurnStartedData } from '@app/contracts';
import type { Insertable } from 'kysely';
import type { MessagesTable, SessionsTable } from '../database/tables.js';

const TITLE_MAX = 80;

export type TurnWrite = { kind: 'started'; turn: TurnStartedData } | { kind: 'finished'; turn: TurnFinishedData };

export type TurnWriteResult = 'stored' | 'skipped';

/** What the database held, before the batch, for one write's turn. */
export interface StoredTurnState {
  /** The session's owner; null when the session does not exist. */
  owner: string | null;
  /** When the session was deleted; null if it never was. */
  deletedAt: Date | string | null;
  /** The turn's assistant message is stored (its "finished" ran before its "started"). */
  replyStored: boolean;
}

/** Session upserts that name each session once: one multi-row statement. */
export interface SessionWave {
  rows: Insertable<SessionsTable>[];
  /**
   * The streams these rows end: each is cleared from its session if it is still the active one (a
   * newer running turn stays). A stream belongs to one session, and a wave names a session once,
   * so a session's active stream is in this list only if its own row ends it.
   */
  endedStreams: string[];
}

export interface TurnWritePlan {
  /** One per write, in order. */
  results: TurnWriteResult[];
  /** Session upserts in order of arrival, split so that no session occurs twice in a wave. */
  sessionWaves: SessionWave[];
  /** Rows to insert "on conflict do nothing", in order of arrival. */
  messages: Insertable<MessagesTable>[];
}

/**
 * Decides a batch of turn writes as if they ran one after the other: each write sees the stored
 * state plus the writes before it in the batch (a session an earlier write created, a reply an
 * earlier "finished" stored).
 */
export function planTurnWrites(writes: readonly TurnWrite[], stored: readonly StoredTurnState[]): TurnWritePlan {
  const owners = new Map<string, string>();
  const replies = new Set<string>();
  const plan: TurnWritePlan = { results: [], sessionWaves: [], messages: [] };
  const sessions: SessionUpsert[] = [];
  writes.forEach((write, i) => {
    const { turn } = write;
    const owner = owners.get(turn.session_id) ?? stored[i].owner;
    if (!acceptable(turn, owner, stored[i].deletedAt)) {
      plan.results.push('skipped');
      return;
    }
    owners.set(turn.session_id, turn.user_id);
    plan.results.push('stored');
    plan.messages.push(userMessage(turn));
    // A "started" whose reply is stored ends its stream like a "finished": a stream is never
    // made active again after it ended.
    const ends = write.kind === 'finished' || stored[i].replyStored || replies.has(turn.stream_id);
    const activity = write.kind === 'finished' ? write.turn.finished_at : turn.created_at;
    sessions.push({ row: sessionRow(turn, activity, ends ? null : turn.stream_id), ends: ends ? turn.stream_id : undefined });
    if (write.kind === 'finished') {
      plan.messages.push(assistantMessage(write.turn));
      replies.add(turn.stream_id);
    }
  });
  plan.sessionWaves = waves(sessions);
  return plan;
}

/** Not for a session deleted after the turn began, nor for a session owned by someone else. */
function acceptable(turn: TurnStartedData, owner: string | null, deletedAt: Date | string | null): boolean {
  if (deletedAt !== null && new Date(deletedAt) >= new Date(turn.created_at)) return false;
  return owner === null || owner === turn.user_id;
}

interface SessionUpsert {
  row: Insertable<SessionsTable>;
  /** The stream this write ends, if it ends one. */
  ends?: string;
}

/** The k-th write of each session goes to wave k: a wave can be one multi-row upsert. */
function waves(upserts: readonly SessionUpsert[]): SessionWave[] {
  const result: SessionWave[] = [];
  const seen = new Map<string, number>();
  for (const { row, ends } of upserts) {
    const k = seen.get(row.session_id) ?? 0;
    seen.set(row.session_id, k + 1);
    const wave = (result[k] ??= { rows: [], endedStreams: [] });
    wave.rows.push(row);
    if (ends !== undefined) wave.endedStreams.push(ends);
  }
  return result;
}

function titleOf(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line;
}

function sessionRow(turn: TurnStartedData, activity: string, activeStreamId: string | null): Insertable<SessionsTable> {
  return {
    session_id: turn.session_id,
    user_id: turn.user_id,
    title: titleOf(turn.message),
    created_at: turn.created_at,
    last_activity: activity,
    active_stream_id: activeStreamId,
  };
}

function userMessage(turn: TurnStartedData): Insertable<MessagesTable> {
  return {
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
  };
}

function assistantMessage(turn: TurnFinishedData): Insertable<MessagesTable> {
  return {
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
  };
}
