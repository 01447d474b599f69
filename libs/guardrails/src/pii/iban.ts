import { wordCharAt, wordCharBefore } from './char-classes.js';
import { forEachMatch } from '../for-each-match.js';
import { IBAN_LENGTHS } from './iban-lengths.js';
import type { PiiFinding } from './pii-types.js';

const IBAN_START = /[A-Z]{2}\d{2}/g;

/** ISO 13616 check: move the first four characters to the end, read letters as 10-35, mod 97 must be 1. */
export function passesIbanChecksum(compact: string): boolean {
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}

function isIbanChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
}

/**
 * Reads `length` IBAN characters from `start`, in the electronic form (no spaces) or the print
 * form (one space after every group of four). Returns where they end, or -1.
 */
function readIban(text: string, start: number, length: number): number {
  let taken = 0;
  let i = start;
  while (taken < length) {
    const code = text.charCodeAt(i);
    if (isIbanChar(code)) {
      taken += 1;
      i += 1;
    } else if ((code === 32 || code === 0xa0) && taken % 4 === 0 && isIbanChar(text.charCodeAt(i + 1))) {
      i += 1;
    } else {
      return -1;
    }
  }
  return i;
}

export function findIbans(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  forEachMatch(IBAN_START, text, (match) => {
    const start = match.index;
    const length = IBAN_LENGTHS[match[0].slice(0, 2)];
    if (length === undefined || wordCharBefore(text, start)) return;
    const end = readIban(text, start, length);
    if (end < 0 || wordCharAt(text, end) || !passesIbanChecksum(text.slice(start, end).replace(/[ \u00a0]/g, ''))) return;
    found.push({ kind: 'iban', start, end });
    IBAN_START.lastIndex = end;
  });
  return found;
}
