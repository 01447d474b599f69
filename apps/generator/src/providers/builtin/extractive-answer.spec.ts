import { parseArticle, wordCount } from '@app/knowledge';
import { describe, expect, it } from '@jest/globals';
import { composeAnswer } from './extractive-answer.js';
import { buildRetrievalQuery } from './retrieval-query.js';

const filler = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `Sentence ${i + 1} says something general about ${topic}.`).join(' ');

const CODE = ['```bash', ...Array.from({ length: 12 }, (_, i) => `npm run step-${i} -- --flag value`), '```'].join('\n');
const ARTICLE = parseArticle(
  'guide.md',
  `# Guide

## Install

${filler('setup', 12)}

${filler('setup', 12)}

${CODE}

## Lists

- alpha item about widgets
- beta item about gadgets
- gamma item about widgets

## Long

${filler('history', 40)} The one sentence about widgets is here. ${filler('history', 40)}
`,
);
const [install, lists, long] = ARTICLE.sections;
const noPassages = () => false;

describe('composeAnswer', () => {
  it('quotes a section that fits whole, with a lead line and a Sources line', () => {
    const answer = composeAnswer([lists], buildRetrievalQuery('widgets', []), noPassages);
    expect(answer?.pieces.join('')).toBe(
      'Here is what the knowledge base says in **Guide** (“Lists”):\n\n' +
        '- alpha item about widgets\n- beta item about gadgets\n- gamma item about widgets\n\n' +
        'Sources: Guide',
    );
    expect(answer?.sources).toEqual([{ title: 'Guide', ref: 'guide.md#lists' }]);
  });

  it('keeps the best section’s code block whole even when the section is over budget', () => {
    const text = composeAnswer([install], buildRetrievalQuery('install', []), noPassages)?.pieces.join('') ?? '';
    expect(text).toContain(CODE);
    expect(wordCount(text)).toBeLessThanOrEqual(210);
  });

  it('narrows an over-long paragraph to its most relevant sentences', () => {
    const text = composeAnswer([long], buildRetrievalQuery('widgets', []), noPassages)?.pieces.join('') ?? '';
    expect(text).toContain('The one sentence about widgets is here.');
    expect(wordCount(text)).toBeGreaterThanOrEqual(80);
    expect(wordCount(text)).toBeLessThanOrEqual(200);
  });

  it('adds further sections until the answer is long enough, naming each article once', () => {
    const answer = composeAnswer([lists, long], buildRetrievalQuery('widgets', []), noPassages);
    expect(answer?.sources.map((s) => s.ref)).toEqual(['guide.md#lists', 'guide.md#long']);
    expect(answer?.pieces.join('')).toContain('Also relevant, from **Guide** (“Long”):');
    expect(answer?.pieces.at(-1)).toBe('Sources: Guide');
  });

  it('skips what the previous reply of a follow-up already said', () => {
    const first = composeAnswer([lists, long], buildRetrievalQuery('widgets', []), noPassages)?.pieces.join('') ?? '';
    const history = [
      { role: 'user' as const, content: 'widgets' },
      { role: 'assistant' as const, content: first },
    ];
    const more = composeAnswer([lists, long, install], buildRetrievalQuery('tell me more', history), noPassages);
    expect(more?.sources[0].ref).not.toBe('guide.md#lists');
    expect(more?.pieces[0]).toMatch(/^More on this from/);
  });

  it('returns null when every candidate was already said', () => {
    const said = lists.body;
    const history = [
      { role: 'user' as const, content: 'widgets' },
      { role: 'assistant' as const, content: said },
    ];
    expect(composeAnswer([lists], buildRetrievalQuery('tell me more', history), noPassages)).toBeNull();
  });
});
