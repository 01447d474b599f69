import type { KbSection } from '@app/knowledge';
import { articleOf, type SectionHit } from './section-index.js';

/**
 * A section is worth quoting when it matches a fair share of the question — a third of its
 * weight — or, for long questions where any one section covers a small share, at least three
 * whole terms. Below that, a hit is usually a single incidental word ("who won the match").
 */
const MIN_COVERAGE = 0.34;
const MIN_MATCHED_WEIGHT = 3;
/** Runners-up far behind the best hit are about something else. */
const MIN_SHARE_OF_BEST = 0.35;
/** A runner-up from another article must come closer: changing subject mid-answer needs a reason. */
const MIN_SHARE_OF_BEST_ELSEWHERE = 0.5;
/** More candidates than the answer quotes, in case a follow-up already said the best ones. */
const MAX_CANDIDATES = 8;

function relevant(hit: SectionHit, totalWeight: number, bestScore: number): boolean {
  const enoughTerms = hit.coverage >= MIN_COVERAGE || hit.coverage * totalWeight >= MIN_MATCHED_WEIGHT;
  return enoughTerms && hit.score >= bestScore * MIN_SHARE_OF_BEST;
}

/**
 * The relevant hits, best first, then the rest of the best hit's article before other
 * articles: an answer that continues in the same article reads as one answer.
 */
function gate(hits: readonly SectionHit[], totalWeight: number): SectionHit[] {
  const best = hits[0];
  if (!best || !relevant(best, totalWeight, best.score)) return [];
  const article = articleOf(best.section);
  const same = hits.slice(1).filter((hit) => articleOf(hit.section) === article);
  const others = hits
    .slice(1)
    .filter((hit) => articleOf(hit.section) !== article && hit.score >= best.score * MIN_SHARE_OF_BEST_ELSEWHERE);
  return [best, ...same, ...others].filter((hit) => relevant(hit, totalWeight, best.score)).slice(0, MAX_CANDIDATES);
}

/**
 * The sections an answer may quote, in the order to quote them. Knowledge-base and passage hits
 * come from separate indexes, so their BM25 scores are not comparable; coverage is. Passages the
 * client sent go first when they cover the question at least as well as the best article (the
 * client chose them for this question), otherwise right after it.
 */
export function candidateSections(
  kbHits: readonly SectionHit[],
  passageHits: readonly SectionHit[],
  totalWeight: number,
): KbSection[] {
  const kb = gate(kbHits, totalWeight);
  const passages = gate(passageHits, totalWeight);
  if (passages.length === 0) return kb.map((h) => h.section);
  if (kb.length === 0 || passages[0].coverage >= kb[0].coverage) {
    return [...passages, ...kb].map((h) => h.section);
  }
  return [kb[0], ...passages, ...kb.slice(1)].map((h) => h.section);
}
