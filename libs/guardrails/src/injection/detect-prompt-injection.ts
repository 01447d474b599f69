import { BASE64_BLOB, DECODE_AND_EXECUTE, DECODE_INSTRUCTION_WEIGHT, ENCODED_PAYLOAD_WEIGHT, INJECTION_RULES } from './injection-rules.js';
import { forEachMatch } from '../for-each-match.js';
import { normalizeForMatching } from './normalize-for-matching.js';

export interface InjectionVerdict {
  /** True when `score` reaches `INJECTION_FLAG_THRESHOLD`. */
  flagged: boolean;
  /** 0..1, rounded to 3 decimals: the signals combined as independent evidence. */
  score: number;
  /** Ids of the rules that matched, strongest first (see `INJECTION_RULES`). */
  reasons: string[];
}

export const INJECTION_FLAG_THRESHOLD = 0.5;

/**
 * A phrase that is quoted or introduced as an example ("attackers write things like …") is being
 * talked about, not used: it keeps this share of its weight. Security discussions then stay
 * under the threshold while the same words given as an order do not.
 */
const MENTION_FACTOR = 0.35;
const MENTION_CUE =
  /\b(?:says?|said|saying|writes?|wrote|written|typed?|types|typing|like(?!\s+(?:you|to|it|that|this|me)\b)|such\s+as|e\.g\.|for\s+example|for\s+instance|phrases?|strings?|the\s+words?|called|known\s+as|mentions?|mentioning|contains?|containing|including|sentences?|patterns?|examples?\s+of)\b[^.!?\n]{0,40}$/i;
const QUOTED = /(["`])[^\n]{1,300}?\1|(?<![\p{L}\p{N}])'[^'\n]{1,300}?'(?![\p{L}\p{N}])/gu;

function quotedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  forEachMatch(QUOTED, text, (match) => spans.push([match.index, match.index + match[0].length]));
  return spans;
}

function isMention(text: string, start: number, end: number, quotes: readonly [number, number][]): boolean {
  if (quotes.some(([from, to]) => from <= start && end <= to)) return true;
  return MENTION_CUE.test(text.slice(Math.max(0, start - 80), start));
}

function hasEncodedBlob(text: string): boolean {
  let found = false;
  forEachMatch(BASE64_BLOB, text, ({ 0: blob }) => {
    found ||= /[A-Z]/.test(blob) && /[a-z]/.test(blob) && /\d/.test(blob);
  });
  return found;
}

/**
 * Heuristic prompt-injection check for user input (and any text the client supplies as context).
 * Each rule that matches contributes its weight, discounted when the phrase is only mentioned;
 * the score is the chance that at least one signal is real, treating them as independent
 * (1 - Π(1 - w)). It flags for review or blocking; it is not a security boundary, since a
 * paraphrase gets past any list of phrases.
 */
export function detectPromptInjection(text: string): InjectionVerdict {
  const normalized = normalizeForMatching(text);
  const quotes = quotedSpans(normalized);
  const weights = new Map<string, number>();
  const note = (id: string, weight: number) => weights.set(id, Math.max(weights.get(id) ?? 0, weight));

  for (const { id, weight, pattern } of INJECTION_RULES) {
    forEachMatch(pattern, normalized, (match) => {
      const mentioned = isMention(normalized, match.index, match.index + match[0].length, quotes);
      note(id, mentioned ? weight * MENTION_FACTOR : weight);
    });
  }

  const decode: RegExpExecArray[] = [];
  forEachMatch(DECODE_AND_EXECUTE, normalized, (match) => decode.push(match));
  if (decode.length > 0) {
    const asOrder = decode.some((match) => !isMention(normalized, match.index, match.index + match[0].length, quotes));
    const factor = asOrder ? 1 : MENTION_FACTOR;
    if (hasEncodedBlob(normalized)) note('encoded_payload', ENCODED_PAYLOAD_WEIGHT * factor);
    else note('decode_and_execute', DECODE_INSTRUCTION_WEIGHT * factor);
  }

  let clear = 1;
  for (const weight of weights.values()) clear *= 1 - weight;
  const score = Math.round((1 - clear) * 1000) / 1000;
  const reasons = [...weights.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
  return { flagged: score >= INJECTION_FLAG_THRESHOLD, score, reasons };
}
