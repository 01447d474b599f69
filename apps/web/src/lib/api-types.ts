/**
 * Wire shapes of the public contract, taken from libs/contracts with type-only imports: the
 * server and the UI cannot drift apart, and no server code reaches the bundle (types are erased).
 */
export type {
  ChunkEventData as ChunkEvent,
  DoneEventData as DoneEvent,
  DoneStatus,
  ElpResult,
  ElpSnapshotData as ElpSnapshot,
  ErrorEventData as StreamErrorEvent,
  MetaEventData as MetaEvent,
  Source,
  StreamStats,
} from '../../../../libs/contracts/src/streams/stream-events.js';
export type { HistoryMessage, SessionHistory, SessionList, SessionSummary } from '../../../../libs/contracts/src/history-api.js';

/** What the UI sends (the server's DTO class carries validators the bundle does not need). */
export interface ChatRequest {
  message: string;
  /** Only when auth is off; with a token the server knows the caller. */
  user_id?: string;
  session_id?: string;
}
