/** A piece of Markdown prose (never code-fence content), at most one sentence or line. */
export interface ProseSegment {
  readonly text: string;
  /** True when the segment begins a line, so list, heading and quote markers apply. */
  readonly lineStart: boolean;
}

type LineKind = 'undecided' | 'prose' | 'fence-open' | 'code';

interface Fence {
  readonly char: string;
  readonly length: number;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t\r]*$/;
// A line that could still turn into a fence once more characters stream in.
const FENCE_PREFIX = /^ {0,3}(?:`{0,2}|~{0,2})$/;
// Run-on text with no sentence end is cut at the next space past this length, so the
// tail re-read by every snapshot stays bounded.
const MAX_SEGMENT_CHARS = 400;
// Text without any spaces (a long URL, unpunctuated CJK) is cut hard further on.
const HARD_SEGMENT_CHARS = 1600;

/**
 * Splits streamed Markdown into prose segments and drops fenced code.
 *
 * Cut points depend only on the text itself, never on how it was chunked, so summing
 * per-segment features gives the same totals whether the text arrives whole or word by
 * word. Cutting at sentence ends (not only at newlines) keeps the uncommitted tail short
 * even when a whole paragraph streams as one line.
 */
export class ProseSegmenter {
  private pending = '';
  private scanFrom = 0;
  private lineStart = true;
  private lineKind: LineKind = 'undecided';
  private fence: Fence | null = null;

  push(piece: string, emit: (segment: ProseSegment) => void): void {
    this.pending += piece;
    this.drain(emit);
  }

  /** The uncommitted tail as it would be read if the text ended now; state is unchanged. */
  tail(): ProseSegment | null {
    if (this.pending.length === 0 || this.fence !== null) return null;
    const kind = this.lineKind === 'undecided' ? (FENCE_OPEN.test(this.pending) ? 'fence-open' : 'prose') : this.lineKind;
    return kind === 'prose' ? { text: this.pending, lineStart: this.lineStart } : null;
  }

  private drain(emit: (segment: ProseSegment) => void): void {
    for (;;) {
      if (this.lineKind === 'undecided') {
        this.lineKind = this.classifyLine();
        if (this.lineKind === 'undecided') return;
      }
      if (this.lineKind === 'prose') {
        if (!this.cutProse(emit)) return;
      } else if (!this.skipCodeLine()) {
        return;
      }
    }
  }

  private classifyLine(): LineKind {
    if (this.fence !== null) return 'code';
    if (FENCE_OPEN.test(this.pending)) return 'fence-open';
    return FENCE_PREFIX.test(this.pending) ? 'undecided' : 'prose';
  }

  /** Emits the next segment if its end is already known; false when more text is needed. */
  private cutProse(emit: (segment: ProseSegment) => void): boolean {
    const text = this.pending;
    for (let i = this.scanFrom; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') {
        emit({ text: text.slice(0, i), lineStart: this.lineStart });
        this.startLine(text.slice(i + 1));
        return true;
      }
      if (c === '。' || c === '！' || c === '？') {
        this.continueLine(text, i + 1, emit);
        return true;
      }
      if (c === '.' || c === '!' || c === '?') {
        if (i + 1 === text.length) {
          // Whether this ends a sentence depends on the next character.
          this.scanFrom = i;
          return false;
        }
        const next = text[i + 1];
        // "1. " is a list marker or a number, not the end of a sentence.
        const afterDigit = c === '.' && i > 0 && isDigit(text.charCodeAt(i - 1));
        if ((next === ' ' || next === '\t') && !afterDigit) {
          this.continueLine(text, i + 1, emit);
          return true;
        }
      }
      if (
        (i >= MAX_SEGMENT_CHARS && (c === ' ' || c === '\t')) ||
        (i >= HARD_SEGMENT_CHARS && !isLowSurrogate(text.charCodeAt(i)))
      ) {
        this.continueLine(text, i, emit);
        return true;
      }
    }
    this.scanFrom = text.length;
    return false;
  }

  /** Code lines are only inspected whole, for the closing fence. */
  private skipCodeLine(): boolean {
    const newline = this.pending.indexOf('\n', this.scanFrom);
    if (newline < 0) {
      this.scanFrom = this.pending.length;
      return false;
    }
    const line = this.pending.slice(0, newline);
    if (this.lineKind === 'fence-open') {
      const marker = FENCE_OPEN.exec(line)?.[1] ?? '```';
      this.fence = { char: marker.charAt(0), length: marker.length };
    } else if (this.fence !== null) {
      const marker = FENCE_CLOSE.exec(line)?.[1];
      if (marker !== undefined && marker.charAt(0) === this.fence.char && marker.length >= this.fence.length) {
        this.fence = null;
      }
    }
    this.startLine(this.pending.slice(newline + 1));
    return true;
  }

  private continueLine(text: string, cut: number, emit: (segment: ProseSegment) => void): void {
    emit({ text: text.slice(0, cut), lineStart: this.lineStart });
    this.pending = text.slice(cut);
    this.scanFrom = 0;
    this.lineStart = false;
  }

  private startLine(rest: string): void {
    this.pending = rest;
    this.scanFrom = 0;
    this.lineStart = true;
    this.lineKind = 'undecided';
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Cutting before a low surrogate would split an emoji or rare CJK character in two. */
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
