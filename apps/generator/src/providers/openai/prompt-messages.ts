import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ProviderInput } from '../chat-provider.js';

/**
 * The messages sent upstream: one system message (our instructions, the request's own system
 * messages, the language hint, the passages), the context window, the user's message, and on a
 * continuing retry the partial reply as the assistant's prefix.
 */
export function promptMessages(input: ProviderInput): ChatCompletionMessageParam[] {
  const system = [
    'You are a helpful assistant. Answer in Markdown.',
    input.instructions ?? '',
    input.language ? `Answer in this language: ${input.language}.` : '',
    input.passages.length ? `Use this context when it is relevant:\n\n${input.passages.join('\n\n---\n\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: system }, ...input.history, { role: 'user', content: input.message }];
  if (input.continueFrom) {
    // `prefix: true` is how DeepSeek and Mistral mark a message to continue; Ollama and
    // llama.cpp continue a final assistant message as it is. Servers that validate strictly
    // (OpenAI's own API) refuse the field with a 400, which ends the stream with
    // `continuation_unsupported` rather than splicing a fresh reply onto the partial one.
    messages.push({ role: 'assistant', content: input.continueFrom, prefix: true } as ChatCompletionMessageParam);
  }
  return messages;
}

/** Request fields that ask a vLLM-style server to continue the final message instead of starting a new one. */
export function continuationFields(input: ProviderInput): Record<string, unknown> {
  return input.continueFrom ? { continue_final_message: true, add_generation_prompt: false } : {};
}
