import { tokenKeys } from '../tokenize.js';

interface PhraseEntry {
  readonly keys: readonly string[];
  readonly weight: number;
}

/** Phrases indexed by their first token; longest first so "it follows that" wins over "follows". */
export type PhraseLexicon = ReadonlyMap<string, readonly PhraseEntry[]>;

export function compileLexicon(weights: Readonly<Record<string, number>>): PhraseLexicon {
  const index = new Map<string, PhraseEntry[]>();
  for (const [phrase, weight] of Object.entries(weights)) {
    const keys = tokenKeys(phrase);
    const first = keys[0];
    if (first === undefined) throw new Error(`ELP lexicon phrase has no tokens: "${phrase}"`);
    const bucket = index.get(first) ?? [];
    bucket.push({ keys, weight });
    index.set(first, bucket);
  }
  for (const bucket of index.values()) bucket.sort((a, b) => b.keys.length - a.keys.length);
  return index;
}

/**
 * Sums the weights of non-overlapping matches: a matched phrase consumes its tokens, so
 * a word inside a longer marker is not counted twice.
 */
export function matchLexicon(keys: readonly string[], lexicon: PhraseLexicon): number {
  let total = 0;
  let i = 0;
  while (i < keys.length) {
    const candidates = lexicon.get(keys[i] as string);
    let consumed = 1;
    if (candidates !== undefined) {
      for (const entry of candidates) {
        if (matchesAt(keys, i, entry.keys)) {
          total += entry.weight;
          consumed = entry.keys.length;
          break;
        }
      }
    }
    i += consumed;
  }
  return total;
}

function matchesAt(keys: readonly string[], start: number, phrase: readonly string[]): boolean {
  if (start + phrase.length > keys.length) return false;
  for (let j = 1; j < phrase.length; j++) {
    if (keys[start + j] !== phrase[j]) return false;
  }
  return true;
}
