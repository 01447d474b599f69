import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ProviderInput } from '../chat-provider.js';
import type { KnowledgePassage } from './knowledge-passages.js';

/** The knowledge base's passages as a part of the system message, each under its title. */
function knowledgePrompt(passages: readonly KnowledgePassage[]): string {
  if (passages.length === 0) return '';
  const body = passages.map((p) => `### ${p.title}\n\n${p.text}`).join('\n\n');
  return `Passages from the knowledge base. Use them when they answer the question, and name the titles you used:\n\n${body}`;
}

/**
 * The messages sent upstream: one system message (our instructions, the request's own system
 * messages, the language hint, the knowledge base's passages, the request's passages), the
 * context window, the user's message, and on a continuing retry the partial reply as the
 * assistant's prefix.
 */
export function promptMessages(input: ProviderInput, knowledge: readonly KnowledgePassage[] = []): ChatCompletionMessageParam[] {
  const system = [
    'You are a helpful assistant. Answer in Markdown.',
    input.instructions ?? '',
    input.language ? `Answer in this language: ${input.language}.` : '',
    knowledgePrompt(knowledge),
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
