import { describe, expect, it } from '@jest/globals';
import { foldText, stem, termsOf, tokenize, wordCount } from './text-terms.js';

describe('text terms', () => {
  it('makes the inflections and derivations of a word collide', () => {
    expect(new Set(['configure', 'configured', 'configuring', 'configuration', 'configurations'].map(stem)).size).toBe(1);
    expect(stem('variables')).toBe(stem('variable'));
    expect(stem('replies')).toBe(stem('reply'));
    expect(stem('streaming')).toBe(stem('streams'));
    expect(stem('cancelled')).toBe(stem('cancel'));
    expect(stem('processes')).toBe(stem('process'));
  });

  it('leaves short words, numbers and non-Latin words alone', () => {
    expect(stem('run')).toBe('run');
    expect(stem('redis')).toBe('redis');
    expect(stem('7000')).toBe('7000');
    expect(stem('πάθος')).toBe('πάθος');
  });

  it('drops stop words and chat filler, keeping the words that carry the question', () => {
    expect(termsOf('Can you please tell me more about the Redis configuration?')).toEqual(['redis', 'configur']);
    expect(termsOf('tell me more')).toEqual([]);
    expect(termsOf('why?')).toEqual([]);
  });

  it('folds case and accents and splits on punctuation, emoji and underscores', () => {
    expect(foldText('Café ÉLAN')).toBe('cafe elan');
    expect(tokenize('REDIS_URL=redis://x 🚀 Last-Event-ID')).toEqual(['redis', 'url', 'redis', 'x', 'last', 'event', 'id']);
  });

  it('lists each term once, in the order first met', () => {
    expect(termsOf('docker compose, Docker images and compose files')).toEqual(['dock', 'compos', 'imag', 'fil']);
  });

  it('counts words as a reader does', () => {
    expect(wordCount('  one two\n\nthree  ')).toBe(3);
    expect(wordCount('   ')).toBe(0);
  });
});
