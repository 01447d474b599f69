import { cosineSimilarity, reciprocalRankFusion, type KbSection } from '@app/knowledge';
import type { SectionHit } from '../builtin/section-index.js';

/** How deep each ranking goes into the fusion: beyond this, a section is not a candidate anyway. */
const FUSION_DEPTH = 20;

/**
 * Hybrid retrieval (docs/architecture.md "Knowledge base"): the text ranking (BM25) and the
 * vector ranking (cosine similarity to the question's embedding) fused by reciprocal rank.
 * Text hits come back in fused order; sections only the vectors found are kept apart, and only
 * when at least `minSimilarity` alike, since a vector ranking always has a "best" match, even
 * for a question the knowledge base knows nothing about.
 */
export function hybridRanking(
  textHits: readonly SectionHit[],
  sections: readonly KbSection[],
  vectors: ReadonlyMap<string, ArrayLike<number>>,
  question: ArrayLike<number>,
  minSimilarity: number,
): { hits: SectionHit[]; similar: KbSection[] } {
  const similarity = new Map<KbSection, number>();
  for (const section of sections) {
    const vector = vectors.get(section.ref);
    if (vector) similarity.set(section, cosineSimilarity(vector, question));
  }
  const byVector = [...similarity.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, FUSION_DEPTH)
    .map(([section]) => section);
  const textTop = textHits.slice(0, FUSION_DEPTH);
  const fused = reciprocalRankFusion([textTop.map((h) => h.section), byVector]);
  const hitOf = new Map(textHits.map((h) => [h.section, h]));
  const hits = [...fused.filter((s) => hitOf.has(s)).map((s) => hitOf.get(s)!), ...textHits.slice(FUSION_DEPTH)];
  const similar = fused.filter((s) => !hitOf.has(s) && (similarity.get(s) ?? -1) >= minSimilarity);
  return { hits, similar };
}
