import { parseArticle, type KbArticle, type KbSection } from '@app/knowledge';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RetrievalQuery } from './retrieval-query.js';
import { SectionIndex, type SectionHit } from './section-index.js';

/** Every `*.md` file under `dir`, as paths relative to it with `/` separators. */
async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.md'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').some((part) => part.startsWith('.')));
}

/** Code-point order, not `localeCompare`: the same on every machine whatever its locale. */
function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The Markdown knowledge base, read and indexed once at start-up. Articles are sorted by path,
 * so section numbers, tie-breaks and therefore replies are the same on every load.
 */
export class KnowledgeBase {
  private readonly index: SectionIndex;
  readonly sections: readonly KbSection[];

  constructor(readonly articles: readonly KbArticle[]) {
    this.sections = articles.flatMap((article) => article.sections);
    this.index = new SectionIndex(this.sections);
  }

  /** Reads every `*.md` under `dir` (recursively; hidden folders skipped). Fails if `dir` cannot be read. */
  static async load(dir: string): Promise<KnowledgeBase> {
    let paths: string[];
    try {
      paths = (await markdownFiles(dir)).sort(byPath);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot read the knowledge base directory (KB_DIR) "${dir}": ${reason}`, { cause: error });
    }
    const articles = await Promise.all(
      paths.map(async (path) => parseArticle(path, await readFile(join(dir, ...path.split('/')), 'utf8'))),
    );
    return new KnowledgeBase(articles);
  }

  /** Sections matching the query, best first. */
  find(query: RetrievalQuery): SectionHit[] {
    return this.index.find(query);
  }
}
