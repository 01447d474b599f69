import type { ChatProvider, ProviderInput, ProviderReply } from '../chat-provider.js';
import { knowledgeSections, sourceOf, StaticKnowledge, type KnowledgeSource } from '../knowledge/knowledge-source.js';
import { composeAnswer, type Answer } from './extractive-answer.js';
import { KnowledgeBase } from './knowledge-base.js';
import { isPassageSection, passageSections } from './provided-context.js';
import { buildRetrievalQuery } from './retrieval-query.js';
import { SectionIndex } from './section-index.js';
import { topicsAnswer } from './topics-answer.js';

/** Yields the pieces one by one, and nothing more once `signal` has aborted. */
async function* streamPieces(pieces: readonly string[], signal: AbortSignal): AsyncGenerator<string> {
  for (const piece of pieces) {
    if (signal.aborted) return;
    yield piece;
  }
}

/**
 * The offline, deterministic provider: answers by quoting the knowledge base. The reply is a
 * pure function of the input (message, history, passages) and the knowledge base's version,
 * which is what lets a retried job after a worker crash regenerate exactly what was sent.
 */
export class BuiltinProvider implements ChatProvider {
  readonly name = 'builtin';
  readonly continuesPartialReplies = false;

  constructor(private readonly knowledge: KnowledgeSource) {}

  /** A provider over the Markdown articles of `kbDir`, read once (unit tests; the service reads history's knowledge base). */
  static async load(kbDir: string): Promise<BuiltinProvider> {
    return new BuiltinProvider(new StaticKnowledge(await KnowledgeBase.load(kbDir)));
  }

  async reply(input: ProviderInput, signal: AbortSignal): Promise<ProviderReply> {
    const { pieces, sources } = await this.answer(input, signal);
    return { text: streamPieces(pieces, signal), sources };
  }

  /** The whole answer at once (pieces concatenate to the reply's text). Never throws. */
  async answer(input: ProviderInput, signal?: AbortSignal): Promise<Answer> {
    const query = buildRetrievalQuery(input.message ?? '', input.history ?? []);
    const retrieval = await this.knowledge.retrieve(query, input.message ?? '', signal);
    try {
      const passages = passageSections(input.passages ?? []);
      const passageHits = passages.length > 0 ? new SectionIndex(passages).find(query) : [];
      const candidates = knowledgeSections(retrieval, passageHits, query.totalWeight);
      const answer = composeAnswer(candidates, query, isPassageSection);
      if (answer) return { ...answer, sources: answer.sources.map((s) => (isPassageSection(s) ? s : sourceOf(s, retrieval.urls))) };
      return { pieces: topicsAnswer(retrieval.kb.articles, candidates.length > 0), sources: [] };
    } catch {
      // A reply must never fail for what a user typed; this path only guards against bugs.
      return { pieces: topicsAnswer(retrieval.kb.articles, false), sources: [] };
    }
  }
}
