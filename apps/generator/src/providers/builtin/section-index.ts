import { termOf, tokenize, type KbSection } from '@app/knowledge';
import MiniSearch, { type Options } from 'minisearch';
import type { RetrievalQuery } from './retrieval-query.js';

/** A section that matched a query. */
export interface SectionHit {
  section: KbSection;
  /** MiniSearch's BM25 score (already multiplied by the number of matched terms). */
  score: number;
  /** Share of the query's weight that the section matched, 0–1: comparable across indexes. */
  coverage: number;
}

export interface IndexedSection {
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
export const INTRO_BOOST_FOR_DEFINITIONS = 1.3;

/**
 * Index fields of each section. The introduction is indexed under the article's title as its
 * heading, so "What is Docker?" finds the opening that defines Docker rather than the section
 * that repeats the word most; the other sections inherit the introduction as context, so
 * "environment variable" reaches the Redis section of an article introduced as being about them.
 */
export function indexedSections(sections: readonly KbSection[]): IndexedSection[] {
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

/** How sections are indexed and searched (exported for the spec that checks `find` against MiniSearch's own query). */
export const SECTION_SEARCH_OPTIONS = {
  idField: 'id',
  fields: ['title', 'heading', 'body', 'context'],
  tokenize,
  processTerm: termOf,
  searchOptions: { boost: FIELD_BOOST, prefix: false, fuzzy: false, combineWith: 'OR' },
} satisfies Options<IndexedSection>;

/** Term score tables kept per index before they are all dropped: bounds what odd queries can hold. */
const MAX_TERM_TABLES = 20_000;

/** One term's BM25 score in each section that holds it, summed over the fields with their boosts. */
interface TermPostings {
  ids: Int32Array;
  scores: Float64Array;
}

/**
 * BM25 retrieval over sections (MiniSearch). Prefix and fuzzy matching stay off: with a
 * stemmer they mostly add false friends, and exact terms keep scores easy to reason about.
 *
 * A query's ranking is what MiniSearch's OR search with `boostTerm` and `boostDocument` gives:
 * for each section, the sum over the query's terms of the term's weight × the section's boost ×
 * the term's own score there (its BM25 per field, times the field's boost), multiplied by the
 * number of the query's terms it holds. A term's own scores depend only on the index, so each is
 * asked of MiniSearch once, as a search for that term alone, and kept; a query then only adds
 * them up. MiniSearch's multi-term search rebuilt every term's scores per query, in maps and
 * objects per section: 60 µs of a turn's start for the benchmark's question, of which the sums
 * are a few.
 */
export class SectionIndex {
  private readonly engine: MiniSearch<IndexedSection>;
  private readonly termTables = new Map<string, TermPostings>();

  constructor(private readonly sections: readonly KbSection[]) {
    this.engine = new MiniSearch<IndexedSection>(SECTION_SEARCH_OPTIONS);
    this.engine.addAll(indexedSections(sections));
  }

  /** Hits, best first; equal scores keep the sections' order, so ranking never depends on chance. */
  find(query: RetrievalQuery): SectionHit[] {
    if (query.terms.length === 0 || this.sections.length === 0) return [];
    const sums = new Map<number, { score: number; terms: number; weight: number }>();
    for (const term of query.terms) {
      const weight = query.weights.get(term) ?? 0;
      const { ids, scores } = this.postingsOf(term);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number;
        const sum = sums.get(id);
        const score = weight * (scores[i] as number);
        if (sum) {
          sum.score += score;
          sum.terms += 1;
          sum.weight += weight;
        } else sums.set(id, { score, terms: 1, weight });
      }
    }
    const hits: { id: number; hit: SectionHit }[] = [];
    for (const [id, sum] of sums) {
      const boost = query.definition && this.sections[id].heading === '' ? INTRO_BOOST_FOR_DEFINITIONS : 1;
      hits.push({ id, hit: { section: this.sections[id], score: sum.score * boost * sum.terms, coverage: sum.weight / query.totalWeight } });
    }
    hits.sort((a, b) => b.hit.score - a.hit.score || a.id - b.id);
    return hits.map((h) => h.hit);
  }

  /** The term's scores per section, from MiniSearch's search for it alone (the field boosts applied, no other). */
  private postingsOf(term: string): TermPostings {
    let table = this.termTables.get(term);
    if (table) return table;
    const results = this.engine.search(term, { tokenize: () => [term], processTerm: (t) => t });
    table = { ids: Int32Array.from(results, (r) => r.id as number), scores: Float64Array.from(results, (r) => r.score) };
    if (this.termTables.size >= MAX_TERM_TABLES) this.termTables.clear();
    this.termTables.set(term, table);
    return table;
  }
}
