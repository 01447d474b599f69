import { describe, expect, it } from '@jest/globals';
import { reciprocalRankFusion } from './rank-fusion.js';
import { chunkDocument } from './plain-text.js';
import { cosineSimilarity } from './vectors.js';

describe('reciprocalRankFusion', () => {
  it('ranks first what both rankings place high, ahead of what only one places first', () => {
    expect(reciprocalRankFusion([['a', 'b', 'c'], ['b', 'c', 'a']])).toEqual(['b', 'a', 'c']);
  });

  it('keeps items that only one ranking has, after those both agree on', () => {
    expect(reciprocalRankFusion([['a', 'b'], ['b', 'x']])).toEqual(['b', 'a', 'x']);
  });
});

describe('cosineSimilarity', () => {
  it('is 1 for parallel vectors, 0 for orthogonal or mismatched ones', () => {
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 0], [1, 0, 0])).toBe(0);
  });
});

describe('chunkDocument', () => {
  it('splits Markdown at its headings and names every section with the given title', () => {
    const doc = chunkDocument('documents/x', '# Ignored\n\nIntro.\n\n## Setup\n\nRun it.\n', 'markdown', 'Widgets');
    expect(doc.sections.map((s) => [s.title, s.heading, s.ref])).toEqual([
      ['Widgets', '', 'documents/x'],
      ['Widgets', 'Setup', 'documents/x#setup'],
    ]);
  });

  it('groups plain-text paragraphs into parts of about 200 words, never cutting one', () => {
    const paragraph = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const doc = chunkDocument('documents/y', `${paragraph}\n\n${paragraph}\n\n# not a heading`, 'text', 'Notes');
    expect(doc.sections.map((s) => s.ref)).toEqual(['documents/y', 'documents/y#part-2']);
    expect(doc.sections[1].body).toContain('# not a heading');
    expect(doc.sections[1].blocks.every((b) => b.kind === 'paragraph')).toBe(true);
  });
});
