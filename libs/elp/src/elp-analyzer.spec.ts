import { describe, expect, it } from '@jest/globals';
import { analyzeElp } from './elp-analyzer.js';
import type { ElpAnalysis } from './elp-types.js';
import { fluxPosition } from './flux-position.js';

const PLEA =
  "I'm heartbroken and terrified, please, I beg you, help us… Our children are crying every night " +
  'and we have nowhere left to go. Please, please help us before it is too late!';
const PROOF =
  'Therefore, since a > b and b > c, it follows that a > c; for example, if a = 3, b = 2 and c = 1, ' +
  'then 3 > 1. Hence the relation is transitive, because each step preserves the order.';
const AUTHORITY =
  'According to the 2021 WHO guidelines, clinicians must obtain informed consent before treatment, ' +
  'as documented in [1]. The CDC guidance is consistent with this principle (Smith et al., 2020), ' +
  'and hospitals have a duty to follow it.';
const HEDGED =
  "I think maybe it could be the cache, but I'm not sure. I guess you could try clearing it? " +
  "I don't know, apparently it sometimes works.";
const PLAIN =
  'The service reads its settings from a file in the home directory. It opens a connection to the ' +
  'database and keeps it open while the process runs.';

const MARKDOWN_REPLY = `## Why the query is slow

The main reason is that the \`orders\` table has no index on \`customer_id\`, so PostgreSQL scans every row.
According to the [PostgreSQL documentation](https://www.postgresql.org/docs/current/indexes.html), a B-tree
index is the right choice for equality lookups.

1. Add the index:

\`\`\`sql
CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
\`\`\`

2. Run \`EXPLAIN ANALYZE\` again; you should see an *Index Scan*.
3. If the planner still ignores it, run \`ANALYZE orders\` because the statistics may be stale.

For example, on a table with 10 million rows the lookup typically drops from ~800 ms to under 5 ms.

> Note: \`CONCURRENTLY\` avoids locking the table, but it cannot run inside a transaction.

Hope this helps! 🙂
`;

function expectWellFormed(analysis: ElpAnalysis): void {
  for (const score of [analysis.ethos, analysis.logos, analysis.pathos]) {
    expect(Number.isFinite(score)).toBe(true);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(13);
    expect(Math.round(score * 10) / 10).toBe(score);
  }
  expect(Number.isInteger(analysis.flux_position)).toBe(true);
  expect(analysis.flux_position).toBeGreaterThanOrEqual(0);
  expect(analysis.flux_position).toBeLessThanOrEqual(9);
  expect(analysis.confidence).toBeGreaterThanOrEqual(0);
  expect(analysis.confidence).toBeLessThanOrEqual(1);
  expect(Math.round(analysis.confidence * 100) / 100).toBe(analysis.confidence);
  expect(analysis.flux_position).toBe(fluxPosition(analysis));
}

