import { forEachMatch } from '../for-each-match.js';
import type { PiiFinding } from './pii-types.js';

// The practical subset of an RFC 5322 dot-atom local part: letters, digits and `_%+-`, with dots
// and apostrophes (`o'brien`) between them. The rarer symbols RFC 5322 allows (`=`, `/`, `{`, a
// leading quote…) are left out: in chat they are the text around an address far more often
// than part of it (`email=ana@…`, `'ana@…'`). Then a DNS host name with at least one dot and an
// alphabetic or punycode top-level label, so `a@b` or `root@localhost` are not addresses. ASCII
// only on purpose: letting `\p{L}` in would glue CJK text written without spaces
// (`联系test@example.com`) onto the address.
const ATOM = '[A-Za-z0-9_%+-]+';
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const TLD = '(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})';
// The lookbehind keeps the engine from starting inside a long run of address characters, which
// would otherwise make a scan over such a run quadratic.
const EMAIL = new RegExp(`(?<![A-Za-z0-9_%+.-])${ATOM}(?:[.']${ATOM})*@(?:${LABEL}\\.)+${TLD}(?![A-Za-z0-9-])`, 'g');

const MAX_LOCAL_LENGTH = 64;
const MAX_ADDRESS_LENGTH = 254;

export function findEmails(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  // Most text has no `@`: the pattern's scan from every position is then skipped.
  if (!text.includes('@')) return found;
  forEachMatch(EMAIL, text, (match) => {
    const address = match[0];
    if (address.length <= MAX_ADDRESS_LENGTH && address.indexOf('@') <= MAX_LOCAL_LENGTH) {
      found.push({ kind: 'email', start: match.index, end: match.index + address.length });
    }
  });
  return found;
}
