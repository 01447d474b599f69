import { wordCharAt, wordCharBefore } from './char-classes.js';
import { forEachMatch } from '../for-each-match.js';
import type { PiiFinding } from './pii-types.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Four octets, none with a leading zero, not part of a longer dotted number: `1.2.3` (three parts),
// `999.1.1.1` and `1.2.3.4.5` stay out. `host:10.0.0.1`, `10.0.0.1:8080` and `10.0.0.0/8` match.
// Lookarounds here are ASCII (a Unicode-property lookbehind at every position is slow); letters of
// other scripts are checked in code with `wordCharBefore`/`wordCharAt`.
const IPV4 = new RegExp(`(?<![A-Za-z0-9_.])${OCTET}(?:\\.${OCTET}){3}(?![A-Za-z0-9_]|\\.\\d)`, 'g');
const IPV4_WHOLE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

// Candidates: hex digits and colons with a colon among the first five characters (so plain hex
// words are skipped early), optionally ending in an embedded IPv4 (`::ffff:192.0.2.1`). The
// grammar is then checked in code, which is simpler to get right than one regex.
const IPV6_CANDIDATE = /(?<![A-Za-z0-9_:.])(?=[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,}(?:(?:\.\d{1,3}){3})?/g;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const MAX_IPV6_LENGTH = 45;

function groupsValid(groups: readonly string[], allowIpv4Tail: boolean): number {
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] as string;
    if (HEX_GROUP.test(group)) count += 1;
    else if (allowIpv4Tail && i === groups.length - 1 && IPV4_WHOLE.test(group)) count += 2;
    else return -1;
  }
  return count;
}

/** RFC 4291 text forms: eight groups, or fewer around a single `::`, with an optional IPv4 tail. */
export function isIpv6(candidate: string): boolean {
  if (candidate.length > MAX_IPV6_LENGTH || !/\d/.test(candidate)) return false;
  const halves = candidate.split('::');
  if (halves.length > 2) return false;
  if (halves.length === 1) return groupsValid(candidate.split(':'), true) === 8;
  const [head = '', tail = ''] = halves;
  const headCount = head === '' ? 0 : groupsValid(head.split(':'), false);
  const tailCount = tail === '' ? 0 : groupsValid(tail.split(':'), true);
  return headCount >= 0 && tailCount >= 0 && headCount + tailCount <= 7;
}

export function findIpAddresses(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  forEachMatch(IPV4, text, (match) => {
    const end = match.index + match[0].length;
    if (!wordCharBefore(text, match.index) && !wordCharAt(text, end)) found.push({ kind: 'ip_address', start: match.index, end });
  });
  // Every IPv6 candidate holds a colon.
  if (!text.includes(':')) return found;
  forEachMatch(IPV6_CANDIDATE, text, (match) => {
    let candidate = match[0];
    const end = match.index + candidate.length;
    if (wordCharBefore(text, match.index) || wordCharAt(text, end) || /^\.\d/.test(text.slice(end, end + 2))) return;
    // A sentence may end with a colon right after an address: `reach fe80::1: it answers`.
    if (candidate.endsWith(':') && !candidate.endsWith('::')) candidate = candidate.slice(0, -1);
    if (isIpv6(candidate)) found.push({ kind: 'ip_address', start: match.index, end: match.index + candidate.length });
  });
  return found;
}