/** Deterministic pseudo-random generator so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const RANDOM_PIECES = [
  'the', 'therefore', 'must', 'love', 'hate', 'please', 'according to', '[1]', 'WHO', '2021', '42',
  '!', '?', '.', ',', ' ', ' ', ' ', '\n', '\n\n', '```', '~~~', '`x`', '# ', '1. ', '- ', '> ', '| a |',
  '😀', '❤️', '👍🏽', '漢字', 'テスト', 'é', 'ß', 'https://example.org/x', '[link](https://a.b)', '…',
  '<b>', '=>', '\t', '\r\n', '\uD83D', '%',
];

function randomText(random: () => number, pieces: number): string {
  let text = '';
  for (let i = 0; i < pieces; i++) text += RANDOM_PIECES[Math.floor(random() * RANDOM_PIECES.length)];
  return text;
}

describe('analyzeElp', () => {
  describe('ranks texts whose appeal is obvious', () => {
    const plea = analyzeElp(PLEA);
    const proof = analyzeElp(PROOF);
    const authority = analyzeElp(AUTHORITY);

    it('gives the emotional plea more pathos than the proof', () => {
      expect(plea.pathos).toBeGreaterThan(proof.pathos);
      expect(plea.pathos).toBeGreaterThan(8);
    });

    it('gives the proof more logos than the plea', () => {
      expect(proof.logos).toBeGreaterThan(plea.logos);
      expect(proof.logos).toBeGreaterThan(8);
    });

    it('gives the authority/obligation text more ethos than the plea (and than the proof)', () => {
      expect(authority.ethos).toBeGreaterThan(plea.ethos);
      expect(authority.ethos).toBeGreaterThan(proof.ethos);
      expect(authority.ethos).toBeGreaterThan(8);
    });

    it('places each on the flux side of its dominant appeal', () => {
      expect([5, 6]).toContain(plea.flux_position);
      expect([8, 9]).toContain(proof.flux_position);
      expect([1, 3]).toContain(authority.flux_position);
    });

    it('lowers ethos below neutral for hedged, unsure text', () => {
      expect(analyzeElp(HEDGED).ethos).toBeLessThan(5);
    });

    it('keeps plain descriptive prose close to neutral', () => {
      const plain = analyzeElp(PLAIN);
      expect(Math.abs(plain.ethos - 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(plain.logos - 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(plain.pathos - 5)).toBeLessThanOrEqual(1);
      expect(plain.flux_position).toBe(4);
    });
  });

  describe('edge inputs', () => {
    it.each([
      ['empty', ''],
      ['whitespace only', ' \n\t  \r\n '],
    ])('returns the neutral result for %s text', (_name, text) => {
      expect(analyzeElp(text)).toEqual({ ethos: 5, logos: 5, pathos: 5, flux_position: 4, confidence: 0 });
    });

    it('treats a code block with no prose as neutral with zero confidence', () => {
      const code = '```ts\n// therefore we must, I beg you!!! love hate\nconst x = a > b ? 1 : 2;\n```\n';
      expect(analyzeElp(code)).toEqual({ ethos: 5, logos: 5, pathos: 5, flux_position: 4, confidence: 0 });
    });

    it('does not let fenced code skew the prose around it', () => {
      const prose = 'Here is the fix for the loader.\n\nIt reads the file once and caches it.\n';
      const withCode = `Here is the fix for the loader.\n\n~~~js\nthrow new Error('terrible awful disaster!!! must must must therefore')\n~~~\n\nIt reads the file once and caches it.\n`;
      const a = analyzeElp(prose);
      const b = analyzeElp(withCode);
      expect([b.ethos, b.logos, b.pathos]).toEqual([a.ethos, a.logos, a.pathos]);
    });

    it.each([
      ['one word', 'Therefore'],
      ['emoji', '😀😀😀 ❤️ 🎉 👍🏽'],
      ['CJK', '这是一个测试。我们需要分析这段文字，因此必须仔细阅读。'],
      ['mixed scripts', 'Ünïcödé тест 日本語のテキスト 😀 café'],
      ['markdown reply', MARKDOWN_REPLY],
      ['punctuation only', '!!! ??? ... --- *** ### >>> <<<'],
      ['lone surrogate', '\uD83D therefore \uDE00'],
      ['unterminated fence', 'Some prose.\n```\nconst never = closed;'],
    ])('stays in range for %s', (_name, text) => {
      expectWellFormed(analyzeElp(text));
    });

    it('stays in range for a 10 KB text', () => {
      let text = '';
      while (text.length < 10 * 1024) text += `${PLEA}\n\n${PROOF}\n\n${AUTHORITY}\n\n${MARKDOWN_REPLY}\n`;
      expectWellFormed(analyzeElp(text));
    });

    it('stays in range for 10 KB of one repeated word with no spaces', () => {
      expectWellFormed(analyzeElp('love'.repeat(2560)));
      expectWellFormed(analyzeElp('love '.repeat(2048)));
    });

    it('stays in range for random inputs', () => {
      const random = lcg(20240601);
      for (let i = 0; i < 300; i++) {
        expectWellFormed(analyzeElp(randomText(random, 1 + Math.floor(random() * 120))));
      }
    });
  });

  describe('confidence', () => {
    it('is higher for more text of the same kind', () => {
      const once = analyzeElp(PROOF);
      const thrice = analyzeElp(`${PROOF} ${PROOF} ${PROOF}`);
      expect(thrice.confidence).toBeGreaterThan(once.confidence);
    });

    it('is higher when one appeal clearly dominates than for neutral text of similar length', () => {
      expect(analyzeElp(PROOF).confidence).toBeGreaterThan(analyzeElp(PLAIN).confidence);
    });
  });

  it('is deterministic', () => {
    for (const text of [PLEA, PROOF, AUTHORITY, MARKDOWN_REPLY]) {
      expect(analyzeElp(text)).toEqual(analyzeElp(text));
    }
  });
});
