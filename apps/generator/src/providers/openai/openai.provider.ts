import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { ChatProvider, ProviderInput, ProviderReply } from '../chat-provider.js';
import { ProviderError } from '../provider-error.js';
import type { KnowledgeSource } from '../knowledge/knowledge-source.js';
import { knowledgePassages } from './knowledge-passages.js';
import { continuationFields, promptMessages } from './prompt-messages.js';
import { upstreamError } from './upstream-errors.js';

export interface OpenAiOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Deterministic sampling by default; a request of the OpenAI-compatible API may set its own. */
  temperature?: number;
  /**
   * How long one attempt may take to get the response's headers (the SDK's `timeout`), and then
   * how long the first token may take after them. A model server loading its model is slow.
   */
  timeoutMs?: number;
  /** The SDK's retries of a request that failed before its response started (connection, 408, 409, 429, 5xx). */
  maxRetries?: number;
  /** Where the system prompt's passages come from; none without it. */
  knowledge?: KnowledgeSource;
  /** Tokens of knowledge-base passages in the system prompt (KB_PROMPT_TOKENS). */
  knowledgeTokens?: number;
}

export const DEFAULT_KB_PROMPT_TOKENS = 1_500;

const DEFAULT_LLM_TIMEOUT_MS = 60_000;
const DEFAULT_LLM_RETRIES = 2;

/**
 * Any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp) through the official `openai`
 * client: streams `/chat/completions` and yields the content deltas; the generator re-chunks them
 * into words and paces them. A cancelled job aborts the request; a retry continues from the
 * partial reply (`continueFrom`) because a model does not repeat itself.
 */
export class OpenAiProvider implements ChatProvider {
  readonly name = 'openai';
  readonly continuesPartialReplies = true;
  private readonly client: OpenAI;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenAiOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      // The SDK insists on a key; servers without auth (Ollama) get no Authorization header at all.
      apiKey: options.apiKey ?? 'unused',
      defaultHeaders: options.apiKey ? undefined : { Authorization: null },
      timeout: this.timeoutMs,
      maxRetries: options.maxRetries ?? DEFAULT_LLM_RETRIES,
    });
  }

  async reply(input: ProviderInput, signal: AbortSignal): Promise<ProviderReply> {
    const continuing = Boolean(input.continueFrom);
    // Our own abort, for the first-token deadline; the job's signal aborts it too.
    const local = new AbortController();
    const aborted = AbortSignal.any([signal, local.signal]);
    const knowledge = this.options.knowledge
      ? await knowledgePassages(this.options.knowledge, input.message, input.history, this.options.knowledgeTokens ?? DEFAULT_KB_PROMPT_TOKENS, signal)
      : [];
    const deadline = new FirstTokenDeadline(this.timeoutMs, local);
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: this.options.model,
          stream: true,
          temperature: input.temperature ?? this.options.temperature ?? 0,
          messages: promptMessages(input, knowledge),
          ...continuationFields(input),
        },
        { signal: aborted },
      );
      deadline.restart(); // headers are in: now the first token gets its own full allowance
      return { text: deltas(stream, deadline, continuing, signal), sources: knowledge.map((p) => p.source) };
    } catch (err) {
      deadline.clear();
      throw deadline.expired ? deadline.error() : upstreamError(err, continuing);
    }
  }
}

async function* deltas(stream: AsyncIterable<ChatCompletionChunk>, deadline: FirstTokenDeadline, continuing: boolean, signal: AbortSignal): AsyncIterable<string> {
  try {
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta?.content;
      if (!content) continue;
      deadline.clear();
      yield content;
    }
    // The SDK ends the iteration quietly when its request is aborted, our deadline's abort included.
    if (deadline.expired) throw deadline.error();
  } catch (err) {
    if (deadline.expired) throw deadline.error();
    if (signal.aborted) return; // cancelled: the generator finishes the stream as cancelled
    throw upstreamError(err, continuing);
  } finally {
    deadline.clear();
  }
}

/** Aborts the request when no token has come within the allowance. */
class FirstTokenDeadline {
  expired = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly ms: number,
    private readonly controller: AbortController,
  ) {
    this.restart();
  }

  restart(): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort();
    }, this.ms);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  error(): ProviderError {
    return new ProviderError('upstream_timeout', `The model server sent no token within ${this.ms} ms`, false);
  }
}
