import { describe, expect, it } from '@jest/globals';
import { tokenKeys } from '../tokenize.js';
import { compileLexicon, matchLexicon } from './phrase-lexicon.js';

describe('phrase lexicon', () => {
  const lexicon = compileLexicon({ follows: 0.5, 'it follows that': 1.3, 'e.g.': 0.9, therefore: 1 });

  it('prefers the longest phrase and does not count its inner words again', () => {
    expect(matchLexicon(tokenKeys('it follows that x'), lexicon)).toBeCloseTo(1.3);
  });

  it('counts each occurrence', () => {
    expect(matchLexicon(tokenKeys('Therefore x follows; therefore y.'), lexicon)).toBeCloseTo(2.5);
  });

  it('tokenises phrases like the text, so punctuation inside a marker still matches', () => {
    expect(matchLexicon(tokenKeys('E.g. this'), lexicon)).toBeCloseTo(0.9);
  });

  it('does not match a phrase cut off by the end of the text', () => {
    expect(matchLexicon(tokenKeys('it follows'), lexicon)).toBeCloseTo(0.5);
  });

  it('rejects a phrase with no tokens', () => {
    expect(() => compileLexicon({ '...': 1 })).toThrow();
  });
});
