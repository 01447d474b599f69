import type { ElpResult, Source, StreamStats } from './streams/stream-events.js';
import type { TurnStatus } from './queues/job-payloads.js';

/** Shapes of docs/api.md §5, shared by the history service, the gateway proxy, the UI and tests. */
export interface SessionSummary {
  session_id: string;
  user_id: string;
  title: string;
  created_at: string;
  last_activity: string;
  message_count: number;
  preview: string;
  active_stream_id: string | null;
}

export interface SessionList {
  user_id: string;
  total_sessions: number;
  sessions: SessionSummary[];
}

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
  timestamp: string;
  stream_id: string;
  status: TurnStatus;
  elp: ElpResult | null;
  confidence: number | null;
  stats?: StreamStats | null;
  sources?: Source[];
  /** Guardrail decisions on this message, when any were taken. */
  metadata?: Record<string, unknown> | null;
}

export interface SessionHistory {
  session_id: string;
  user_id: string;
  title: string;
  created_at: string;
  last_activity: string;
  message_count: number;
  active_stream_id: string | null;
  messages: HistoryMessage[];
}

export interface ChatStats {
  total_sessions: number;
  total_messages: number;
  active_streams: number;
}
