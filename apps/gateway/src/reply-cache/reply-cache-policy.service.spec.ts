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

  it('a remembered key is the one a fresh gateway computes, and every part that varies changes it', () => {
    const seen = policy('user');
    const ask = (p: ReplyCachePolicy, over: Partial<ChatRequest> = {}, completion?: CompletionOptions, user = 'alice') =>
      p.candidate(request(over), input(), completion, user)?.hash;
    const first = ask(seen);
    expect(ask(seen)).toBe(first);
    expect(ask(policy('user'))).toBe(first);
    const variants = [
      ask(seen, { language: 'fr' }),
      ask(seen, {}, { temperature: 0.5 }),
      ask(seen, {}, { max_chunks: 3 }),
      ask(seen, {}, { instructions: 'be brief' }),
      ask(seen, {}, undefined, 'bob'),
      seen.candidate(request(), input({ message: 'What is pacing for?' }), undefined, 'alice')?.hash,
      seen.candidate(request(), input({ context: ['a passage'] }), undefined, 'alice')?.hash,
    ];
    expect(new Set([first, ...variants]).size).toBe(variants.length + 1);
    // A message that normalises alike is remembered apart and still gets the same key.
    expect(seen.candidate(request(), input({ message: '  What is pacing?' }), undefined, 'alice')?.hash).toBe(first);
    // Each again, on a gateway that has seen none of them: the same keys.
    expect(ask(policy('user'), { language: 'fr' })).toBe(variants[0]);
    expect(ask(policy('user'), {}, { temperature: 0.5 })).toBe(variants[1]);
  });
});
