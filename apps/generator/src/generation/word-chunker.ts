/**
 * Re-chunks text that arrives in pieces of any size into words, each with its trailing whitespace
 * kept exactly (newlines included), so that the concatenation of the chunks is the text itself.
 * Leading whitespace of the whole text is kept on the first word.
 */
export class WordChunker {
  private pending = '';

  /** Returns the words completed by `piece`: those followed by whitespace and then more text. */
  push(piece: string): string[] {
    this.pending += piece;
    const words: string[] = [];
    const pattern = /\s*\S+\s+(?=\S)/y;
    let taken = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(this.pending)) !== null) {
      words.push(match[0]);
      taken = pattern.lastIndex;
    }
    this.pending = this.pending.slice(taken);
    return words;
  }

  /** The rest, at the end of the text. */
  flush(): string[] {
    const rest = this.pending;
    this.pending = '';
    if (rest === '') return [];
    return rest.match(/\s*\S+\s*|\s+/g) ?? [];
  }
}

/** Splits a whole text at once. */
export function splitWords(text: string): string[] {
  const chunker = new WordChunker();
  return [...chunker.push(text), ...chunker.flush()];
}
