import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Kysely } from 'kysely';
import type { HistoryDatabase } from '../database/tables.js';
import { addDocuments, newDocument } from './kb-documents.js';

/** One Markdown file of the shipped knowledge base (KB_DIR): its path relative to it, with `/`. */
export interface ShippedArticle {
  path: string;
  content: string;
}

/**
 * The articles of `kbDir`, sorted by path. A missing folder or an unreadable file is reported to
 * `warn` and left out: history then starts with fewer articles (or none) rather than not at all.
 */
export async function readShippedArticles(kbDir: string, warn: (message: string) => void): Promise<ShippedArticle[]> {
  let paths: string[] = [];
  try {
    paths = await markdownFiles(kbDir);
  } catch (err) {
    warn(`knowledge base folder (KB_DIR) "${kbDir}" not loaded: ${(err as Error).message}`);
  }
  const articles: ShippedArticle[] = [];
  for (const path of paths) {
    try {
      articles.push({ path, content: await readFile(join(kbDir, ...path.split('/')), 'utf8') });
    } catch (err) {
      warn(`knowledge base article ${path} not loaded: ${(err as Error).message}`);
    }
  }
  return articles;
}

/** Loads the shipped articles for text search only (no embeddings) and marks them loaded; the new version. */
export async function seedWithoutEmbeddings(db: Kysely<HistoryDatabase>, kbDir: string, warn: (message: string) => void): Promise<number> {
  const documents = (await readShippedArticles(kbDir, warn))
    .map((a) => newDocument(randomUUID(), a.path, a.content, 'markdown', undefined, null))
    .filter((d) => d.article.sections.length > 0);
  return addDocuments(db, documents, { seeded: true });
}

/** Every `*.md` file under `dir`, relative paths with `/`; hidden folders skipped. Sorted by code point. */
async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.md'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').some((part) => part.startsWith('.')))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
