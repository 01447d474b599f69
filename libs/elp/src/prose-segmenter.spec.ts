import { describe, expect, it } from '@jest/globals';
import { ProseSegmenter } from './prose-segmenter.js';
import type { ProseSegment } from './prose-segmenter.js';

function segments(text: string, chunk = text.length || 1): ProseSegment[] {
  const segmenter = new ProseSegmenter();
  const out: ProseSegment[] = [];
  for (let at = 0; at < text.length; at += chunk) segmenter.push(text.slice(at, at + chunk), (s) => out.push(s));
  const tail = segmenter.tail();
  if (tail !== null) out.push(tail);
  return out;
}

const texts = (text: string): string[] => segments(text).map((s) => s.text);

describe('ProseSegmenter', () => {
  it('cuts at sentence ends and newlines, keeping line-start flags', () => {
    expect(segments('One. Two!\nThree? Four')).toEqual([
      { text: 'One.', lineStart: true },
      { text: ' Two!', lineStart: false },
      { text: 'Three?', lineStart: true },
      { text: ' Four', lineStart: false },
    ]);
  });

  it('does not treat a numbered list marker or a decimal as a sentence end', () => {
    expect(texts('1. Install it\n2. Version 3.5 works')).toEqual(['1. Install it', '2. Version 3.5 works']);
  });

  it('drops backtick and tilde fenced code, including the fence lines', () => {
    expect(texts('Before.\n```ts\nconst x = 1. Two;\n```\nAfter\n~~~\nhidden\n~~~\nEnd')).toEqual([
      'Before.',
      'After',
      'End',
    ]);
  });

  it('only closes a fence with the same character and at least the same length', () => {
    expect(texts('````\n```\n~~~\nstill code\n````\nprose')).toEqual(['prose']);
  });

  it('drops everything after an unclosed fence', () => {
    expect(texts('Intro\n```\ncode')).toEqual(['Intro']);
  });

  it('cuts CJK sentences at full-width terminators', () => {
    expect(texts('这是测试。好！')).toEqual(['这是测试。', '好！']);
  });

  it('bounds run-on segments', () => {
    const runOn = 'word '.repeat(500);
    for (const segment of texts(runOn)) expect(segment.length).toBeLessThanOrEqual(410);
    for (const segment of texts('x'.repeat(5000))) expect(segment.length).toBeLessThanOrEqual(1600);
  });

  it('produces the same segments however the text is chunked', () => {
    const text = '# Title\n\nFirst. Second!\n```\ncode. here\n```\n1. Item? Yes.\n这是测试。End';
    const whole = segments(text);
    for (const chunk of [1, 2, 3, 5, 8]) expect(segments(text, chunk)).toEqual(whole);
  });
});
