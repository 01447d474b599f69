import { wordCharAt, wordCharBefore } from './char-classes.js';
import { forEachMatch } from '../for-each-match.js';
import { passesLuhn } from './luhn.js';
import type { PiiFinding } from './pii-types.js';

// Digit groups joined by single spaces or hyphens. The whole run is taken first and card numbers
// are then looked for inside it group by group, so a card followed by its expiry or CVV
// (`4111 1111 1111 1111 123`) is still found.
const DIGIT_RUN = /\d+(?:[ \u00a0-]\d+)*/g;
const MAX_GROUPS = 12;

/**
 * Issuer prefixes of the major networks (Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37,
 * Diners 30/36/38/39, JCB 35, Discover/UnionPay/Maestro 5x/6x). Cheap, and it turns away most
 * Luhn-valid accidents such as runs of years (`2020 2021 2022 2023`).
 */
function hasKnownIssuerPrefix(digits: string): boolean {
  switch (digits[0]) {
    case '4':
    case '5':
    case '6':
      return true;
    case '3':
      return '045679'.includes(digits[1] ?? '');
    case '2': {
      const prefix = Number(digits.slice(0, 4));
      return prefix >= 2221 && prefix <= 2720;
    }
    default:
      return false;
  }
}

function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && hasKnownIssuerPrefix(digits) && !/^(\d)\1+$/.test(digits) && passesLuhn(digits);
}

/** Printed cards group as 4-4-4-4(-3), 4-6-5 or 4-6-4: first group of 4, the others of 3 to 6. */
function hasCardGrouping(groups: readonly string[]): boolean {
  if (groups.length === 1) return true;
  if (groups[0]?.length !== 4) return false;
  return groups.slice(1).every((group, i, rest) => group.length <= 6 && (group.length >= 3 || i === rest.length - 1));
}

/** A decimal such as `3.4111…` or a version is not a card: a dot and a digit on either side rule it out. */
function gluedToNumber(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 2), start);
  const after = text.slice(end, end + 2);
  return /\d[.,]$/.test(before) || /^[.,]\d/.test(after);
}

export function findCreditCards(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  forEachMatch(DIGIT_RUN, text, (match) => {
    const runStart = match.index;
    const runEnd = runStart + match[0].length;
    if (runEnd - runStart < 13 || wordCharBefore(text, runStart) || wordCharAt(text, runEnd) || gluedToNumber(text, runStart, runEnd)) return;
    const separators = new Set(match[0].match(/[ \u00a0-]/g) ?? []);
    if (separators.size > 1) return; // `4111 1111-1111 1111` is not how anyone writes a card
    const groups = match[0].split(/[ \u00a0-]/);
    if (groups.length > MAX_GROUPS) return;
    const offsets: number[] = [];
    let offset = runStart;
    for (const group of groups) {
      offsets.push(offset);
      offset += group.length + 1;
    }
    // Longest card starting at each group, left to right, never overlapping.
    for (let first = 0; first < groups.length; ) {
      let taken = -1;
      for (let last = groups.length - 1; last >= first && taken < 0; last--) {
        const window = groups.slice(first, last + 1);
        if (hasCardGrouping(window) && isCardNumber(window.join(''))) taken = last;
      }
      if (taken < 0) {
        first += 1;
        continue;
      }
      const start = offsets[first] as number;
      const end = (offsets[taken] as number) + (groups[taken] as string).length;
      found.push({ kind: 'credit_card', start, end });
      first = taken + 1;
    }
  });
  return found;
}
