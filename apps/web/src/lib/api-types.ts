/**
 * Wire shapes of the public contract under the names the UI uses, taken from libs/contracts (the
 * `@app/contracts` alias of vite.config.ts and tsconfig.json): the server and the UI cannot drift apart.
 */
import type { ChatRequest as ChatRequestBody } from '@app/contracts';

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
  HistoryMessage,
  SessionHistory,
  SessionList,
  SessionSummary,
} from '@app/contracts';

/** What the UI sends; `user_id` only when auth is off (with a token the server knows the caller). */
export type ChatRequest = Pick<ChatRequestBody, 'message' | 'user_id' | 'session_id'>;
