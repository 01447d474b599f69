/**
 * Calls `visit` for each match of a global (`g`) regex, left to right. Cheaper than `matchAll`,
 * which clones the regex on every call, and this runs once per detector per segment. `visit` may
 * move `regex.lastIndex` forward to skip text it has consumed.
 */
export function forEachMatch(regex: RegExp, text: string, visit: (match: RegExpExecArray) => void): void {
  regex.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = regex.exec(text)) !== null) {
    if (match[0] === '') regex.lastIndex += 1;
    visit(match);
  }
}
