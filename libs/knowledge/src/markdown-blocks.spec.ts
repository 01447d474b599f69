import { describe, expect, it } from '@jest/globals';
import { parseBlocks, sentencesOf } from './markdown-blocks.js';

describe('parseBlocks', () => {
  it('keeps a fenced code block whole, blank lines and all', () => {
    const code = '```bash\nnpm ci\n\nnpm start\n```';
    const blocks = parseBlocks(`Run this:\n\n${code}\n\nThen open the UI.`);
    expect(blocks.map((b) => b.kind)).toEqual(['paragraph', 'code', 'paragraph']);
    expect(blocks[1].text).toBe(code);
  });

  it('closes a tilde fence only on tildes, so backticks inside stay code', () => {
    const code = '~~~markdown\n```bash\nnpm start\n```\n~~~';
    expect(parseBlocks(code)).toEqual([expect.objectContaining({ kind: 'code', text: code })]);
  });

  it('makes each list item a block, items of one list sharing a list id', () => {
    const blocks = parseBlocks('Intro line\n\n- first\n  continued\n- second\n\nBetween.\n\n1. other list');
    expect(blocks.map((b) => [b.kind, b.text, b.listId])).toEqual([
      ['paragraph', 'Intro line', undefined],
      ['item', '- first\n  continued', 1],
      ['item', '- second', 1],
      ['paragraph', 'Between.', undefined],
      ['item', '1. other list', 2],
    ]);
  });

  it('joins the lines of a paragraph and keeps tables and quotes as single blocks', () => {
    const blocks = parseBlocks('one\ntwo\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n> more');
    expect(blocks.map((b) => [b.kind, b.text])).toEqual([
      ['paragraph', 'one two'],
      ['table', '| a | b |\n|---|---|\n| 1 | 2 |'],
      ['quote', '> quoted\n> more'],
    ]);
  });

  it('survives an unclosed fence and odd input', () => {
    expect(parseBlocks('```\nnever closed').map((b) => b.kind)).toEqual(['code']);
    expect(parseBlocks('\u0000 \u202e 🚀')).toHaveLength(1);
    expect(parseBlocks('')).toEqual([]);
  });
});

describe('sentencesOf', () => {
  it('splits a paragraph into trimmed sentences', () => {
    expect(sentencesOf('First one. Second “quoted” one! Third?')).toEqual(['First one.', 'Second “quoted” one!', 'Third?']);
  });
});
