/**
 * A character that glues onto a number or token and makes it part of a longer word (`x4111…`,
 * `ID123-45-6789`): a letter, digit or underscore, except in scripts written without spaces
 * between words (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar), where `卡号4111…` or
 * `전화010-1234-5678` is ordinary writing.
 */
const GLUE =
  '(?:(?![\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}])[\\p{L}\\p{N}_])';
const WORD_CHAR = new RegExp(`^${GLUE}$`, 'u');

/** The code point that ends just before `index`, reading a surrogate pair as one character. */
function codePointBefore(text: string, index: number): number | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(index - 2);
  }
  return low;
}

function isWordCodePoint(codePoint: number | undefined): boolean {
  if (codePoint === undefined) return false;
  if (codePoint < 128) return (codePoint >= 48 && codePoint <= 57) || (codePoint >= 65 && codePoint <= 90) || (codePoint >= 97 && codePoint <= 122) || codePoint === 95;
  return WORD_CHAR.test(String.fromCodePoint(codePoint));
}

/** True when a glue character (see `GLUE`) touches `index` from the left; surrogate pairs count as one character. */
export function wordCharBefore(text: string, index: number): boolean {
  return isWordCodePoint(codePointBefore(text, index));
}

/** True when a glue character starts at `index`. */
export function wordCharAt(text: string, index: number): boolean {
  return index < text.length && isWordCodePoint(text.codePointAt(index));
}

/** `\s` as JavaScript defines it, without a regex call per character. */
export function isWhitespace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
