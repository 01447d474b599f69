import { wordCharAt, wordCharBefore } from './char-classes.js';
import { forEachMatch } from '../for-each-match.js';
import type { PiiFinding } from './pii-types.js';

// Only the dashed 3-2-4 shape: undashed nine-digit runs are far more often something else.
// The lookarounds keep it from matching a piece of a longer dashed number (`555-123-45-6789`);
// they are ASCII for speed, and the code checks letters of other scripts.
const SSN = /(?<![A-Za-z0-9_]|\d-)(\d{3})-(\d{2})-(\d{4})(?![A-Za-z0-9_]|-\d)/g;

/** Numbers the SSA never issues: area 000, 666 or 900-999, group 00, serial 0000. */
function isIssuable(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

export function findSsns(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  forEachMatch(SSN, text, (match) => {
    const [whole, area = '', group = '', serial = ''] = match;
    const end = match.index + whole.length;
    if (wordCharBefore(text, match.index) || wordCharAt(text, end)) return;
    if (isIssuable(area, group, serial)) found.push({ kind: 'ssn', start: match.index, end });
  });
  return found;
}
