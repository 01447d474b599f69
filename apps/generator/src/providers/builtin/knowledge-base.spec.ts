import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeBase } from './knowledge-base.js';

const SHIPPED_KB = fileURLToPath(new URL('../../../../../kb/', import.meta.url));

describe('KnowledgeBase.load', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kb-load-'));
    await mkdir(join(dir, 'b', 'deep'), { recursive: true });
    await mkdir(join(dir, '.hidden'));
    await writeFile(join(dir, 'z.md'), '# Zed\n\nLast by path.');
    await writeFile(join(dir, 'b', 'deep', 'a.md'), '# Deep\n\n## One\n\nx\n\n## Two\n\ny');
    await writeFile(join(dir, 'a.MD'), '# Upper case extension\n\nStill Markdown.');
    await writeFile(join(dir, 'notes.txt'), '# Not an article');
    await writeFile(join(dir, '.hidden', 'secret.md'), '# Hidden');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every Markdown file under the directory, recursively, sorted by path', async () => {
    const kb = await KnowledgeBase.load(dir);
    expect(kb.articles.map((a) => a.path)).toEqual(['a.MD', 'b/deep/a.md', 'z.md']);
    expect(kb.sections.map((s) => s.ref)).toEqual(['a.MD', 'b/deep/a.md#one', 'b/deep/a.md#two', 'z.md']);
  });

  it('fails with a message naming KB_DIR when the directory cannot be read', async () => {
    await expect(KnowledgeBase.load(join(dir, 'missing'))).rejects.toThrow(/KB_DIR/);
  });

  it('loads the shipped knowledge base well under a second', async () => {
    const started = performance.now();
    const kb = await KnowledgeBase.load(SHIPPED_KB);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(kb.articles.length).toBeGreaterThanOrEqual(20);
  });
});
