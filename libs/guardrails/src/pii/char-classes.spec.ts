import { describe, expect, it } from '@jest/globals';
import { isWhitespace, wordCharAt, wordCharBefore } from './char-classes.js';

describe('char classes', () => {
  it('agrees with the regex \\s on every BMP code unit', () => {
    for (let code = 0; code <= 0xffff; code++) {
      if (isWhitespace(code) !== /\s/.test(String.fromCharCode(code))) throw new Error(`disagrees at U+${code.toString(16)}`);
    }
  });

  it('treats letters of spaced scripts as glue and CJK, emoji and punctuation as not', () => {
    expect(wordCharBefore('x1', 1)).toBe(true);
    expect(wordCharBefore('é1', 1)).toBe(true);
    expect(wordCharBefore('ж1', 1)).toBe(true);
    expect(wordCharBefore('号1', 1)).toBe(false);
    expect(wordCharBefore('화1', 1)).toBe(false);
    expect(wordCharBefore('😀1', 2)).toBe(false);
    expect(wordCharBefore('𝐀1', 2)).toBe(true);
    expect(wordCharBefore('(1', 1)).toBe(false);
    expect(wordCharBefore('1', 0)).toBe(false);
    expect(wordCharAt('1x', 1)).toBe(true);
    expect(wordCharAt('1', 1)).toBe(false);
  });
});
