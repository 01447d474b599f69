// Format characters (zero-width space and joiners, BOM, bidi controls, soft hyphen) are invisible
// and a classic way to split a trigger phrase so that a plain substring test misses it.
const INVISIBLE = /[\p{Cf}\u034f\u115f\u1160\u3164]/gu;
const CURLY_QUOTES: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u00ab': '"',
  '\u00bb': '"',
};

/**
 * The form the injection rules read: NFKC (full-width and stylised letters become plain ones),
 * invisible characters removed, typographic quotes made straight, runs of spaces and tabs made
 * one space. Line breaks stay, since some markers only count at the start of a line. Case is
 * kept; most rules match case-insensitively.
 */
export function normalizeForMatching(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(/[\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb]/g, (quote) => CURLY_QUOTES[quote] ?? quote)
    .replace(/[^\S\n]+/g, ' ');
}
