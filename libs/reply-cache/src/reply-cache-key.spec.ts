import { describe, expect, it } from '@jest/globals';
import { normaliseMessage, providerFingerprint, replyKeyHash, type ReplyKeyParts } from './reply-cache-key.js';

const parts = (over: Partial<ReplyKeyParts> = {}): ReplyKeyParts => ({
  provider: 'builtin',
  user: '',
  message: 'What is pacing?',
  language: '',
  passages: [],
  conversation: [],
  instructions: '',
  temperature: -1,
  maxChunks: -1,
  piiPolicy: 'input:flag,output:flag',
  injectionPolicy: 'flag',
  ...over,
});

describe('the reply cache key', () => {
  it('reads messages that differ only in spacing or Unicode form as one', () => {
    expect(normaliseMessage('  What  is\tpacing? \r\n second   line ')).toBe('What is pacing?\nsecond line');
    expect(replyKeyHash(parts({ message: 'Cafe\u0301 ?' }))).toBe(replyKeyHash(parts({ message: ' Café  ?' })));
  });

  it('keeps case, and changes with every part that decides the reply', () => {
    const base = replyKeyHash(parts());
    const variants: Array<Partial<ReplyKeyParts>> = [
      { message: 'what is pacing?' },
      { provider: 'openai http://x/v1 m' },
      { user: 'alice' },
      { language: 'fr' },
      { passages: ['a passage'] },
      { conversation: [{ role: 'user', content: 'earlier' }] },
      { instructions: 'be brief' },
      { temperature: 0.5 },
      { maxChunks: 10 },
      { piiPolicy: 'redact' },
      { injectionPolicy: 'block' },
    ];
    const hashes = variants.map((v) => replyKeyHash(parts(v)));
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
  });

  it('does not confuse a passage boundary with another split of the same text', () => {
    expect(replyKeyHash(parts({ passages: ['ab', 'c'] }))).not.toBe(replyKeyHash(parts({ passages: ['a', 'bc'] })));
  });

  it('names the provider and model that generate', () => {
    expect(providerFingerprint({ GENERATOR_PROVIDER: 'builtin', LLM_BASE_URL: 'u', LLM_MODEL: 'm' })).toBe('builtin');
    expect(providerFingerprint({ GENERATOR_PROVIDER: 'openai', LLM_BASE_URL: 'http://h/v1', LLM_MODEL: 'llama3.2' })).toBe('openai http://h/v1 llama3.2');
  });
});
