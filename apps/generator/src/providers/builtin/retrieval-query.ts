import type { ContextTurnData } from '@app/contracts';
import { termsOf } from '@app/knowledge';

/** What the knowledge base is searched with for one message. */
export interface RetrievalQuery {
  /** Distinct search terms, message terms first, then those borrowed from earlier turns. */
  terms: readonly string[];
  /** Weight of each term: 1 for the message's own words, less for earlier turns'. */
  weights: ReadonlyMap<string, number>;
  /** Sum of all weights, the denominator of a hit's coverage. */
  totalWeight: number;
  /** True when the message leans on earlier turns ("tell me more", "why?", "and how do I configure it?"). */
  followUp: boolean;
  /** For a follow-up, the replies given since the question it follows: not to be said again. */
  alreadySaid: string;
  /** "What is X?": the article introductions, which define their subject, should come first. */
  definition: boolean;
}

/** More distinct terms add cost but no precision (an 8,000-character paste has hundreds). */
const MAX_TERMS = 200;
/** A message this short that opens like a follow-up or points back with a pronoun is one. */
const FOLLOW_UP_MAX_TERMS = 5;
const FOLLOW_UP_OPENING =
  /^\s*(?:and|but|so|also|then|or|what about|how about|why|how come|tell me more|more|go on|continue|elaborate|what else|any other|another|example|for example|same for|in that case)\b/i;
const ASKS_DEFINITION = /^\s*(?:what(?:\s+is|\s+are|['’]s|\s+does\s+\S+\s+mean)|define|definition of|who\s+(?:is|was))\b/i;
const POINTS_BACK = /\b(?:it|its|that|this|these|those|they|them|there|one|ones)\b/i;
/** Earlier turns count less the further back they are. */
const HISTORY_WEIGHTS = [0.6, 0.4, 0.25];

/**
 * "why?" and "tell me more" have no content words at all; "and how do I configure it?" has one
 * but opens like a continuation or points back with a pronoun. "What is Docker?" is short too,
 * yet stands on its own.
 */
function isFollowUp(message: string, terms: readonly string[]): boolean {
  if (terms.length === 0) return true;
  return terms.length <= FOLLOW_UP_MAX_TERMS && (FOLLOW_UP_OPENING.test(message) || POINTS_BACK.test(message));
}

/**
 * Builds the query for a message. A follow-up borrows the terms of the previous user turns
 * (walking back past earlier follow-ups until a self-contained question), which is how the
 * context window makes the second reply depend on the first turn.
 */
export function buildRetrievalQuery(message: string, history: readonly ContextTurnData[]): RetrievalQuery {
  const weights = new Map<string, number>();
  const terms: string[] = [];
  const add = (term: string, weight: number) => {
    if (terms.length >= MAX_TERMS || weights.has(term)) return;
    weights.set(term, weight);
    terms.push(term);
  };

  const own = termsOf(message);
  for (const term of own) add(term, 1);

  const followUp = history.some((turn) => turn.role === 'user') && isFollowUp(message, own);
  let alreadySaid = '';
  if (followUp) {
    // Walk back over the user turns, oldest-weighted least, until a self-contained question.
    let anchor = history.length;
    let taken = 0;
    // Word-less turns ("tell me more", "why?") add nothing, so they do not use up a weight.
    for (let i = history.length - 1; i >= 0 && taken < HISTORY_WEIGHTS.length; i -= 1) {
      if (history[i].role !== 'user') continue;
      const turnTerms = termsOf(history[i].content);
      for (const term of turnTerms) add(term, HISTORY_WEIGHTS[taken]);
      anchor = i;
      if (turnTerms.length > 0) taken += 1;
      if (!isFollowUp(history[i].content, turnTerms)) break;
    }
    // Everything answered since that question, so a chain of "tell me more" keeps moving on.
    alreadySaid = history
      .slice(anchor)
      .filter((turn) => turn.role === 'assistant')
      .map((turn) => turn.content)
      .join('\n\n');
  }

  let totalWeight = 0;
  for (const term of terms) totalWeight += weights.get(term) ?? 0;
  return { terms, weights, totalWeight, followUp, alreadySaid, definition: ASKS_DEFINITION.test(message) };
}
