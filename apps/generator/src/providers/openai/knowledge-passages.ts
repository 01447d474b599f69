import type { KbSection } from '@app/knowledge';
import type { ContextTurnData, Source } from '@app/contracts';
import { buildRetrievalQuery } from '../builtin/retrieval-query.js';
import { knowledgeSections, sourceOf, type KnowledgeSource } from '../knowledge/knowledge-source.js';

/** A knowledge-base passage as the model is shown it, and the source it stands for. */
export interface KnowledgePassage {
  title: string;
  text: string;
  source: Source;
}

/** A rough token count for budgeting: English averages about four characters per token. */
export const CHARS_PER_TOKEN = 4;

function labelOf(section: KbSection): string {
  return section.heading === '' ? section.title : `${section.title} — ${section.heading}`;
}

/**
 * The knowledge base's best passages for the question, best first, within `budgetTokens`: whole
 * sections while they fit; the first one is cut to the budget if it alone is too long (a cut
 * passage still grounds the reply better than none).
 */
export async function knowledgePassages(
  knowledge: KnowledgeSource,
  message: string,
  history: readonly ContextTurnData[],
  budgetTokens: number,
  signal?: AbortSignal,
): Promise<KnowledgePassage[]> {
  if (budgetTokens <= 0) return [];
  const query = buildRetrievalQuery(message, history);
  const retrieval = await knowledge.retrieve(query, message, signal);
  const sections = knowledgeSections(retrieval, [], query.totalWeight);
  let room = budgetTokens * CHARS_PER_TOKEN;
  const passages: KnowledgePassage[] = [];
  for (const section of sections) {
    const title = labelOf(section);
    let text = section.body;
    const cost = title.length + text.length;
    if (cost > room) {
      if (passages.length > 0) continue;
      text = `${text.slice(0, Math.max(room - title.length, 0))} …`;
    }
    passages.push({ title, text, source: sourceOf(section, retrieval.urls) });
    room -= title.length + text.length;
    if (room <= 0) break;
  }
  return passages;
}
