import { parseBlocks, type KbSection } from '@app/knowledge';

/** How passages from the request's `context` field are named in answers and sources. */
const PROVIDED_CONTEXT_TITLE = 'Provided context';
const REF_PREFIX = 'context#passage-';

/**
 * Client-supplied passages as sections, so they are searched and quoted exactly like articles.
 * Empty passages are skipped but keep their numbering, so `context#passage-3` is the third one sent.
 */
export function passageSections(passages: readonly string[]): KbSection[] {
  const sections: KbSection[] = [];
  passages.forEach((passage, i) => {
    const blocks = parseBlocks(passage);
    if (blocks.length === 0) return;
    sections.push({ title: PROVIDED_CONTEXT_TITLE, heading: '', ref: `${REF_PREFIX}${i + 1}`, body: passage, blocks });
  });
  return sections;
}

export function isPassageSection(section: Pick<KbSection, 'ref'>): boolean {
  return section.ref.startsWith(REF_PREFIX);
}

