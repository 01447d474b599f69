import { BadRequestException } from '@nestjs/common';
import { MESSAGE_MAX_CHARS, textProblem, type ChatRequest, type CompletionOptions, type ContextTurnData } from '@app/contracts';
import type { ChatCompletionRequestDto } from './chat-completion.dto.js';

/** A request of the OpenAI-compatible API as a turn of the native pipeline (docs/api.md §13). */
export interface CompletionTurn {
  /** What the native API would have received: the last user message is the turn's message. */
  request: ChatRequest;
  options: CompletionOptions;
  /** Words in every message of the request: usage's `prompt_tokens`. */
  promptTokens: number;
}

/** Tokens here are words: a run of non-whitespace, what one text chunk of §1 carries. */
export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

function invalid(message: string, param: string): BadRequestException {
  return new BadRequestException({ message, param });
}

/**
 * The last message must be the user's: it is the turn, stored in history like a native message.
 * Earlier user and assistant messages are its context; system (and developer) messages, wherever
 * they are, become the provider's instructions.
 */
export function completionTurn(body: ChatCompletionRequestDto, userId: string, sessionId: string | undefined): CompletionTurn {
  const last = body.messages.at(-1)!;
  if (last.role !== 'user') throw invalid('the last message must be a user message', 'messages');
  const problem = textProblem(last.content, { min: 1, max: MESSAGE_MAX_CHARS });
  if (problem) throw invalid(`the last message's content ${problem}`, 'messages');
  const instructions: string[] = [];
  const conversation: ContextTurnData[] = [];
  for (const message of body.messages.slice(0, -1)) {
    if (message.role === 'system' || message.role === 'developer') instructions.push(message.content);
    else conversation.push({ role: message.role, content: message.content });
  }
  const request: ChatRequest = { message: last.content, user_id: userId, ...(sessionId ? { session_id: sessionId } : {}) };
  const maxChunks = body.max_completion_tokens ?? body.max_tokens;
  const options: CompletionOptions = {
    conversation,
    ...(instructions.length ? { instructions: instructions.join('\n\n') } : {}),
    ...(maxChunks !== undefined ? { max_chunks: maxChunks } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
  };
  const promptTokens = body.messages.reduce((sum, message) => sum + countWords(message.content), 0);
  return { request, options, promptTokens };
}
