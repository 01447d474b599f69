/**
 * Wire shapes of the public contract (shared/API.md), as the UI sees them. Kept here rather than
 * imported from libs/contracts so the web bundle never pulls server-side code (validators, Nest).
 */

export type DoneStatus = 'completed' | 'cancelled';
export type TurnStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export interface MetaEvent {
  stream_id: string;
  session_id: string;
  created_at: string;
}

export interface ChunkEvent {
  text: string;
  seq: number;
}

/** Running ELP snapshot (`event: elp`), optional. */
export interface ElpSnapshot {
  seq: number;
  ethos: number;
  logos: number;
  pathos: number;
}

export interface ElpResult {
  ethos: number;
  logos: number;
  pathos: number;
  flux_position: number;
  confidence: number;
}

export interface StreamStats {
  ttft_ms: number;
  duration_ms: number;
  tokens: number;
  tokens_per_sec: number;
}

export interface Source {
  title: string;
  ref: string;
}

export interface DoneEvent {
  stream_id: string;
  session_id: string;
  status: DoneStatus;
  chunks: number;
  elp: ElpResult;
  stats: StreamStats;
  cached: boolean;
  persisted: boolean;
  sources: Source[];
}

export interface StreamErrorEvent {
  code: string;
  message: string;
  retryable: boolean;
}

export interface ChatRequest {
  message: string;
  /** Only when auth is off; with a token the server knows the caller. */
  user_id?: string;
  session_id?: string;
}

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
