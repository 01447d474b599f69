import { parseBlocks, type MarkdownBlock } from './markdown-blocks.js';

/**
 * One retrieval unit: the part of an article under one `##` heading (or the article's
 * introduction, before the first heading). Sections rather than whole articles are indexed so
 * that a question about Redis lands on the "Redis" part of a long configuration page.
 */
export interface KbSection {
  /** Article title (its `# ` line). */
  title: string;
  /** The `##` heading; empty for the introduction. */
  heading: string;
  /** `path/of/article.md` or `path/of/article.md#anchor`, the reply's source reference. */
  ref: string;
  /** The section's Markdown without its heading line. */
  body: string;
  blocks: MarkdownBlock[];
}

export interface KbArticle {
  /** Path relative to the knowledge base, with `/` separators. */
  path: string;
  title: string;
  sections: KbSection[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const TITLE = /^#\s+(.+?)\s*#*\s*$/;
const HEADING = /^##\s+(.+?)\s*#*\s*$/;

/** GitHub-style anchor of a heading ("Resume & cancel" → `resume--cancel`), as Markdown viewers link it. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** A readable title for a file without a `# ` line: `rate-limiting.md` → "Rate limiting". */
function titleFromPath(path: string): string {
  const name = (path.split('/').pop() ?? path).replace(/\.md$/i, '').replace(/[-_]+/g, ' ').trim();
  return name === '' ? path : name[0].toUpperCase() + name.slice(1);
}

/**
 * Parses one article. Headings inside code fences are code, not sections; duplicate headings
 * get `-1`, `-2` suffixes as on GitHub so every reference stays unique.
 */
export function parseArticle(path: string, markdown: string): KbArticle {
  const lines = markdown.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  let title: string | undefined;
  const parts: { heading: string; lines: string[] }[] = [{ heading: '', lines: [] }];
  let fence: string | undefined;
  for (const line of lines) {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1];
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
    }
    const outside = fence === undefined && !fenceMatch;
    const titleMatch = outside && title === undefined ? TITLE.exec(line) : null;
    const headingMatch = outside ? HEADING.exec(line) : null;
    if (titleMatch) title = titleMatch[1];
    else if (headingMatch) parts.push({ heading: headingMatch[1], lines: [] });
    else parts[parts.length - 1].lines.push(line);
  }

  const articleTitle = title ?? titleFromPath(path);
  const usedAnchors = new Map<string, number>();
  const sections: KbSection[] = [];
  let listId = 0;
  for (const part of parts) {
    const body = part.lines.join('\n').trim();
    const blocks = parseBlocks(body, listId);
    for (const b of blocks) listId = Math.max(listId, b.listId ?? 0);
    let ref = path;
    if (part.heading !== '') {
      const base = anchorOf(part.heading);
      const seen = usedAnchors.get(base) ?? 0;
      usedAnchors.set(base, seen + 1);
      ref = `${path}#${seen === 0 ? base : `${base}-${seen}`}`;
    }
    if (blocks.length > 0) sections.push({ title: articleTitle, heading: part.heading, ref, body, blocks });
  }
  return { path, title: articleTitle, sections };
}
