import { describe, expect, it } from '@jest/globals';
import type { KbSection } from '@app/knowledge';
import type { SectionHit } from '../builtin/section-index.js';
import { hybridRanking } from './hybrid-ranking.js';

const section = (ref: string): KbSection => ({ title: ref, heading: '', ref, body: ref, blocks: [] });
const hit = (s: KbSection, score: number): SectionHit => ({ section: s, score, coverage: 1 });

describe('hybridRanking', () => {
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(section);
  const vectors = new Map<string, number[]>([
    ['a', [0, 1]],
    ['b', [1, 0]],
    ['c', [0.9, 0.1]],
    ['d', [0.2, 1]],
  ]);

  it('reorders word matches by reciprocal rank fusion with the vector ranking', () => {
    // Text: a, b. Vectors (question [1, 0]): b, c, d, a. b is high in both, so it comes first.
    const { hits } = hybridRanking([hit(a, 5), hit(b, 4)], [a, b, c, d], vectors, [1, 0], 0.5);
    expect(hits.map((h) => h.section.ref)).toEqual(['b', 'a']);
  });

  it('adds sections only the vectors found when they are similar enough, and no others', () => {
    const { similar } = hybridRanking([hit(a, 5)], [a, b, c, d], vectors, [1, 0], 0.5);
    expect(similar.map((s) => s.ref)).toEqual(['b', 'c']);
  });

  it('leaves the text ranking alone when no section has a vector', () => {
    const { hits, similar } = hybridRanking([hit(a, 5), hit(b, 4)], [a, b], new Map(), [1, 0], 0.5);
    expect(hits.map((h) => h.section.ref)).toEqual(['a', 'b']);
    expect(similar).toEqual([]);
  });
});
