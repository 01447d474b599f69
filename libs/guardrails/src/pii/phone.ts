import { wordCharAt, wordCharBefore } from './char-classes.js';
import { forEachMatch } from '../for-each-match.js';
import type { PiiFinding } from './pii-types.js';

// A run of digits, parentheses and single separators. Runs are taken whole and split where two
// separators meet (`415. 555`), and every piece is judged on its own shape, never trimmed to
// fit: trimming is what turns `2026-11-24 2026-11-25` or a list of scores into a "phone".
const NUMBER_RUN = /(?:\+|\()?\d(?:[\d()./ \u00a0-]*[\d)])?/g;
const DOUBLE_SEPARATOR = /[./ \u00a0-]{2,}/g;

// The shape of one piece: optional +country code, optional (area) group, then digit groups with
// at most one separator between them.
const SHAPE = /^(?:\+[1-9]\d{0,2}[./ \u00a0-]?)?(?:\(\d{1,5}\)[./ \u00a0-]?)?\d+(?:[./ \u00a0-]?\(\d{1,5}\)[./ \u00a0-]?\d+|[./ \u00a0-]\d+)*$/;
// North American 3-3-4 with one kind of separator, optionally after the `1` trunk code.
const NANP = /^(?:1[ .-])?\d{3}([ .-])\d{3}\1\d{4}$/;
// Dates written with separators: `2026-11-24 1234` or `24.11.2026 12`.
const DATE_LIKE = /(?:^|\D)(?:\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{4})(?:\D|$)/;

const MIN_DIGITS = 9;
const MAX_DIGITS = 15; // E.164

/**
 * National numbers without `+` or an (area) group need a shape only phones have: the trunk
 * prefix 0 in front of groups of two or more digits (`030 1234567`, `020 7946 0958`,
 * `01 23 45 67 89`), or the North American 3-3-4 pattern. That keeps out versions, decimals,
 * number lists and ids.
 */
function isNationalShape(piece: string): boolean {
  if (NANP.test(piece)) return true;
  const groups = piece.split(/[./ \u00a0-]/);
  return piece[0] === '0' && groups.length >= 2 && groups.length <= 6 && groups.every((group) => group.length >= 2);
}

function isPhone(piece: string): boolean {
  if (!SHAPE.test(piece)) return false;
  const digits = piece.replace(/\D/g, '');
  const international = piece[0] === '+' || digits.startsWith('00');
  const maxDigits = digits.startsWith('00') ? MAX_DIGITS + 2 : MAX_DIGITS;
  if (digits.length < MIN_DIGITS || digits.length > maxDigits) return false;
  if (piece[0] === '+') return true;
  if (DATE_LIKE.test(piece)) return false;
  if (piece.includes('(')) return true;
  return international ? /[./ \u00a0-]/.test(piece) : isNationalShape(piece);
}

/** `10:30 415…` or `1,415…`: the piece continues a time or a number written with a comma. */
function continuesNumber(text: string, start: number, end: number): boolean {
  return /\d[:,]$/.test(text.slice(Math.max(0, start - 2), start)) || /^[:,]\d/.test(text.slice(end, end + 2));
}

export function findPhones(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  forEachMatch(NUMBER_RUN, text, (run) => {
    if (run[0].length < MIN_DIGITS) return;
    for (const { start, end } of splitRun(run[0], run.index)) {
      if (wordCharBefore(text, start) || wordCharAt(text, end) || continuesNumber(text, start, end)) continue;
      if (isPhone(text.slice(start, end))) found.push({ kind: 'phone', start, end });
    }
  });
  return found;
}

/** Splits a run where separators double up; each piece is trimmed to start at `+`, `(` or a digit and end at a digit or `)`. */
function splitRun(run: string, offset: number): { start: number; end: number }[] {
  const pieces: { start: number; end: number }[] = [];
  let from = 0;
  forEachMatch(DOUBLE_SEPARATOR, run, (separator) => {
    const piece = trimPiece(run, from, separator.index);
    if (piece) pieces.push({ start: offset + piece[0], end: offset + piece[1] });
    from = separator.index + separator[0].length;
  });
  const last = trimPiece(run, from, run.length);
  if (last) pieces.push({ start: offset + last[0], end: offset + last[1] });
  return pieces;
}

/** Trims separators and drops a parenthesis that belongs to the prose around the number: `(call 030 1234567)`. */
function trimPiece(run: string, from: number, to: number): [number, number] | undefined {
  let start = from;
  let end = to;
  const trim = () => {
    while (start < end && !/[+(\d]/.test(run[start] as string)) start += 1;
    while (end > start && !/[\d)]/.test(run[end - 1] as string)) end -= 1;
  };
  trim();
  for (;;) {
    const piece = run.slice(start, end);
    const opens = piece.split('(').length - 1;
    const closes = piece.split(')').length - 1;
    if (opens < closes && piece.endsWith(')')) end -= 1;
    else if (opens > closes && piece.startsWith('(')) start += 1;
    else break;
    trim();
  }
  return start < end ? [start, end] : undefined;
}
