import { termOf, tokenize, type KbSection } from '@app/knowledge';
import MiniSearch from 'minisearch';
import type { RetrievalQuery } from './retrieval-query.js';

/** A section that matched a query. */
export interface SectionHit {
  section: KbSection;
  /** MiniSearch's BM25 score (already multiplied by the number of matched terms). */
  score: number;
  /** Share of the query's weight that the section matched, 0–1: comparable across indexes. */
  coverage: number;
}

interface IndexedSection {
  id: number;
  title: string;
  heading: string;
  body: string;
  context: string;
}

/**
 * Titles and headings name what a section is about, so a word there weighs more than the same
 * word in passing in the body. `context` (the article's introduction) weighs least: it tells
 * what every section of the article is about without naming any one of them.
 */
const FIELD_BOOST = { title: 2, heading: 2.5, body: 1, context: 0.5 };
/**
 * For "What is X?" an article's introduction (which defines X) beats a section that merely
 * uses the word more often, as "Docker Compose" does for "What is Docker?".
 */
const INTRO_BOOST_FOR_DEFINITIONS = 1.3;

/**
 * Index fields of each section. The introduction is indexed under the article's title as its
 * heading, so "What is Docker?" finds the opening that defines Docker rather than the section
 * that repeats the word most; the other sections inherit the introduction as context, so
 * "environment variable" reaches the Redis section of an article introduced as being about them.
 */
function indexedSections(sections: readonly KbSection[]): IndexedSection[] {
  const intros = new Map<string, string>();
  for (const s of sections) if (s.heading === '') intros.set(articleOf(s), s.body);
  return sections.map((s, id) => ({
    id,
    title: s.title,
    heading: s.heading === '' ? s.title : s.heading,
    body: s.body,
    context: s.heading === '' ? '' : (intros.get(articleOf(s)) ?? ''),
  }));
}

/** The article part of a section's reference (`product/configuration.md#redis` → `product/configuration.md`). */
export function articleOf(section: Pick<KbSection, 'ref'>): string {
  const hash = section.ref.indexOf('#');
  return hash === -1 ? section.ref : section.ref.slice(0, hash);
}

/**
 * BM25 retrieval over sections (MiniSearch). Prefix and fuzzy matching stay off: with a
 * stemmer they mostly add false friends, and exact terms keep scores easy to reason about.
 */
export class SectionIndex {
  private readonly engine: MiniSearch<IndexedSection>;

  constructor(private readonly sections: readonly KbSection[]) {
    this.engine = new MiniSearch<IndexedSection>({
      idField: 'id',
      fields: ['title', 'heading', 'body', 'context'],
      tokenize,
      processTerm: termOf,
      searchOptions: { boost: FIELD_BOOST, prefix: false, fuzzy: false, combineWith: 'OR' },
    });
    this.engine.addAll(indexedSections(sections));
  }

  /** Hits, best first; equal scores keep the sections' order, so ranking never depends on chance. */
  find(query: RetrievalQuery): SectionHit[] {
    if (query.terms.length === 0 || this.sections.length === 0) return [];
    const results = this.engine.search(query.terms.join(' '), {
      // The query is already made of terms: split on the spaces we joined with, process nothing.
      tokenize: (text) => text.split(' '),
      processTerm: (term) => term,
      boostTerm: (term) => query.weights.get(term) ?? 0,
      boostDocument: (id) => (query.definition && this.sections[id as number].heading === '' ? INTRO_BOOST_FOR_DEFINITIONS : 1),
    });
    const hits = results.map((result) => {
      let matched = 0;
      for (const term of new Set(result.queryTerms)) matched += query.weights.get(term) ?? 0;
      return {
        id: result.id as number,
        hit: { section: this.sections[result.id as number], score: result.score, coverage: matched / query.totalWeight },
      };
    });
    hits.sort((a, b) => b.hit.score - a.hit.score || a.id - b.id);
    return hits.map((h) => h.hit);
  }
}
