import { describe, expect, it } from '@jest/globals';
import { splitWords, WordChunker } from './word-chunker.js';

describe('WordChunker', () => {
  it('keeps trailing whitespace, newlines and code blocks so the chunks join back to the text', () => {
    const text = 'Hello  world,\n\n```ts\nconst x = 1;\n```\n- naïve café — 日本語 ok\t';
    const words = splitWords(text);
    expect(words.join('')).toBe(text);
    expect(words[0]).toBe('Hello  ');
    expect(words[1]).toBe('world,\n\n');
    expect(words.every((w) => /\S/.test(w))).toBe(true);
  });

  it('gives the same words whatever the piece boundaries are', () => {
    const text = ' Leading space, then many words\nacross lines  and   gaps. End';
    const whole = splitWords(text);
    for (const size of [1, 2, 3, 5, 8, 13]) {
      const chunker = new WordChunker();
      const words: string[] = [];
      for (let i = 0; i < text.length; i += size) words.push(...chunker.push(text.slice(i, i + size)));
      words.push(...chunker.flush());
      expect(words).toEqual(whole);
    }
    expect(whole[0]).toBe(' Leading ');
  });

  it('returns nothing for empty text and keeps whitespace-only text whole', () => {
    expect(splitWords('')).toEqual([]);
    expect(splitWords(' \n ')).toEqual([' \n ']);
  });
});
