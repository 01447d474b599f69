/** One earlier turn of the conversation, oldest first, as the generator loads it from history. */
export interface ContextTurn {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * Everything a provider may look at to answer. It is stored with the job before the first
 * chunk is published, so a retried job (after a worker crash) sees exactly the same input.
 */
export interface ProviderInput {
  /** The user's message, already trimmed. */
  message: string;
  /** Optional language hint from the request. */
  language?: string;
  /** The session's earlier turns (the context window), oldest first. */
  history: ContextTurn[];
  /** Extra passages the client sent in the request's `context` field. */
  passages: string[];
}

/** Where a part of the answer came from (shown in the `done` event's `sources`). */
export interface ReplySource {
  title: string;
  /** Path of the article relative to the knowledge base, with an optional `#anchor`. */
  ref: string;
}

export interface ProviderReply {
  /** The reply's text, in pieces of any size; the generator re-chunks it into words. */
  text: AsyncIterable<string>;
  sources: ReplySource[];
}

/**
 * A source of replies. `builtin` answers from the shipped knowledge base; an OpenAI-compatible
 * provider streams from a model server. Implementations stop early when `signal` aborts.
 */
export interface ChatProvider {
  readonly name: string;
  reply(input: ProviderInput, signal: AbortSignal): Promise<ProviderReply>;
}

export const CHAT_PROVIDER = Symbol('CHAT_PROVIDER');
