import type { ProviderInputData, Source } from '@app/contracts';

/** The stored provider input plus what depends on the attempt. */
export interface ProviderInput extends ProviderInputData {
  /**
   * On a retry of a provider that `continuesPartialReplies`: the reply already sent to clients.
   * The provider yields only what follows it. Never stored with the job (it depends on the attempt).
   */
  continueFrom?: string;
}

export interface ProviderReply {
  /** The reply's text, in pieces of any size; the generator re-chunks it into words. */
  text: AsyncIterable<string>;
  /** Where parts of the answer came from (the `done` event's `sources`). */
  sources: Source[];
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
