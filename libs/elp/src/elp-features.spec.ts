import { describe, expect, it } from '@jest/globals';
import Sentiment from 'sentiment';
import { segmentFeatures } from './elp-features.js';
import { TECHNICAL_REGISTER_DAMPING } from './lexicons/pathos-markers.js';
import { tokenize } from './tokenize.js';

const features = (text: string, lineStart = false) => segmentFeatures({ text, lineStart });

describe('segmentFeatures', () => {
  // Each markup pattern is only tried when its character is in the text: these show that every
  // one of them still counts when it is (against the same sentence without it).
  it.each([
    ['a web citation', 'See [the guide](https://example.org/guide) here.', 'See the guide here.', 'ethos', 0.8],
    ['a bare URL', 'See https://example.org/guide here.', 'See here.', 'ethos', 0.8],
    ['a footnote', 'Indexes help [1] here.', 'Indexes help here.', 'ethos', 1.0],
    ['an author and year', 'Indexes help (Smith and Jones, 2020) here.', 'Indexes help here.', 'ethos', 1.0 + 0.4],
    ['an operator', 'Then a => b here.', 'Then a b here.', 'logos', 0.5],
    ['a comparison', 'Then a >= b here.', 'Then a b here.', 'logos', 0.5],
    ['a percentage', 'About 50% here.', 'About 50 here.', 'logos', 0.3],
    ['an exclamation run (at most three count)', 'Then here!!!!!', 'Then here', 'pathos', 3 * 0.5],
    ['an ellipsis', 'Then here...', 'Then here', 'pathos', 0.3],
    ['a full-width exclamation', 'Then here！', 'Then here', 'pathos', 0.5],
  ])('counts %s', (_name, text, plain, dimension, expected) => {
    const of = (t: string) => features(t)[dimension as 'ethos'];
    expect(of(text) - of(plain)).toBeCloseTo(expected, 10);
  });

  it('reads the text of inline code, tags, images and links as their words only', () => {
    expect(features('Run `EXPLAIN ANALYZE` in <b>psql</b> ![a diagram](d.png) and [here](notes.md) now.').words).toBe(
      features('Run in psql a diagram and here now.').words,
    );
  });

  it('weighs words by their AFINN value as the sentiment package reads the whole sentence, negation ignored and technical words damped', () => {
    const text = 'I love this, not bad at all, but the failed crash is a terrible problem 😀 and we are not happy';
    const words = tokenize(text)
      .filter((t) => t.kind === 'word' || t.kind === 'emoji')
      .map((t) => t.key);
    // The package's own reading of the joined words, summed last word first as it lists them.
    let points = 0;
    for (const entry of new Sentiment().analyze(words.join(' ')).calculation) {
      for (const [word, value] of Object.entries(entry)) points += Math.abs(value) * (TECHNICAL_REGISTER_DAMPING.get(word) ?? 1);
    }
    const emoji = 0.3;
    expect(features(text).pathos).toBe(points / 3 + emoji);
    expect(points).toBeGreaterThan(10);
  });
});
