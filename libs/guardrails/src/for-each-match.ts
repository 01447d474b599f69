/**
 * Calls `visit` for each match of a global (`g`) regex, left to right, on the regex itself.
 * `matchAll` clones the regex on every call, and a clone's compiled code comes from V8's
 * compilation cache, which full collections empty: every detector recompiled its patterns on the
 * first request after each one (6 ms for the injection rules, on the way to a turn's first chunk).
 * `visit` may move `regex.lastIndex` forward to skip text it has consumed.
 */
export function forEachMatch(regex: RegExp, text: string, visit: (match: RegExpExecArray) => void): void {
  regex.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = regex.exec(text)) !== null) {
    if (match[0] === '') regex.lastIndex += 1;
    visit(match);
  }
}
