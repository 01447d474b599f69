import { scanPii } from './pii-scanner.js';
import type { PiiFinding } from './pii-types.js';

/**
 * Finds e-mail addresses, phone numbers, payment cards (Luhn), IBANs (mod 97), SSN-like ids, IPv4
 * and IPv6 addresses and credentials. Findings are sorted and never overlap: where candidates
 * overlap, the longest wins, then the most specific kind. Offsets are UTF-16 indices into `text`.
 */
export function detectPii(text: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  scanPii(text, true, (finding) => findings.push(finding));
  return findings;
}
