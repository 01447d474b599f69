/**
 * Reciprocal rank fusion (Cormack et al., 2009): each ranking gives an item 1 / (k + rank), the
 * sums order the fused list. It needs no calibration between the rankings' scores (BM25 and
 * cosine similarity live on unrelated scales), and k = 60 is the paper's constant.
 */
export const RRF_K = 60;

/** Fuses rankings of ids (best first); ties keep the order of first appearance. */
export function reciprocalRankFusion<T>(rankings: readonly (readonly T[])[], k = RRF_K): T[] {
  const scores = new Map<T, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1)));
  }
  const order = [...scores.keys()];
  return order
    .map((id, position) => ({ id, position, score: scores.get(id)! }))
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .map((e) => e.id);
}
