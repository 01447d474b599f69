import type { ElpResult, Source, StreamStats } from '../streams/stream-events.js';
import type { GenerationJobName } from './queue-names.js';

/** One earlier turn of the conversation, oldest first. */
export interface ContextTurnData {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * Everything a provider may look at to answer. It is stored with the job before the first chunk
 * is published, so a retried job (after a worker crash) sees exactly the same input.
 */
export interface ProviderInputData {
  /** The user's message, already trimmed. */
  message: string;
  /** Optional language hint from the request. */
  language?: string;
  /** The session's earlier turns (the context window), oldest first. */
  history: ContextTurnData[];
  /** Extra passages the client sent in the request's `context` field. */
  passages: string[];
  /** The request's system messages (OpenAI-compatible API): instructions for the provider. */
  instructions?: string;
  /** Sampling temperature for an upstream model; its default when absent. */
  temperature?: number;
}

/** What a turn started through the OpenAI-compatible API adds (docs/api.md §13). */
export interface CompletionOptions {
  /** The reply ends after this many word chunks (the request's `max_tokens`). */
  max_chunks?: number;
  temperature?: number;
  /** The request's system messages, joined. */
  instructions?: string;
  /** The request's earlier user and assistant messages: the turn's context, instead of the session's stored turns. */
  conversation?: ContextTurnData[];
}

/** A turn the response cache may keep (docs/architecture.md "Response cache"): where and under what its reply goes. */
export interface CacheTicketData {
  /** The entry's hash (`replyKeyHash` of everything that decides the reply). */
  key: string;
  /** The knowledge-base version the gateway read: the entry is valid only while it is current. */
  kb_version: number;
  /** The provider fingerprint the gateway assumed; a generator with another one stores nothing. */
  provider: string;
}

export interface GenerateJobData {
  stream_id: string;
  session_id: string;
  user_id: string;
  message: string;
  language?: string;
  context: string[];
  /** ISO time the gateway received the request (turn order and ttft). */
  created_at: string;
  /** Epoch ms the gateway received the request. */
  received_at_ms: number;
  /** True when the gateway created the session for this turn: there is no context to read. */
  new_session?: boolean;
  /** Set only by a first attempt that could not read the context: its retries answer from the same input. */
  provider_input?: ProviderInputData;
  /** The gateway's input-side guardrail decision. */
  metadata?: TurnMetadata;
  /** Set by the OpenAI-compatible API only. */
  completion?: CompletionOptions;
  /** Set when the reply may be cached: a generator that completes it normally stores it there. */
  cache?: CacheTicketData;
  /** W3C trace context of the gateway's enqueue: every attempt's span is its child. Only while tracing is on. */
  traceparent?: string;
}

export type GenerationJob = { name: GenerationJobName.Generate; data: GenerateJobData };

/** Decisions taken on a turn (guardrails), stored with its messages. */
export type TurnMetadata = Record<string, unknown>;

export interface TurnStartedData {
  stream_id: string;
  session_id: string;
  user_id: string;
  message: string;
  created_at: string;
  /** Metadata of the user message (the input-side guardrail decision). */
  metadata?: TurnMetadata;
  /** W3C trace context of the generator's attempt that added the event: history's write span is its child. Only while tracing is on. */
  traceparent?: string;
}

export type TurnStatus = 'completed' | 'cancelled' | 'failed';

/** Self-sufficient: it carries the user message too, so it stores the whole turn even if it runs first. */
export interface TurnFinishedData extends TurnStartedData {
  content: string;
  status: TurnStatus;
  elp: ElpResult | null;
  stats: StreamStats | null;
  sources: Source[];
  finished_at: string;
  /** Metadata of the assistant message (both directions' guardrail decisions). */
  reply_metadata?: TurnMetadata;
  /**
   * A Redis channel on which history publishes the stream id once it has stored the turn: how the
   * generator that waits for it learns so, without reading every event of the history stream.
   */
  confirm_to?: string;
}
