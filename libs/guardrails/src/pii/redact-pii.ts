import { detectPii } from './detect-pii.js';
import { REDACTION_TOKENS, type PiiFinding, type PiiKind } from './pii-types.js';

/** Replaces each finding (sorted, non-overlapping, offsets into `text`) by its token; every other character is kept. */
export function applyRedactions(text: string, findings: readonly PiiFinding[]): string {
  if (findings.length === 0) return text;
  let out = '';
  let cursor = 0;
  for (const finding of findings) {
    out += text.slice(cursor, finding.start) + REDACTION_TOKENS[finding.kind];
    cursor = finding.end;
  }
  return out + text.slice(cursor);
}

/**
 * Redacts PII of the given kinds (all by default) from a whole text, deterministically. Returns
 * the redacted text and the findings that were redacted, with offsets into the original `text`.
 * Detection always considers every kind, so restricting `kinds` never lets a weaker pattern
 * claim part of a stronger one (a card number is not redacted as a phone).
 */
export function redactPii(text: string, kinds?: ReadonlySet<PiiKind>): { text: string; findings: PiiFinding[] } {
  const findings = detectPii(text).filter((finding) => !kinds || kinds.has(finding.kind));
  return { text: applyRedactions(text, findings), findings };
}
