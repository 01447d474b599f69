import { describe, expect, it } from '@jest/globals';
import { MAX_SEGMENT_LENGTH, segmentEnd } from './segments.js';

function segmentsOf(text: string): string[] {
  const out: string[] = [];
  for (let start = 0; start < text.length; ) {
    const end = segmentEnd(text, start, text.length, true) as number;
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

describe('segmentEnd', () => {
  it('cuts after sentence punctuation followed by whitespace, and after line breaks', () => {
    expect(segmentsOf('One, two. Three; four! Five? Six\nseven  \n  eight')).toEqual([
      'One, ',
      'two. ',
      'Three; ',
      'four! ',
      'Five? ',
      'Six\n',
      'seven  \n  ',
      'eight',
    ]);
  });

  it('never cuts between words without punctuation, so numbers with spaces stay whole', () => {
    expect(segmentsOf('call +1 415 555 0134 or 4111 1111 1111 1111 now')).toHaveLength(1);
    expect(segmentsOf('v1.2.3 and 10.0.0.1 and a@b.com')).toHaveLength(1);
  });

  it('cuts after CJK punctuation even without whitespace', () => {
    expect(segmentsOf('你好。我们，好')).toEqual(['你好。', '我们，', '好']);
  });

  it('keeps leading whitespace in the first segment', () => {
    expect(segmentsOf('  \nHello. World')).toEqual(['  \n', 'Hello. ', 'World']);
  });

  it('cuts an overlong segment at its last space before the limit', () => {
    const word = 'word ';
    const text = word.repeat(Math.ceil((MAX_SEGMENT_LENGTH * 2.5) / word.length));
    const segments = segmentsOf(text);
    expect(segments.join('')).toBe(text);
    for (const segment of segments) expect(segment.length).toBeLessThanOrEqual(MAX_SEGMENT_LENGTH);
  });

  it('cuts an overlong token at the first space after the limit', () => {
    const text = `${'x'.repeat(MAX_SEGMENT_LENGTH + 10)} tail`;
    expect(segmentsOf(text)).toEqual([`${'x'.repeat(MAX_SEGMENT_LENGTH + 10)} `, 'tail']);
  });

  it('answers undefined while the end depends on text not seen yet', () => {
    expect(segmentEnd('Hello.', 0, 6, false)).toBeUndefined();
    expect(segmentEnd('Hello. ', 0, 7, false)).toBeUndefined();
    expect(segmentEnd('Hello. W', 0, 8, false)).toBe(7);
  });
});
