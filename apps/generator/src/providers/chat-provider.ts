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
  /** Instructions from the request's system messages (OpenAI-compatible API). */
  instructions?: string;
  /** Sampling temperature for an upstream model. */
  temperature?: number;
  /**
   * On a retry of a provider that `continuesPartialReplies`: the reply already sent to clients.
   * The provider yields only what follows it. Never stored with the job (it depends on the attempt).
   */
  continueFrom?: string;
}

/** Where a part of the answer came from (shown in the `done` event's `sources`). */
export interface ReplySource {
  title: string;
  /** The article's path in the knowledge base (`documents/<id>` for an added one), with an optional `#anchor`. */
  ref: string;
  /** The document's source URL, when it was added with one. */
  url?: string;
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
  /**
   * True when a retry must continue from the partial reply (`continueFrom`) because the provider
   * does not repeat itself; false for a deterministic one, whose retry regenerates the same
   * reply and skips the chunks already sent.
   */
  readonly continuesPartialReplies: boolean;
  reply(input: ProviderInput, signal: AbortSignal): Promise<ProviderReply>;
}

export const CHAT_PROVIDER = Symbol('CHAT_PROVIDER');
