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

const SENTENCE_PUNCTUATION = new Set(['.', ',', ';', '!', '?']);
const CJK_PUNCTUATION = new Set(['。', '，', '、', '；', '！', '？', '：', '．', '｡', '､']);

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
      let natural = CJK_PUNCTUATION.has(text[i - 1] as string);
      if (spaceRunStart >= 0) {
        const before = spaceRunStart > start ? text[spaceRunStart - 1] : undefined;
        natural ||= spaceRunHasBreak || (before !== undefined && SENTENCE_PUNCTUATION.has(before));
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
