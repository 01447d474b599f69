export type TokenKind = 'word' | 'number' | 'cjk' | 'emoji';

export interface Token {
  /** Lower-cased form used for lexicon look-ups (first pictograph for emoji). */
  readonly key: string;
  /** As written; acronyms such as WHO are only authorities in upper case. */
  readonly raw: string;
  readonly kind: TokenKind;
  /** How many words this token is worth when normalising by length. */
  readonly words: number;
}

// Emoji sequences (variation selectors, skin tones, ZWJ joins) stay one token so a
// single glyph is not counted as several words.
const TOKEN_PATTERN =
  /\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}])*(?:\u200D\p{Extended_Pictographic}\uFE0F?)*|[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;
// The same class without the global flag, for a test that allocates nothing: most tokens hold no Han or kana.
const HAS_CJK = new RegExp(CJK_CHAR.source, 'u');
const PICTOGRAPH_START = /^\p{Extended_Pictographic}/u;
const ASCII_NUMBER = /^\d+$/;
// In text of ASCII alone (most sentences of most replies) there is no pictograph, no Han or kana and
// no curly apostrophe, and the token pattern's classes come down to letters and digits: the same
// tokens come from a pattern without Unicode property classes, which V8 matches several times faster
// (the generator tokenizes every sentence it streams).
const NON_ASCII = /[\u0080-\uFFFF]/;
const ASCII_TOKEN_PATTERN = /[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*/g;

// Han/kana text has no spaces, so a whole clause arrives as one "word"; about 0.6 word
// per character keeps its length weight comparable to space-separated languages.
const WORDS_PER_CJK_CHAR = 0.6;

export function tokenize(text: string): Token[] {
  return NON_ASCII.test(text) ? tokenizeUnicode(text) : tokenizeAscii(text);
}

function tokenizeAscii(text: string): Token[] {
  const tokens: Token[] = [];
  ASCII_TOKEN_PATTERN.lastIndex = 0;
  for (let match = ASCII_TOKEN_PATTERN.exec(text); match !== null; match = ASCII_TOKEN_PATTERN.exec(text)) {
    const raw = match[0];
    tokens.push({ key: raw.toLowerCase(), raw, kind: ASCII_NUMBER.test(raw) ? 'number' : 'word', words: 1 });
  }
  return tokens;
}

function tokenizeUnicode(text: string): Token[] {
  const tokens: Token[] = [];
  // `exec` on the pattern itself, not `matchAll`: that clones the regex on every call, and a
  // clone's compiled code comes from V8's compilation cache, which full collections empty, so the
  // first text analysed after each one paid for compiling the patterns again (~3 ms).
  TOKEN_PATTERN.lastIndex = 0;
  for (let match = TOKEN_PATTERN.exec(text); match !== null; match = TOKEN_PATTERN.exec(text)) {
    const raw = match[0];
    if (PICTOGRAPH_START.test(raw)) {
      tokens.push({ key: String.fromCodePoint(raw.codePointAt(0) ?? 0), raw, kind: 'emoji', words: 1 });
      continue;
    }
    const cjkChars = HAS_CJK.test(raw) ? (raw.match(CJK_CHAR)?.length ?? 0) : 0;
    if (cjkChars > 0) {
      tokens.push({ key: raw, raw, kind: 'cjk', words: Math.max(1, cjkChars * WORDS_PER_CJK_CHAR) });
      continue;
    }
    const key = raw.toLowerCase().replaceAll('’', "'");
    tokens.push({ key, raw, kind: ASCII_NUMBER.test(raw) ? 'number' : 'word', words: 1 });
  }
  return tokens;
}

/** Lexicon entries go through the same tokenizer so "e.g." or "peer-reviewed" match the text. */
export function tokenKeys(text: string): string[] {
  return tokenize(text).map((token) => token.key);
}
