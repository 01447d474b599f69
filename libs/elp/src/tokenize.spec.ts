import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  it('gives text of ASCII alone the tokens the full Unicode pattern gives it', () => {
    // A non-ASCII word after the text sends it down the Unicode path; its own token comes last.
    const viaUnicode = (text: string) => tokenize(`${text} é`).slice(0, -1);
    const samples = ["don't 'quoted' it's-a 3.14 x2 v1'2 ''a'' a'b'c A'", 'REDIS_URL=redis://127.0.0.1:6379 `PACING_MS` [link](https://x.io) #heading'];
    const kb = join(process.cwd(), 'kb');
    for (const folder of readdirSync(kb)) {
      for (const file of readdirSync(join(kb, folder))) samples.push(readFileSync(join(kb, folder, file), 'utf8').replace(/[\u0080-\uFFFF]/g, ' '));
    }
    // And random strings over the characters that matter at a token's edge.
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const alphabet = "aZ09'_- .\n!?`()";
    for (let i = 0; i < 500; i++) samples.push(Array.from({ length: 40 }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    for (const text of samples) expect(tokenize(text)).toEqual(viaUnicode(text));
  });
});
