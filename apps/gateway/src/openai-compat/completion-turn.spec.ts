import { describe, expect, it } from '@jest/globals';
import type { ChatCompletionRequestDto } from './chat-completion.dto.js';
import { completionTurn, countWords } from './completion-turn.js';
import { paramOf } from './openai-error.js';

const body = (patch: Partial<ChatCompletionRequestDto>) => ({ model: 'builtin', messages: [{ role: 'user', content: 'hi' }], ...patch }) as ChatCompletionRequestDto;

describe('completionTurn', () => {
  it('takes the last user message as the turn, earlier ones as context, system messages as instructions', () => {
    const turn = completionTurn(
      body({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'first question' },
          { role: 'assistant', content: 'first answer' },
          { role: 'developer', content: 'No lists.' },
          { role: 'user', content: 'second question' },
        ],
        max_tokens: 9,
        max_completion_tokens: 4,
        temperature: 0.3,
      }),
      'u1',
      'session-1',
    );
    expect(turn.request).toMatchObject({ message: 'second question', user_id: 'u1', session_id: 'session-1' });
    expect(turn.options).toEqual({
      conversation: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
      ],
      instructions: 'Be brief.\n\nNo lists.',
      max_chunks: 4,
      temperature: 0.3,
    });
    expect(turn.promptTokens).toBe(10);
  });

  it('names no session when none is given', () => {
    expect(completionTurn(body({}), 'u1', undefined).request.session_id).toBeUndefined();
  });

  it('refuses a conversation that does not end with a user message, or an empty one', () => {
    expect(() => completionTurn(body({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }), 'u', undefined)).toThrow(/last message must be a user message/);
    expect(() => completionTurn(body({ messages: [{ role: 'user', content: '   ' }] }), 'u', undefined)).toThrow(/must not be empty/);
  });

  it('counts words as tokens', () => {
    expect(countWords('  two\nwords ')).toBe(2);
    expect(countWords('')).toBe(0);
  });
});

describe('paramOf', () => {
  it('names the field of a validation message', () => {
    expect(paramOf('messages.0.role must be one of …')).toBe('messages.0.role');
    expect(paramOf('property top_p should not exist')).toBe('top_p');
    expect(paramOf('messages.1.property tool_call_id should not exist')).toBe('messages.1.tool_call_id');
    expect(paramOf('tools: tool calling is not supported')).toBe('tools');
  });
});
