import { scanPii } from './pii-scanner.js';
import { applyRedactions } from './redact-pii.js';
import type { PiiFinding, PiiKind } from './pii-types.js';

/**
 * Redacts a text that arrives in pieces (a provider's token stream) before it reaches the word
 * chunker. The concatenation of everything `push` and `flush` return is exactly
 * `redactPii(wholeText, kinds).text`, whatever the pieces, because both run the same scan; text
 * is released segment by segment (a sentence or a line, at most about 1 KB), so the stream keeps
 * moving while nothing that could still turn out to be PII is released early. A private-key block
 * is held until its END marker (at most about 8 KB).
 */
export class PiiStreamRedactor {
  private pending = '';
  private offset = 0;
  private readonly redacted: PiiFinding[] = [];

  constructor(private readonly kinds?: ReadonlySet<PiiKind>) {}

  /** Adds a piece; returns the redacted text that is now safe to release (often empty). */
  push(piece: string): string {
    this.pending += piece;
    return this.drain(false);
  }

  /** Ends the text; returns the rest, redacted. */
  flush(): string {
    return this.drain(true);
  }

  /** What was redacted so far, with offsets into the whole original text. */
  get findings(): readonly PiiFinding[] {
    return this.redacted;
  }

  private drain(final: boolean): string {
    const local: PiiFinding[] = [];
    const consumed = scanPii(this.pending, final, (finding) => {
      if (!this.kinds || this.kinds.has(finding.kind)) local.push(finding);
    });
    if (consumed === 0) return '';
    const out = applyRedactions(this.pending.slice(0, consumed), local);
    for (const finding of local) this.redacted.push({ kind: finding.kind, start: finding.start + this.offset, end: finding.end + this.offset });
    this.pending = this.pending.slice(consumed);
    this.offset += consumed;
    return out;
  }
}
