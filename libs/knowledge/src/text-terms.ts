/**
 * Turning text into search terms. The index, the query and the sentence picker all use these
 * functions, so a word counts as "the same" everywhere (`configure` in a question finds
 * `configuration` in an article because both reduce to `configur`).
 */

/**
 * Common English words plus the filler of chat questions ("tell me more", "please explain"),
 * which would otherwise match every article equally and drown the words that matter.
 */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are aren as at be because been before being ' +
    'below between both but by can cannot could couldn did didn do does doesn doing don done down during each ' +
    'else etc even ever every few for from further get gets getting give go going got had has have having he her ' +
    'here hers him his how however i if in into is isn it its itself just let lets like may me might more most ' +
    'much must my need no nor not now of off ok okay on once one only or other our ours out over own please ' +
    'quite really same say she should show so some something such tell than thank thanks that the their them ' +
    'then there these they thing things this those through to too under until up us very want was way we were ' +
    'what whats when where whether which while who whom why will with within without would yes yet you your ' +
    'yours hi hello hey use used using make makes mean means explain know work works'
  ).split(' '),
);

/** Longer tokens are hashes, base64 or minified code: never worth matching. */
const MAX_TERM_LENGTH = 40;

/** Lower case, compatibility forms unified and accents removed, so “Café” and cafe meet. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** Raw word tokens of a text (letters and digits only; punctuation, emoji and markup split). */
export function tokenize(text: string): string[] {
  return foldText(text).split(/[^\p{L}\p{N}]+/u).filter((token) => token.length > 0);
}

/** Derivational and inflectional endings, longest first so `ation` wins over `ing`-less `ed`. */
const SUFFIXES = ['ational', 'ation', 'ability', 'ment', 'ness', 'ing', 'able', 'er', 'ed', 'ly'];

/** Plural (and third-person) endings come off first, so "variables" and "variable" agree. */
function singular(word: string): string {
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(sses|xes|zes|ches|shes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * A deliberately small suffix stripper (not Porter): it only has to make the inflections and
 * common derivations of one word collide ("configure", "configured", "configuration" →
 * `configur`), identically for articles and questions.
 */
export function stem(word: string): string {
  if (word.length < 4 || !/^[a-z]+$/.test(word)) return word;
  let base = singular(word);
  for (const suffix of SUFFIXES) {
    // "reply" is not re- + -ly: short words keep their ending.
    const minStem = suffix === 'ly' ? 4 : 3;
    if (base.endsWith(suffix) && base.length - suffix.length >= minStem) {
      base = base.slice(0, -suffix.length);
      break;
    }
  }
  if (base.length > 3 && base.endsWith('e')) base = base.slice(0, -1);
  // "running"/"run", "cancelled"/"cancel", "installed"/"install" end up alike.
  if (base.length > 3 && base[base.length - 1] === base[base.length - 2]) base = base.slice(0, -1);
  return base;
}

/** The search term of one token, or null when the token carries no meaning for retrieval. */
export function termOf(token: string): string | null {
  if (token.length < 2 || token.length > MAX_TERM_LENGTH) return null;
  if (STOP_WORDS.has(token)) return null;
  return stem(token);
}

/** Distinct search terms of a text, in the order they first appear. */
export function termsOf(text: string): string[] {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const token of tokenize(text)) {
    const term = termOf(token);
    if (term !== null && !seen.has(term)) {
      seen.add(term);
      terms.push(term);
    }
  }
  return terms;
}

/** Words as a reader counts them (whitespace-separated), for the answer's length budget. */
export function wordCount(text: string): number {
  const words = text.trim().split(/\s+/u);
  return words[0] === '' ? 0 : words.length;
}
