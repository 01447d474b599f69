import { describe, expect, it } from '@jest/globals';
import { tokenize, tokenKeys } from './tokenize.js';

describe('tokenize', () => {
  it('lower-cases words, keeps contractions whole and normalises curly apostrophes', () => {
    expect(tokenKeys("I’m sure it DOESN'T work, e.g. here")).toEqual(["i'm", 'sure', 'it', "doesn't", 'work', 'e', 'g', 'here']);
  });

  it('keeps the raw form for case-sensitive look-ups', () => {
    expect(tokenize('WHO who').map((t) => t.raw)).toEqual(['WHO', 'who']);
  });

  it('classifies numbers, emoji and CJK', () => {
    expect(tokenize('2021 😀 漢字 word').map((t) => t.kind)).toEqual(['number', 'emoji', 'cjk', 'word']);
  });

  it('keeps an emoji with modifiers as one token keyed by its base pictograph', () => {
    const [heart, thumb] = tokenize('❤️ 👍🏽');
    expect(heart?.key).toBe('❤');
    expect(thumb?.key).toBe('👍');
  });

  it('weights CJK by character count so unspaced text still has length', () => {
    const [token] = tokenize('我们需要分析这段文字');
    expect(token?.words).toBeCloseTo(6);
  });

  it('returns nothing for punctuation and whitespace', () => {
    expect(tokenize(' ...!?\n\t--- ')).toEqual([]);
  });
});
