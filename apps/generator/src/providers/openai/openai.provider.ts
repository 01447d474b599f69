import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatProvider, ProviderInput, ProviderReply } from '../chat-provider.js';

export interface OpenAiOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Deterministic sampling keeps a retried job's regenerated prefix close to what was sent. */
  temperature?: number;
}

interface CompletionChunk {
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  error?: { message?: string };
}

/**
 * Any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp): streams `/chat/completions`
 * and yields the content deltas; the generator re-chunks them into words and paces them.
 */
export class OpenAiProvider implements ChatProvider {
  readonly name = 'openai';

  constructor(private readonly options: OpenAiOptions) {}

  async reply(input: ProviderInput, signal: AbortSignal): Promise<ProviderReply> {
    const res = await fetch(`${this.options.baseUrl.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      signal,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
        ...(this.options.apiKey ? { Authorization: `Bearer ${this.options.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: this.options.model,
        stream: true,
        temperature: this.options.temperature ?? 0,
        messages: messagesOf(input),
      }),
    });
    if (!res.ok || !res.body) {
      throw new Error(`model server answered ${res.status} ${res.statusText}`.trim());
    }
    return { text: deltas(res.body), sources: [] };
  }
}

function messagesOf(input: ProviderInput) {
  const system = [
    'You are a helpful assistant. Answer in Markdown.',
    input.language ? `Answer in this language: ${input.language}.` : '',
    input.passages.length ? `Use this context when it is relevant:\n\n${input.passages.join('\n\n---\n\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  return [{ role: 'system', content: system }, ...input.history, { role: 'user', content: input.message }];
}

async function* deltas(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const pending: string[] = [];
  let finished = false;
  let failure: Error | undefined;
  const parser = createParser({
    onEvent: (event: EventSourceMessage) => {
      if (event.data === '[DONE]') {
        finished = true;
        return;
      }
      const chunk = JSON.parse(event.data) as CompletionChunk;
      if (chunk.error) failure = new Error(`model server error: ${chunk.error.message ?? 'unknown'}`);
      const content = chunk.choices?.[0]?.delta?.content;
      if (content) pending.push(content);
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (failure) throw failure;
    while (pending.length) yield pending.shift()!;
    if (finished) return;
  }
}
