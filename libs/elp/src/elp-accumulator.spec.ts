import { describe, expect, it } from '@jest/globals';
import { ElpAccumulator } from './elp-accumulator.js';
import { analyzeElp } from './elp-analyzer.js';

const TEXTS: Record<string, string> = {
  plea: "I'm heartbroken and terrified, please, I beg you, help us… Please help!",
  proof: 'Therefore, since a > b and b > c, it follows that a > c; for example, 3 > 1.',
  markdown:
    '## Steps\n\n1. Install it.\n2. Run `make`.\n\n```sh\necho "I beg you, therefore must!"\n```\n\n' +
    '> According to [the docs](https://example.org), it must run first.\n\nThanks! 😀\n',
  cjk: '这是一个测试。我们必须仔细分析！因此结论成立？',
  crlf: 'First line.\r\nSecond line, because reasons.\r\n~~~\r\nlove hate\r\n~~~\r\nDone!',
  runOn: 'and then it follows that we must keep going '.repeat(40),
  noSpaces: 'x'.repeat(5000),
};

/** Splits into words with their trailing whitespace, so the pieces concatenate back exactly. */
function words(text: string): string[] {
  return text.split(/(?<=\s)/);
}

function accumulate(pieces: readonly string[]): ElpAccumulator {
  const accumulator = new ElpAccumulator();
  for (const piece of pieces) accumulator.push(piece);
  return accumulator;
}

describe('ElpAccumulator', () => {
  it.each(Object.entries(TEXTS))('pushing the words of "%s" one by one equals analyzeElp', (_name, text) => {
    const pieces = words(text);
    expect(pieces.join('')).toBe(text);
    expect(accumulate(pieces).result()).toEqual(analyzeElp(text));
  });

  it.each(Object.entries(TEXTS))('pushing "%s" character by character equals analyzeElp', (_name, text) => {
    expect(accumulate(text.split('')).result()).toEqual(analyzeElp(text));
  });

  it('gives the same result for arbitrary chunk boundaries', () => {
    const text = Object.values(TEXTS).join('\n\n');
    let state = 7;
    for (let round = 0; round < 25; round++) {
      const pieces: string[] = [];
      for (let at = 0; at < text.length; ) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        const size = 1 + (state % 17);
        pieces.push(text.slice(at, at + size));
        at += size;
      }
      expect(accumulate(pieces).result()).toEqual(analyzeElp(text));
    }
  });

  it('snapshots the text pushed so far as if it ended there', () => {
    const text = TEXTS.markdown as string;
    const accumulator = new ElpAccumulator();
    let pushed = '';
    for (const piece of words(text)) {
      accumulator.push(piece);
      pushed += piece;
      const { ethos, logos, pathos } = analyzeElp(pushed);
      expect(accumulator.snapshot()).toEqual({ ethos, logos, pathos });
    }
  });

  it('moves the snapshot as the appeal of the stream changes', () => {
    const accumulator = new ElpAccumulator();
    accumulator.push('The file is in the folder. ');
    const before = accumulator.snapshot();
    accumulator.push("I'm heartbroken and terrified, please, I beg you, help us! ");
    expect(accumulator.snapshot().pathos).toBeGreaterThan(before.pathos);
  });

  it('starts neutral and ignores empty pieces', () => {
    const accumulator = new ElpAccumulator();
    expect(accumulator.snapshot()).toEqual({ ethos: 5, logos: 5, pathos: 5 });
    accumulator.push('');
    expect(accumulator.result()).toEqual(analyzeElp(''));
  });

  it('does not change its state when snapshot or result is read', () => {
    const accumulator = new ElpAccumulator();
    accumulator.push('Therefore the claim holds. Because');
    const first = accumulator.result();
    accumulator.snapshot();
    expect(accumulator.result()).toEqual(first);
  });
});
