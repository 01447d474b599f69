import type { KbSection } from '@app/knowledge';
import type { Source } from '@app/contracts';
import type { KnowledgeBase } from '../builtin/knowledge-base.js';
import { candidateSections } from '../builtin/hit-selection.js';
import type { RetrievalQuery } from '../builtin/retrieval-query.js';
import { articleOf, type SectionHit } from '../builtin/section-index.js';

/** What the knowledge base gave for one question (docs/architecture.md "Knowledge base"). */
export interface Retrieval {
  /** The knowledge base searched (its articles name the topics of the "nothing found" answer). */
  kb: KnowledgeBase;
  /** Sections that share words with the question, best first (by fused rank when embeddings are on). */
  hits: SectionHit[];
  /** Sections found by their embedding alone (no word in common), similar enough, best first. */
  similar: KbSection[];
  /** The source URL of each document added with one, by article path. */
  urls: ReadonlyMap<string, string>;
}

/** Where providers get passages from: the generator's index of history's knowledge base, or a fixed one in unit tests. */
export interface KnowledgeSource {
  retrieve(query: RetrievalQuery, message: string, signal?: AbortSignal): Promise<Retrieval>;
}

/** At most this many knowledge-base sections are candidates for an answer or a prompt. */
const MAX_SECTIONS = 8;

/**
 * The sections an answer may use, in order: the relevant word matches (with the client's own
 * passages, see candidateSections), then those found by meaning alone.
 */
export function knowledgeSections(retrieval: Retrieval, passageHits: readonly SectionHit[], totalWeight: number): KbSection[] {
  const sections = candidateSections(retrieval.hits, passageHits, totalWeight);
  for (const section of retrieval.similar) if (!sections.includes(section)) sections.push(section);
  return sections.slice(0, MAX_SECTIONS + passageHits.length);
}

/** A source as the `done` event names it, with the document's URL when it has one. */
export function sourceOf(section: Pick<KbSection, 'title' | 'ref'>, urls: ReadonlyMap<string, string>): Source {
  const url = urls.get(articleOf(section));
  return url ? { title: section.title, ref: section.ref, url } : { title: section.title, ref: section.ref };
}

/** A knowledge base that never changes (unit tests, and `BuiltinProvider.load`). */
export class StaticKnowledge implements KnowledgeSource {
  constructor(private readonly kb: KnowledgeBase) {}

  async retrieve(query: RetrievalQuery): Promise<Retrieval> {
    return { kb: this.kb, hits: this.kb.find(query), similar: [], urls: new Map() };
  }
}
