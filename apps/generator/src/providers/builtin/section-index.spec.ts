import { beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import type { KbSection } from '@app/knowledge';
import MiniSearch from 'minisearch';
import { KnowledgeBase } from './knowledge-base.js';
import { buildRetrievalQuery, type RetrievalQuery } from './retrieval-query.js';
import { indexedSections, INTRO_BOOST_FOR_DEFINITIONS, SECTION_SEARCH_OPTIONS, SectionIndex, type IndexedSection } from './section-index.js';

const SHIPPED_KB = fileURLToPath(new URL('../../../../../kb/', import.meta.url));

/** Questions of every shape the retrieval query makes: plain, definitions, follow-ups with earlier turns, unknown words. */
const QUESTIONS: [string, string[]][] = [
  ['How do I configure the Redis connection?', []],
  ['What is PACING_MS?', []],
  ['What is Docker?', []],
  ['How do I run the tests?', []],
  ['What happens when a generator crashes mid-stream?', []],
  ['Which HTTP status does a rate-limited request get?', []],
  ['How does Server-Sent Events reconnection work?', []],
  ['What is the event loop in Node.js?', []],
  ['Tell me about Docker Compose profiles', []],
  ['define ELP', []],
  ['zyxwvut qqqq', []],
  ['and how do I configure it?', ['How do I scale the generators?', 'What is BullMQ?']],
  ['tell me more', ['What does the history service store?']],
];

/** The ranking as MiniSearch's own OR query computes it, with the term and document boosts as callbacks. */
function miniSearchRanking(engine: MiniSearch<IndexedSection>, index: { sections: readonly KbSection[] }, query: RetrievalQuery) {
  if (query.terms.length === 0) return [];
  const results = engine.search(query.terms.join(' '), {
    tokenize: (text) => text.split(' '),
    processTerm: (term) => term,
    boostTerm: (term) => query.weights.get(term) ?? 0,
    boostDocument: (id) => (query.definition && index.sections[id as number].heading === '' ? INTRO_BOOST_FOR_DEFINITIONS : 1),
  });
  const hits = results.map((r) => {
    let matched = 0;
    for (const term of new Set(r.queryTerms)) matched += query.weights.get(term) ?? 0;
    return { id: r.id as number, score: r.score, coverage: matched / query.totalWeight };
  });
  hits.sort((a, b) => b.score - a.score || a.id - b.id);
  return hits.map((h) => ({ ref: index.sections[h.id].ref, score: h.score, coverage: h.coverage }));
}

describe('SectionIndex.find', () => {
  let kb: KnowledgeBase;
  let engine: MiniSearch<IndexedSection>;

  beforeAll(async () => {
    kb = await KnowledgeBase.load(SHIPPED_KB);
    engine = new MiniSearch<IndexedSection>(SECTION_SEARCH_OPTIONS);
    engine.addAll(indexedSections(kb.sections));
  });

  it.each(QUESTIONS)('ranks "%s" as MiniSearch\'s own query does, asked twice', (message, earlier) => {
    const history = earlier.map((m, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: m }) as const);
    const query = buildRetrievalQuery(message, history);
    const expected = miniSearchRanking(engine, kb, query);
    // The second time, every term's scores come from what the first kept.
    for (let round = 0; round < 2; round++) {
      const hits = kb.find(query);
      expect(hits.map((h) => h.section.ref)).toEqual(expected.map((h) => h.ref));
      hits.forEach((hit, i) => {
        expect(hit.score).toBeCloseTo(expected[i].score, 9);
        expect(hit.coverage).toBeCloseTo(expected[i].coverage, 12);
      });
    }
    if (message !== 'zyxwvut qqqq') expect(expected.length).toBeGreaterThan(0);
  });

  it('finds the same on an index of a request\'s own passages', () => {
    const passages = kb.sections.slice(0, 12);
    const own = new SectionIndex(passages);
    const query = buildRetrievalQuery('How do I configure the Redis connection?', []);
    const ownEngine = new MiniSearch<IndexedSection>(SECTION_SEARCH_OPTIONS);
    ownEngine.addAll(indexedSections(passages));
    const expected = miniSearchRanking(ownEngine, { sections: passages }, query);
    expect(own.find(query).map((h) => h.section.ref)).toEqual(expected.map((h) => h.ref));
  });
});
