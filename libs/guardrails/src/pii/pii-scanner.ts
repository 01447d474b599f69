import { findCreditCards } from './credit-card.js';
import { findEmails } from './email.js';
import { findIbans } from './iban.js';
import { findIpAddresses } from './ip-address.js';
import { findPhones } from './phone.js';
import type { PiiFinding } from './pii-types.js';
import { incompleteMarkerStart, PRIVATE_KEY_BEGIN, privateKeyBlockEnd } from './private-key.js';
import { resolveOverlaps } from './resolve-overlaps.js';
import { findSecrets } from './secret.js';
import { segmentEnd } from './segments.js';
import { findSsns } from './ssn.js';

const HAS_DIGIT = /\d/;

/** All single-line detectors on one segment, overlaps resolved. Offsets are into `segment`. */
function detectInSegment(segment: string): PiiFinding[] {
  // Every kind but e-mail and keyword secrets needs a digit; most prose segments have none.
  const candidates = HAS_DIGIT.test(segment)
    ? [
        ...findSecrets(segment),
        ...findIbans(segment),
        ...findCreditCards(segment),
        ...findEmails(segment),
        ...findSsns(segment),
        ...findIpAddresses(segment),
        ...findPhones(segment),
      ]
    : [...findSecrets(segment), ...findEmails(segment)];
  return candidates.length <= 1 ? candidates : resolveOverlaps(candidates);
}

/**
 * The one walk over a text that both whole-text detection and the streaming redactor use, so
 * they cannot disagree. Reports findings in order and returns how far it got: all of `text` when
 * `final`, otherwise up to the last point that no later text can change: the end of the last
 * complete segment, before any private-key marker that may still be arriving.
 */
export function scanPii(text: string, final: boolean, report: (finding: PiiFinding) => void): number {
  let cursor = 0;
  while (cursor < text.length) {
    PRIVATE_KEY_BEGIN.lastIndex = cursor;
    const marker = PRIVATE_KEY_BEGIN.exec(text);
    const gapEnd = marker ? marker.index : final ? text.length : incompleteMarkerStart(text, cursor);
    while (cursor < gapEnd) {
      const end = segmentEnd(text, cursor, gapEnd, final || marker !== null);
      if (end === undefined) return cursor;
      for (const finding of detectInSegment(text.slice(cursor, end))) {
        report({ kind: finding.kind, start: finding.start + cursor, end: finding.end + cursor });
      }
      cursor = end;
    }
    if (!marker) return cursor;
    const blockEnd = privateKeyBlockEnd(text, marker.index + marker[0].length, final);
    if (blockEnd === undefined) return cursor;
    report({ kind: 'secret', start: marker.index, end: blockEnd });
    cursor = blockEnd;
  }
  return cursor;
}
