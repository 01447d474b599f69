import { isWhitespace } from './char-classes.js';

/**
 * The detectors never look across a segment boundary, and a boundary is decided from the text
 * before it plus one character after it. That is what lets a stream redact segment by segment
 * and still produce exactly the text that redacting the whole reply at once would.
 *
 * A boundary sits before the first non-space character after
 * - whitespace that contains a line break,
 * - whitespace right after `.`, `,`, `;`, `!` or `?`,
 * - CJK punctuation (`。，、；！？`), with or without whitespace.
 * None of the patterns can contain such a place: phone numbers, cards and IBANs allow single
 * spaces between digit groups only, and addresses, keys and tokens hold no whitespace at all.
 */
export const MAX_SEGMENT_LENGTH = 1024;

// As character codes: `segmentEnd` asks about the character before every non-space one, and a
// code needs no one-character string; the CJK set is only asked for codes past ASCII.
const SENTENCE_PUNCTUATION = new Set([...'.,;!?'].map((c) => c.charCodeAt(0)));
const CJK_PUNCTUATION = new Set([...'。，、；！？：．｡､'].map((c) => c.charCodeAt(0)));

function isCjkPunctuation(code: number): boolean {
  return code >= 0x3000 && CJK_PUNCTUATION.has(code);
}

function isLineBreak(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
}

/**
 * End of the segment that starts at `start` and may run to `end` (a hard end, such as a
 * private-key marker, or the end of the text). A segment longer than `MAX_SEGMENT_LENGTH` without
 * a natural boundary is cut at its last space before the limit (or the first one after it), so a
 * stream never waits unboundedly for punctuation. Returns `undefined` when `final` is false and
 * the answer depends on text not seen yet.
 */
export function segmentEnd(text: string, start: number, end: number, final: boolean): number | undefined {
  const limit = start + MAX_SEGMENT_LENGTH;
  let lastSpaceBoundary = -1;
  let spaceRunStart = -1;
  let spaceRunHasBreak = false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (isWhitespace(code)) {
      if (spaceRunStart < 0) {
        spaceRunStart = i;
        spaceRunHasBreak = false;
      }
      if (isLineBreak(code)) spaceRunHasBreak = true;
    } else if (i > start) {
      let natural = isCjkPunctuation(text.charCodeAt(i - 1));
      if (spaceRunStart >= 0) {
        natural ||= spaceRunHasBreak || (spaceRunStart > start && SENTENCE_PUNCTUATION.has(text.charCodeAt(spaceRunStart - 1)));
        if (i <= limit) lastSpaceBoundary = i;
        else if (lastSpaceBoundary < 0) return i;
      }
      if (natural && (i <= limit || lastSpaceBoundary < 0)) return i;
      spaceRunStart = -1;
    } else {
      spaceRunStart = -1;
    }
    if (i === limit && lastSpaceBoundary >= 0) return lastSpaceBoundary;
  }
  return final ? end : undefined;
}
