import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T | null, string | null, string | null>;

export interface SessionsTable {
  session_id: string;
  user_id: string;
  title: string;
  created_at: Timestamp;
  last_activity: Timestamp;
  active_stream_id: string | null;
}

export interface MessagesTable {
  /** `<stream_id>:user` or `<stream_id>:assistant`: a retried write hits the same key. */
  message_id: string;
  session_id: string;
  stream_id: string;
  role: 'user' | 'assistant';
  content: string;
  status: string;
  elp: Json<Record<string, number>>;
  confidence: number | null;
  stats: Json<Record<string, number>>;
  sources: Json<Array<{ title: string; ref: string }>>;
  metadata: Json<Record<string, unknown>>;
  created_at: Timestamp;
  ordinal: Generated<number>;
}

/** A deleted session: turns that started before the deletion must not bring it back. */
export interface DeletedSessionsTable {
  session_id: string;
  deleted_at: Timestamp;
}

export interface HistoryDatabase {
  sessions: SessionsTable;
  messages: MessagesTable;
  deleted_sessions: DeletedSessionsTable;
}
