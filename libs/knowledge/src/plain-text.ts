import { parseArticle, type KbArticle, type KbSection } from './kb-section.js';
import { parseBlocks } from './markdown-blocks.js';
import { wordCount } from './text-terms.js';

/** What a document's text is written in: Markdown is split at its `##` headings, plain text by length. */
export type DocumentFormat = 'markdown' | 'text';

/** A plain-text section holds whole paragraphs up to about this many words. */
const PLAIN_SECTION_WORDS = 200;

/**
 * Plain text has no headings to split at: consecutive paragraphs are grouped into sections of
 * about PLAIN_SECTION_WORDS words (a paragraph is never cut), named "Part 2", "Part 3"… after
 * the first, so a long text still yields passages small enough to quote or put in a prompt.
 */
function plainTextArticle(path: string, title: string, text: string): KbArticle {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const groups: string[][] = [];
  let words = 0;
  for (const paragraph of paragraphs) {
    const count = wordCount(paragraph);
    if (groups.length === 0 || words + count > PLAIN_SECTION_WORDS) {
      groups.push([]);
      words = 0;
    }
    groups[groups.length - 1].push(paragraph);
    words += count;
  }
  const sections: KbSection[] = groups.map((group, i) => {
    const body = group.join('\n\n');
    const heading = i === 0 ? '' : `Part ${i + 1}`;
    // Plain text is quoted as paragraphs, whatever characters it holds.
    const blocks = group.flatMap((p) => parseBlocks(p).map((b) => ({ ...b, kind: 'paragraph' as const, text: b.text })));
    return { title, heading, ref: i === 0 ? path : `${path}#part-${i + 1}`, body, blocks };
  });
  return { path, title, sections: sections.filter((s) => s.blocks.length > 0) };
}

/**
 * One document of the knowledge base, split into sections (docs/architecture.md "Knowledge
 * base"). `title`, when given, names every section (a Markdown `# ` line otherwise does).
 */
export function chunkDocument(path: string, content: string, format: DocumentFormat, title?: string): KbArticle {
  if (format === 'text') return plainTextArticle(path, title ?? path, content);
  const article = parseArticle(path, content);
  if (title === undefined) return article;
  return { ...article, title, sections: article.sections.map((s) => ({ ...s, title })) };
}
