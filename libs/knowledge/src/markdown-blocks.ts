import { termsOf, wordCount } from './text-terms.js';

/**
 * The smallest pieces an answer is built from. A code block or a table is one block (it is
 * never cut), each list item is its own block so a long list can be quoted in part, and a
 * paragraph can later be narrowed to sentences.
 */
export interface MarkdownBlock {
  kind: 'paragraph' | 'item' | 'code' | 'table' | 'quote';
  /** The block's Markdown, exactly as written (list items keep their marker). */
  text: string;
  /** Items of one list share this number, so they are printed as one tight list. */
  listId?: number;
  /** Search terms of the block (see text-terms.ts), to rank blocks against a question. */
  terms: ReadonlySet<string>;
  words: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^ {0,8}(?:[-*+]|\d{1,9}[.)])\s+\S/;

function block(kind: MarkdownBlock['kind'], text: string, listId?: number): MarkdownBlock {
  const result: MarkdownBlock = { kind, text, terms: new Set(termsOf(text)), words: wordCount(text) };
  if (listId !== undefined) result.listId = listId;
  return result;
}

/**
 * Splits Markdown into blocks. It covers what the knowledge base uses (paragraphs, lists,
 * fenced code, tables, quotes) and treats anything else as paragraph text, so client-supplied
 * passages of any shape still parse.
 */
export function parseBlocks(markdown: string, firstListId = 0): MarkdownBlock[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: MarkdownBlock[] = [];
  let listId = firstListId;
  let inList = false;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (line.trim() === '') {
      // A blank line ends a list unless the list carries on right after it.
      if (inList && !LIST_ITEM.test(lines[i + 1] ?? '')) inList = false;
      i += 1;
    } else if (fence) {
      const marker = fence[1];
      const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      let end = i + 1;
      while (end < lines.length && !closing.test(lines[end])) end += 1;
      blocks.push(block('code', lines.slice(i, Math.min(end + 1, lines.length)).join('\n')));
      inList = false;
      i = end + 1;
    } else if (line.trimStart().startsWith('|')) {
      const start = i;
      while (i < lines.length && lines[i].trimStart().startsWith('|')) i += 1;
      blocks.push(block('table', lines.slice(start, i).join('\n')));
      inList = false;
    } else if (line.trimStart().startsWith('>')) {
      const start = i;
      while (i < lines.length && lines[i].trimStart().startsWith('>')) i += 1;
      blocks.push(block('quote', lines.slice(start, i).join('\n')));
      inList = false;
    } else if (LIST_ITEM.test(line)) {
      if (!inList) {
        listId += 1;
        inList = true;
      }
      const start = i;
      i += 1;
      // Continuation lines belong to the item until a blank line, a new item or a fence.
      while (i < lines.length && lines[i].trim() !== '' && !LIST_ITEM.test(lines[i]) && !FENCE.test(lines[i])) i += 1;
      blocks.push(block('item', lines.slice(start, i).join('\n'), listId));
    } else {
      const start = i;
      i += 1;
      while (
        i < lines.length &&
        lines[i].trim() !== '' &&
        !FENCE.test(lines[i]) &&
        !LIST_ITEM.test(lines[i]) &&
        !lines[i].trimStart().startsWith('|') &&
        !lines[i].trimStart().startsWith('>')
      ) {
        i += 1;
      }
      blocks.push(block('paragraph', lines.slice(start, i).map((l) => l.trim()).join(' ')));
      inList = false;
    }
  }
  return blocks;
}

/** Sentences of a paragraph, in order, each with its surrounding spaces trimmed. */
export function sentencesOf(paragraph: string): string[] {
  const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  const sentences: string[] = [];
  for (const { segment } of segmenter.segment(paragraph)) {
    const sentence = segment.trim();
    if (sentence !== '') sentences.push(sentence);
  }
  return sentences;
}
