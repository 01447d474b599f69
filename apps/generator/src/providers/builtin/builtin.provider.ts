import type { ChatProvider, ProviderInput, ProviderReply } from '../chat-provider.js';
import { composeAnswer, type Answer } from './extractive-answer.js';
import { candidateSections } from './hit-selection.js';
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
 * The offline, deterministic provider: answers by quoting the Markdown knowledge base. The
 * reply is a pure function of the input (message, history, passages) and the knowledge base,
 * which is what lets a retried job after a worker crash regenerate exactly what was sent.
 */
export class BuiltinProvider implements ChatProvider {
  readonly name = 'builtin';
  readonly continuesPartialReplies = false;

  constructor(private readonly kb: KnowledgeBase) {}

  /** Reads and indexes the knowledge base in `kbDir` (KB_DIR) once; reuse the provider for every job. */
  static async load(kbDir: string): Promise<BuiltinProvider> {
    return new BuiltinProvider(await KnowledgeBase.load(kbDir));
  }

  async reply(input: ProviderInput, signal: AbortSignal): Promise<ProviderReply> {
    const { pieces, sources } = this.answer(input);
    return { text: streamPieces(pieces, signal), sources };
  }

  /** The whole answer at once (pieces concatenate to the reply's text). Never throws. */
  answer(input: ProviderInput): Answer {
    try {
      const query = buildRetrievalQuery(input.message ?? '', input.history ?? []);
      const passages = passageSections(input.passages ?? []);
      const passageHits = passages.length > 0 ? new SectionIndex(passages).find(query) : [];
      const candidates = candidateSections(this.kb.find(query), passageHits, query.totalWeight);
      const answer = composeAnswer(candidates, query, isPassageSection);
      if (answer) return answer;
      return { pieces: topicsAnswer(this.kb.articles, candidates.length > 0), sources: [] };
    } catch {
      // A reply must never fail for what a user typed; this path only guards against bugs.
      return { pieces: topicsAnswer(this.kb.articles, false), sources: [] };
    }
  }
}
