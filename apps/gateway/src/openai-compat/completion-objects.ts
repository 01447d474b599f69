import type { DoneEventData } from '@app/contracts';

/** What every object of one completion shares (docs/api.md §13). */
export interface CompletionContext {
  /** `chatcmpl-<stream_id>`: the stream behind it, for logs and history. */
  id: string;
  /** Epoch seconds of the request. */
  created: number;
  model: string;
  promptTokens: number;
  /** The request's max_tokens / max_completion_tokens, if any. */
  maxChunks?: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = 'stop' | 'length';

export function usageOf(context: CompletionContext, completionTokens: number): Usage {
  return { prompt_tokens: context.promptTokens, completion_tokens: completionTokens, total_tokens: context.promptTokens + completionTokens };
}

/** `length` when the reply was cut at the request's bound; a reply that ended by itself at exactly that many words reads `length` too. */
export function finishReasonOf(context: CompletionContext, done: DoneEventData): FinishReason {
  return context.maxChunks !== undefined && done.chunks >= context.maxChunks ? 'length' : 'stop';
}

export function completionChunk(
  context: CompletionContext,
  delta: { role?: 'assistant'; content?: string },
  finishReason: FinishReason | null,
  withUsageField: boolean,
): object {
  return {
    ...chunkEnvelope(context),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    // With include_usage every chunk has `usage: null` but the last, as OpenAI sends them.
    ...(withUsageField ? { usage: null } : {}),
  };
}

/** The chunk after the finish when the request asked for usage: no choices, only the usage. */
export function usageChunk(context: CompletionContext, completionTokens: number): object {
  return { ...chunkEnvelope(context), choices: [], usage: usageOf(context, completionTokens) };
}

/** What every chunk of one completion repeats. */
function chunkEnvelope(context: CompletionContext) {
  return { id: context.id, object: 'chat.completion.chunk', created: context.created, model: context.model, system_fingerprint: null };
}

export function completion(context: CompletionContext, content: string, done: DoneEventData): object {
  return {
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    system_fingerprint: null,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finishReasonOf(context, done) }],
    usage: usageOf(context, done.chunks),
  };
}
