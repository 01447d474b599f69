import { wordCount } from '@app/knowledge';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KnowledgeBase } from './knowledge-base.js';

const KB_DIR = fileURLToPath(new URL('../../../../../kb/', import.meta.url));

/** The shipped articles are part of the product: these are the rules they are written to. */
describe('shipped knowledge base', () => {
  let kb: KnowledgeBase;
  const sources = new Map<string, string>();

  beforeAll(async () => {
    kb = await KnowledgeBase.load(KB_DIR);
    for (const article of kb.articles) sources.set(article.path, await readFile(`${KB_DIR}/${article.path}`, 'utf8'));
  });

  it('covers the product and general topics', () => {
    const paths = kb.articles.map((a) => a.path);
    expect(paths.filter((p) => p.startsWith('product/')).length).toBeGreaterThanOrEqual(10);
    expect(paths.filter((p) => p.startsWith('general/')).length).toBeGreaterThanOrEqual(12);
  });

  it('gives every article a # title, ## sections and 150–600 words', () => {
    for (const [path, markdown] of sources) {
      expect({ path, title: /^# \S/.test(markdown) }).toEqual({ path, title: true });
      expect({ path, sections: /^## \S/m.test(markdown) }).toEqual({ path, sections: true });
      const words = wordCount(markdown);
      expect({ path, words, inRange: words >= 150 && words <= 600 }).toMatchObject({ path, inRange: true });
    }
  });

  it('has unique titles and unique section references', () => {
    expect(new Set(kb.articles.map((a) => a.title)).size).toBe(kb.articles.length);
    expect(new Set(kb.sections.map((s) => s.ref)).size).toBe(kb.sections.length);
  });

  it('includes code blocks, lists and non-ASCII text, so replies exercise them', () => {
    const all = [...sources.values()].join('\n');
    expect(all).toMatch(/^```\w+\n/m);
    expect(all).toMatch(/^- \S/m);
    expect(all).toMatch(/[’—é]/);
  });
});
