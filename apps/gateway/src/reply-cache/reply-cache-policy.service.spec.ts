import { describe, expect, it } from '@jest/globals';
import type { ChatRequest, CompletionOptions } from '@app/contracts';
import { configSchema } from '@app/platform';
import type { GuardedInput } from '../admission/input-guard.service.js';
import { ReplyCachePolicy } from './reply-cache-policy.service.js';

const policy = (scope: 'global' | 'user' | 'off') => new ReplyCachePolicy(configSchema.parse({ PORT: 7000, CACHE_SCOPE: scope }));
const request = (over: Partial<ChatRequest> = {}) => ({ message: 'What is pacing?', user_id: 'u', ...over }) as ChatRequest;
const input = (over: Partial<GuardedInput> = {}, pii = 'flagged', flagged = false): GuardedInput => ({
  message: 'What is pacing?',
  context: [],
  metadata: { guardrails: { pii: [{ direction: 'input', action: pii, kinds: [] }], injection: { flagged } } },
  ...over,
});

describe('which turns the response cache may answer', () => {
  it('scope global: only a new session whose only input is the message, the same key for every user', () => {
    const global = policy('global');
    const a = global.candidate(request(), input(), undefined, 'alice');
    expect(a?.provider).toBe('builtin');
    expect(global.candidate(request(), input(), undefined, 'bob')?.hash).toBe(a?.hash);
    expect(global.candidate(request({ session_id: 's1' }), input(), undefined, 'alice')).toBeUndefined();
    expect(global.candidate(request(), input({ context: ['private'] }), undefined, 'alice')).toBeUndefined();
    const conversation: CompletionOptions = { conversation: [{ role: 'user', content: 'earlier' }] };
    expect(global.candidate(request(), input(), conversation, 'alice')).toBeUndefined();
    expect(global.candidate(request(), input(), { instructions: 'be brief' }, 'alice')).toBeUndefined();
  });

  it('scope user: private input too, under a key of its own per user; never a stored session', () => {
    const user = policy('user');
    const withPassage = input({ context: ['private'] });
    const alice = user.candidate(request(), withPassage, undefined, 'alice');
    expect(alice).toBeDefined();
    expect(user.candidate(request(), withPassage, undefined, 'bob')?.hash).not.toBe(alice?.hash);
    expect(user.candidate(request({ session_id: 's1' }), input(), undefined, 'alice')).toBeUndefined();
    expect(user.candidate(request({ session_id: 's1' }), input(), { conversation: [{ role: 'user', content: 'earlier' }] }, 'alice')).toBeDefined();
  });

  it('never for a redacted or injection-flagged input, nor with the cache off', () => {
    expect(policy('global').candidate(request(), input({}, 'redacted'), undefined, 'alice')).toBeUndefined();
    expect(policy('global').candidate(request(), input({}, 'none', true), undefined, 'alice')).toBeUndefined();
    expect(policy('off').candidate(request(), input(), undefined, 'alice')).toBeUndefined();
  });
});
