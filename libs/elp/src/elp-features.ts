import Sentiment from 'sentiment';
import { AUTHORITY_ACRONYMS, ETHOS_AGAINST, ETHOS_SUPPORT } from './lexicons/ethos-markers.js';
import { LOGOS_AGAINST, LOGOS_SUPPORT } from './lexicons/logos-markers.js';
import { PATHOS_MARKERS, TECHNICAL_REGISTER_DAMPING } from './lexicons/pathos-markers.js';
import { compileLexicon, matchLexicon } from './lexicons/phrase-lexicon.js';
import type { ProseSegment } from './prose-segmenter.js';
import { tokenize } from './tokenize.js';

/**
 * Raw evidence for each dimension, in marker units. Every field is a plain sum over
 * segments, which is what lets the analysis run incrementally.
 */
export interface ElpFeatures {
  words: number;
  ethos: number;
  ethosAgainst: number;
  logos: number;
  logosAgainst: number;
  pathos: number;
}

export function emptyFeatures(): ElpFeatures {
  return { words: 0, ethos: 0, ethosAgainst: 0, logos: 0, logosAgainst: 0, pathos: 0 };
}

export function addFeatures(into: ElpFeatures, more: ElpFeatures): void {
  into.words += more.words;
  into.ethos += more.ethos;
  into.ethosAgainst += more.ethosAgainst;
  into.logos += more.logos;
  into.logosAgainst += more.logosAgainst;
  into.pathos += more.pathos;
}

const ethosSupport = compileLexicon(ETHOS_SUPPORT);
const ethosAgainst = compileLexicon(ETHOS_AGAINST);
const logosSupport = compileLexicon(LOGOS_SUPPORT);
const logosAgainst = compileLexicon(LOGOS_AGAINST);
const pathosMarkers = compileLexicon(PATHOS_MARKERS);
const afinn = new Sentiment();

// Markdown structure: numbered steps and tables organise an argument; a blockquote
// quotes someone else's words.
const HEADING = /^ {0,3}#{1,6}\s+/;
const ORDERED_ITEM = /^\s*\d{1,3}[.)]\s+/;
const BULLET_ITEM = /^\s*[-*+]\s+/;
const BLOCKQUOTE = /^\s*(?:>\s?)+/;
const TABLE_ROW = /^\s*\|.*[\p{L}\p{N}]/u;

const INLINE_CODE = /`+[^`]*`+/g;
const HTML_TAG = /<\/?[A-Za-z][^<>]*>/g;
const IMAGE = /!\[([^\]]*)\]\([^)]*\)/g;
const WEB_LINK = /\[([^\]]+)\]\(\s*<?https?:\/\/[^)]*\)/g;
const OTHER_LINK = /\[([^\]]+)\]\([^)]*\)/g;
const BARE_URL = /\bhttps?:\/\/[^\s<>()[\]]+/g;
const FOOTNOTE_REF = /\[\^?\d{1,3}\]/g;
const AUTHOR_YEAR = /\(\s*\p{Lu}[\p{L}'-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+\p{Lu}[\p{L}'-]+)?,?\s+(?:19|20)\d{2}[a-z]?\s*\)/gu;
const OPERATOR = /=>|->|<=|>=|!=|==|[<>=≠≈≤≥⇒⇔→∴∵]/g;
// Every alternative of OPERATOR holds one of these.
const OPERATOR_CHAR = /[<>=≠≈≤≥⇒⇔→∴∵]/;
const EXCLAMATION_RUN = /[!！]+/g;
const ELLIPSIS = /…|\.{3}/g;
const PERCENT = /%/g;

const WEIGHT = {
  heading: 0.3,
  orderedItem: 0.5,
  bulletItem: 0.15,
  tableRow: 0.2,
  blockquote: 0.5,
  webCitation: 0.8,
  footnote: 1.0,
  authorYear: 1.0,
  year: 0.4,
  acronym: 0.8,
  operator: 0.5,
  number: 0.25,
  percent: 0.3,
  exclamation: 0.5,
  ellipsis: 0.3,
  emoji: 0.3,
} as const;

// AFINN rates words from -5 to +5; a |3| word ("heartbroken", "love") counts as one marker.
const AFINN_POINTS_PER_MARKER = 3;
// "!!!!!" is not five times as emotional as "!".
const MAX_EXCLAMATIONS_PER_RUN = 3;

export function segmentFeatures(segment: ProseSegment): ElpFeatures {
  const features = emptyFeatures();
  let text = segment.text;

  if (segment.lineStart) {
    text = stripLineMarker(text, features);
  }

  // Each pattern needs a character that most sentences lack: a pattern whose character is absent
  // cannot match, and skipping it saves the regex call (a generator analyses every word it streams).
  if (text.includes('`')) text = text.replace(INLINE_CODE, ' ');
  if (text.includes('<')) text = text.replace(HTML_TAG, ' ');
  if (text.includes('[')) {
    text = text.replace(IMAGE, '$1');
    text = text.replace(WEB_LINK, (_all, label: string) => {
      features.ethos += WEIGHT.webCitation;
      return ` ${label} `;
    });
    text = text.replace(OTHER_LINK, '$1');
  }
  if (text.includes('://')) {
    text = text.replace(BARE_URL, () => {
      features.ethos += WEIGHT.webCitation;
      return ' ';
    });
  }
  if (text.includes('[')) {
    text = text.replace(FOOTNOTE_REF, () => {
      features.ethos += WEIGHT.footnote;
      return ' ';
    });
  }
  if (text.includes('(')) features.ethos += countMatches(text, AUTHOR_YEAR) * WEIGHT.authorYear;

  if (OPERATOR_CHAR.test(text)) {
    text = text.replace(OPERATOR, () => {
      features.logos += WEIGHT.operator;
      return ' ';
    });
  }
  if (text.includes('%')) features.logos += countMatches(text, PERCENT) * WEIGHT.percent;
  if (text.includes('!') || text.includes('！')) {
    features.pathos += sumOverMatches(text, EXCLAMATION_RUN, (run) => Math.min(run.length, MAX_EXCLAMATIONS_PER_RUN)) * WEIGHT.exclamation;
  }
  if (text.includes('…') || text.includes('...')) features.pathos += countMatches(text, ELLIPSIS) * WEIGHT.ellipsis;

  addTokenFeatures(text, features);
  return features;
}

