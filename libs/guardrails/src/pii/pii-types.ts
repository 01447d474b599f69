export type PiiKind = 'email' | 'phone' | 'credit_card' | 'iban' | 'ssn' | 'ip_address' | 'secret';

/** One piece of PII found in a text. */
export interface PiiFinding {
  kind: PiiKind;
  /** UTF-16 index of the first character, into the text that was scanned. */
  start: number;
  /** UTF-16 index just past the last character. */
  end: number;
}

export const PII_KINDS: readonly PiiKind[] = ['email', 'phone', 'credit_card', 'iban', 'ssn', 'ip_address', 'secret'];

/**
 * What a redacted span becomes. No whitespace inside, so a token stays one word for the
 * generator's word chunker and one "word" in the stored reply.
 */
export const REDACTION_TOKENS: Readonly<Record<PiiKind, string>> = {
  email: '[email]',
  phone: '[phone]',
  credit_card: '[card]',
  iban: '[iban]',
  ssn: '[ssn]',
  ip_address: '[ip]',
  secret: '[secret]',
};

/**
 * Which kind wins when two candidates of the same length overlap: the more specific pattern
 * (a checksum or a known prefix beats a loose shape such as a phone number).
 */
export const KIND_PRIORITY: Readonly<Record<PiiKind, number>> = {
  secret: 0,
  iban: 1,
  credit_card: 2,
  email: 3,
  ssn: 4,
  ip_address: 5,
  phone: 6,
};
