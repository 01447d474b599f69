import type { Source } from '@app/contracts';
import { sentencesOf, type MarkdownBlock, termsOf, wordCount, type KbSection } from '@app/knowledge';
import type { RetrievalQuery } from './retrieval-query.js';

/** The answer as pieces to stream (their concatenation is the reply) and where it came from. */
export interface Answer {
  pieces: string[];
  sources: Source[];
}

/** Words of quoted material (lead and source lines aside); keeps a reply near 80–200 words. */
const MAX_BODY_WORDS = 170;
/** Once this much is quoted, further sections would dilute rather than help. */
const ENOUGH_WORDS = 90;
/** Less room than this is not worth opening another section for. */
const MIN_SECTION_ROOM = 25;
const MAX_SECTIONS = 3;

/** A quotable piece: a block, or one sentence of a paragraph too long to quote whole. */
interface Unit {
  text: string;
  words: number;
  terms: ReadonlySet<string>;
  kind: MarkdownBlock['kind'];
  /** Block position in its section; sentences of one paragraph share it. */
  block: number;
  /** Position of a sentence inside its paragraph (0 for whole blocks). */
  part: number;
  listId?: number;
}

function normalizeSpace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

function relevance(unit: Unit, query: RetrievalQuery): number {
  let score = 0;
  for (const term of unit.terms) score += query.weights.get(term) ?? 0;
  return score;
}

function sentenceUnits(paragraph: string, index: number): Unit[] {
  return sentencesOf(paragraph).map((text, part) => ({
    text,
    words: wordCount(text),
    terms: new Set(termsOf(text)),
    kind: 'paragraph' as const,
    block: index,
    part,
  }));
}

/**
 * The section's blocks as units, minus what the previous reply of a follow-up already said
 * ("tell me more" should say more, not the same again). A paragraph that was partly said is
 * reduced to its unsaid sentences.
 */
function freshUnits(section: KbSection, said: string): Unit[] {
  const units: Unit[] = [];
  section.blocks.forEach((block, index) => {
    const whole: Unit = { ...block, block: index, part: 0 };
    if (said === '' || !said.includes(normalizeSpace(block.text))) {
      if (said !== '' && block.kind === 'paragraph') {
        const sentences = sentenceUnits(block.text, index);
        const unsaid = sentences.filter((s) => !said.includes(normalizeSpace(s.text)));
        units.push(...(unsaid.length === sentences.length ? [whole] : unsaid));
      } else {
        units.push(whole);
      }
    }
  });
  return units;
}

/** The first words of an over-long sentence, marked as cut. */
function truncated(unit: Unit, words: number): Unit {
  const text = unit.text.split(/\s+/u).slice(0, Math.max(words, 1)).join(' ') + ' …';
  return { ...unit, text, words: wordCount(text) };
}

/**
 * Picks what to quote from one section within `room` words: everything when it fits, else the
 * units that share most with the question. The best section's code block always goes in whole,
 * since a command or snippet is usually the point of the question.
 */
function selectUnits(section: KbSection, query: RetrievalQuery, room: number, isBest: boolean): Unit[] {
  const units = freshUnits(section, normalizeSpace(query.alreadySaid));
  const total = units.reduce((sum, u) => sum + u.words, 0);
  if (total <= room) return units;

  const priority = (u: Unit) => (isBest && u.kind === 'code' ? Number.MAX_SAFE_INTEGER : relevance(u, query));
  const ranked = units
    .map((unit, position) => ({ unit, position, priority: priority(unit) }))
    .sort((a, b) => b.priority - a.priority || a.position - b.position);
  const chosen: Unit[] = [];
  let used = 0;
  for (const { unit } of ranked) {
    if (used + unit.words <= room || (isBest && unit.kind === 'code' && chosen.length === 0)) {
      chosen.push(unit);
      used += unit.words;
      continue;
    }
    if (unit.kind !== 'paragraph' || unit.part !== 0) continue;
    // A paragraph that does not fit whole may still lend its best sentences.
    const sentences = sentenceUnits(unit.text, unit.block)
      .map((s, position) => ({ s, position, score: relevance(s, query) }))
      .sort((a, b) => b.score - a.score || a.position - b.position);
    for (const { s } of sentences) {
      if (used + s.words <= room) {
        chosen.push(s);
        used += s.words;
      } else if (chosen.length === 0) {
        chosen.push(truncated(s, room));
        used = room;
      }
    }
  }
  return chosen.sort((a, b) => a.block - b.block || a.part - b.part);
}

/** Joins units into Markdown: sentences of a paragraph by a space, items of a list by a line. */
function renderUnits(units: Unit[]): string[] {
  const groups: string[] = [];
  let previous: Unit | undefined;
  for (const unit of units) {
    if (previous && unit.kind === 'paragraph' && previous.kind === 'paragraph' && previous.block === unit.block) {
      groups[groups.length - 1] += ` ${unit.text}`;
    } else if (previous && unit.kind === 'item' && previous.kind === 'item' && previous.listId === unit.listId) {
      groups[groups.length - 1] += `\n${unit.text}`;
    } else {
      groups.push(unit.text);
    }
    previous = unit;
  }
  return groups;
}

function label(section: KbSection): string {
  return section.heading === '' ? `**${section.title}**` : `**${section.title}** (“${section.heading}”)`;
}

function leadFor(section: KbSection, query: RetrievalQuery, first: boolean, fromPassage: boolean): string {
  if (fromPassage) return first ? 'From the context you provided:' : 'Also from the context you provided:';
  if (!first) return `Also relevant, from ${label(section)}:`;
  return query.followUp ? `More on this from ${label(section)}:` : `Here is what the knowledge base says in ${label(section)}:`;
}

/**
 * Builds an extractive answer from ranked sections: a lead line, the quoted material of up to
 * three sections, and a `Sources:` line naming the articles. Returns null when every candidate
 * section was already said in full, so the caller can fall back.
 */
export function composeAnswer(
  sections: readonly KbSection[],
  query: RetrievalQuery,
  isPassage: (section: KbSection) => boolean,
): Answer | null {
  const pieces: string[] = [];
  const sources: Source[] = [];
  const titles: string[] = [];
  let used = 0;
  for (const section of sections) {
    if (sources.length >= MAX_SECTIONS || used >= ENOUGH_WORDS || MAX_BODY_WORDS - used < MIN_SECTION_ROOM) break;
    const units = selectUnits(section, query, MAX_BODY_WORDS - used, sources.length === 0);
    if (units.length === 0) continue;
    pieces.push(`${leadFor(section, query, sources.length === 0, isPassage(section))}\n\n`);
    for (const group of renderUnits(units)) pieces.push(`${group}\n\n`);
    used += units.reduce((sum, u) => sum + u.words, 0);
    sources.push({ title: section.title, ref: section.ref });
    if (!titles.includes(section.title)) titles.push(section.title);
  }
  if (sources.length === 0) return null;
  pieces.push(`Sources: ${titles.join('; ')}`);
  return { pieces, sources };
}