function stripLineMarker(text: string, features: ElpFeatures): string {
  let match = HEADING.exec(text);
  if (match !== null) {
    features.logos += WEIGHT.heading;
    return text.slice(match[0].length);
  }
  match = ORDERED_ITEM.exec(text);
  if (match !== null) {
    features.logos += WEIGHT.orderedItem;
    return text.slice(match[0].length);
  }
  match = BULLET_ITEM.exec(text);
  if (match !== null) {
    features.logos += WEIGHT.bulletItem;
    return text.slice(match[0].length);
  }
  match = BLOCKQUOTE.exec(text);
  if (match !== null) {
    features.ethos += WEIGHT.blockquote;
    return text.slice(match[0].length);
  }
  if (TABLE_ROW.test(text)) features.logos += WEIGHT.tableRow;
  return text;
}

function addTokenFeatures(text: string, features: ElpFeatures): void {
  const tokens = tokenize(text);
  if (tokens.length === 0) return;

  const keys: string[] = [];
  const afinnWords: string[] = [];
  for (const token of tokens) {
    features.words += token.words;
    keys.push(token.key);
    switch (token.kind) {
      case 'number':
        if (isYear(token.raw)) features.ethos += WEIGHT.year;
        else features.logos += WEIGHT.number;
        break;
      case 'emoji':
        features.pathos += WEIGHT.emoji;
        afinnWords.push(token.key);
        break;
      case 'word':
        if (AUTHORITY_ACRONYMS.has(token.raw)) features.ethos += WEIGHT.acronym;
        afinnWords.push(token.key);
        break;
      case 'cjk':
        break;
    }
  }

  features.ethos += matchLexicon(keys, ethosSupport);
  features.ethosAgainst += matchLexicon(keys, ethosAgainst);
  features.logos += matchLexicon(keys, logosSupport);
  features.logosAgainst += matchLexicon(keys, logosAgainst);
  features.pathos += matchLexicon(keys, pathosMarkers);
  if (afinnWords.length > 0) features.pathos += emotionalIntensity(afinnWords);
}

/**
 * Pathos is about intensity, not polarity: grief and delight both move the reader, so
 * the absolute AFINN values are summed (negation flips a sign, not the intensity).
 * Summed last word first, as the package lists its calculation, so the total is the same to the bit.
 */
function emotionalIntensity(words: readonly string[]): number {
  let points = 0;
  for (let i = words.length - 1; i >= 0; i--) points += wordIntensity(words[i]!);
  return points / AFINN_POINTS_PER_MARKER;
}

/** Words seen, with their damped AFINN weight (0 for most): bounded, a reply's vocabulary repeats. */
const intensityOf = new Map<string, number>();
const MAX_REMEMBERED_WORDS = 50_000;

/**
 * One word's damped AFINN weight, from the package itself: a lone word has no negator before it,
 * so its score is its AFINN value. Tokens are already clean (lower case, no spaces or
 * punctuation), so the package reads each the same alone as within the joined sentence.
 */
function wordIntensity(word: string): number {
  let weight = intensityOf.get(word);
  if (weight === undefined) {
    weight = Math.abs(afinn.analyze(word).score) * (TECHNICAL_REGISTER_DAMPING.get(word) ?? 1);
    if (intensityOf.size >= MAX_REMEMBERED_WORDS) intensityOf.clear();
    intensityOf.set(word, weight);
  }
  return weight;
}

function isYear(digits: string): boolean {
  if (digits.length !== 4) return false;
  const year = Number(digits);
  return year >= 1900 && year <= 2099;
}

/** Sums `value` over the matches of a global regex, on the regex itself (not `matchAll`: see tokenize.ts). */
function sumOverMatches(text: string, pattern: RegExp, value: (match: string) => number): number {
  let sum = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) sum += value(match[0]);
  return sum;
}

function countMatches(text: string, pattern: RegExp): number {
  return sumOverMatches(text, pattern, () => 1);
}
