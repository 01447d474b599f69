/** Payloads of the SSE events of docs/api.md §1, as they appear in `data`. */

export type DoneStatus = 'completed' | 'cancelled';

export interface MetaEventData {
  stream_id: string;
  session_id: string;
  created_at: string;
}

export interface ChunkEventData {
  text: string;
  seq: number;
}

export interface ElpSnapshotData {
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

/** Where a part of the answer came from (the `done` event's `sources`). */
export interface Source {
  title: string;
  /** Path of the article relative to the knowledge base, with an optional `#anchor`. */
  ref: string;
  /** The document's source URL, when it was added with one (docs/api.md §14). */
  url?: string;
}

export interface DoneEventData {
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

export interface ErrorEventData {
  code: string;
  message: string;
  retryable: boolean;
}

/**
 * A running `elp` snapshot follows every this-many chunks (docs/api.md §1): the generator publishes
 * them, a cache entry keeps them, a cached replay plays them again.
 */
export const ELP_SNAPSHOT_EVERY = 20;
/** Keep-alive comment interval (docs/api.md §1). */
export const KEEP_ALIVE_MS = 15_000;
/** Reconnection delay suggested to EventSource clients. */
export const SSE_RETRY_MS = 2_000;
