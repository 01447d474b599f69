import { describe, expect, it } from '@jest/globals';
import { anchorOf, parseArticle } from './kb-section.js';

const ARTICLE = `# Streaming API

Replies stream over SSE.

## Resuming a stream

Send \`Last-Event-ID\`.

\`\`\`bash
# not a title
## not a heading either
curl -N http://localhost:7000
\`\`\`

## Limits

One stream per session.

## Limits

Second section with the same heading.
`;

describe('parseArticle', () => {
  it('splits an article into its introduction and one section per ## heading', () => {
    const article = parseArticle('product/streaming-api.md', ARTICLE);
    expect(article.title).toBe('Streaming API');
    expect(article.sections.map((s) => [s.heading, s.ref])).toEqual([
      ['', 'product/streaming-api.md'],
      ['Resuming a stream', 'product/streaming-api.md#resuming-a-stream'],
      ['Limits', 'product/streaming-api.md#limits'],
      ['Limits', 'product/streaming-api.md#limits-1'],
    ]);
    expect(article.sections.every((s) => s.title === 'Streaming API')).toBe(true);
  });

  it('treats # lines inside a code fence as code', () => {
    const resuming = parseArticle('a.md', ARTICLE).sections[1];
    expect(resuming.blocks.map((b) => b.kind)).toEqual(['paragraph', 'code']);
    expect(resuming.blocks[1].text).toContain('## not a heading either');
  });

  it('names an article without a title after its file', () => {
    const article = parseArticle('general/rate-limiting.md', 'Just text.\r\n\r\n## Token bucket\r\nRefills.');
    expect(article.title).toBe('Rate limiting');
    expect(article.sections.map((s) => s.heading)).toEqual(['', 'Token bucket']);
  });

  it('makes GitHub-style anchors, keeping non-ASCII letters', () => {
    expect(anchorOf('Pathos — the audience’s emotions')).toBe('pathos--the-audiences-emotions');
    expect(anchorOf('The 0–13 scale')).toBe('the-013-scale');
    expect(anchorOf('Café crème')).toBe('café-crème');
  });
});
