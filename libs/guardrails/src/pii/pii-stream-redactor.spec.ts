import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { detectPii } from './detect-pii.js';
import { PiiStreamRedactor } from './pii-stream-redactor.js';
import { PII_KINDS, type PiiKind } from './pii-types.js';
import { PRIVATE_KEY_BODY_MAX } from './private-key.js';
import { redactPii } from './redact-pii.js';
import { MAX_SEGMENT_LENGTH } from './segments.js';

const KEY_LINE = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun';
const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_LINE}\n${KEY_LINE}\n-----END PRIVATE KEY-----`;

// Pieces that make PII, near misses and the places where segments are cut; random orders glue
// them into every kind of neighbourhood.
const FRAGMENTS = [
  'ana@example.com', 'a@b', '+1 415 555 0134', '(415) 555-0134', '030 1234567', '030', '1234567', '+44', '20 7946 0958',
  '4111 1111 1111 1111', '4111', '1111', '4111111111111112', 'DE89 3704 0044 0532 0130 00', 'DE89', '3704', 'GB82WEST12345698765432',
  '123-45-6789', '666-12-3456', '10.0.0.1', '1.2.3', '999.1.1.1', '2001:db8::1', '::', 'fe80', ':',
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'api_key=', 'token: ', 'password=', 'hunter2', '9f8e7d6c5b4a3f2e1d0c9b8a', 'Bearer ',
  PRIVATE_KEY, '-----BEGIN RSA PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----', KEY_LINE,
  'hello', 'the', 'word', '2026-11-24', '10:30', '1', '0', '-', '.', ',', '(', ')', '+', '@',
  ' ', ' ', ' ', '  ', '\n', '\n\n', '\t', '. ', ', ', '; ', '! ', '? ', '。', '，', '😀', '👍🏽', '漢字', '\u00a0',
];

const textArb = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }).map((parts) => parts.join(''));

/** Feeds `text` to a redactor in pieces cut at `cuts` (any UTF-16 index, even inside a surrogate pair). */
function streamRedact(text: string, cuts: number[], kinds?: ReadonlySet<PiiKind>): { text: string; redactor: PiiStreamRedactor } {
  const redactor = new PiiStreamRedactor(kinds);
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let out = '';
  let from = 0;
  for (const point of [...points, text.length]) {
    out += redactor.push(text.slice(from, point));
    from = point;
  }
  return { text: out + redactor.flush(), redactor };
}

describe('PiiStreamRedactor', () => {
  it('releases exactly what redactPii gives for the whole text, however the text is cut', () => {
    fc.assert(
      fc.property(textArb, fc.array(fc.nat(), { maxLength: 30 }), (text, cuts) => {
        const streamed = streamRedact(text, cuts);
        const whole = redactPii(text);
        expect(streamed.text).toBe(whole.text);
        expect(streamed.redactor.findings).toEqual(whole.findings);
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with redactPii when only some kinds are redacted', () => {
    fc.assert(
      fc.property(textArb, fc.array(fc.nat(), { maxLength: 30 }), fc.subarray([...PII_KINDS]), (text, cuts, kinds) => {
        const set = new Set(kinds);
        expect(streamRedact(text, cuts, set).text).toBe(redactPii(text, set).text);
      }),
      { numRuns: 200 },
    );
  });

  it('agrees character by character, one piece per UTF-16 unit', () => {
    const text = `Hi 😀, mail ana@example.com.\nCard 4111 1111 1111 1111 and ${PRIVATE_KEY}\nIBAN DE89 3704 0044 0532 0130 00。done`;
    const redactor = new PiiStreamRedactor();
    let out = '';
    for (let i = 0; i < text.length; i++) out += redactor.push(text[i] as string);
    expect(out + redactor.flush()).toBe(redactPii(text).text);
  });

  it('releases text sentence by sentence instead of holding the whole reply', () => {
    const redactor = new PiiStreamRedactor();
    expect(redactor.push('First sentence. Second')).toBe('First sentence. ');
    expect(redactor.push(' one ends here.')).toBe('');
    expect(redactor.push(' Mail ana@example')).toBe('Second one ends here. ');
    expect(redactor.push('.com and')).toBe('');
    expect(redactor.flush()).toBe('Mail [email] and');
  });

  it('holds back only text that could still become a private-key marker', () => {
    const redactor = new PiiStreamRedactor();
    expect(redactor.push('Done.\n-----BEG')).toBe('');
    expect(redactor.push('IN? no. Next')).toBe('Done.\n-----BEGIN? no. ');
    expect(redactor.flush()).toBe('Next');
  });

  it('never holds more than one segment when there is no private key', () => {
    const redactor = new PiiStreamRedactor();
    const words = 'word, '.repeat(MAX_SEGMENT_LENGTH) + 'word '.repeat(MAX_SEGMENT_LENGTH);
    let released = 0;
    let pushed = 0;
    for (const char of words) {
      released += redactor.push(char).length;
      pushed += 1;
      expect(pushed - released).toBeLessThanOrEqual(MAX_SEGMENT_LENGTH + 'word '.length);
    }
    expect(released + redactor.flush().length).toBe(words.length);
  });

  it('holds a private key until its END marker, then releases it redacted', () => {
    const redactor = new PiiStreamRedactor();
    expect(redactor.push('Here it is:\n-----BEGIN PRIVATE KEY-----\n')).toBe('Here it is:\n');
    expect(redactor.push(`${KEY_LINE}\n${KEY_LINE}\n`)).toBe('');
    expect(redactor.push('-----END PRIVATE KEY-----\nDone. More text follows here.')).toBe('[secret]\nDone. ');
    expect(redactor.flush()).toBe('More text follows here.');
  });

  it('gives up waiting for an END marker after a bounded body, like the whole-text scan', () => {
    const body = Array.from({ length: Math.ceil((PRIVATE_KEY_BODY_MAX * 1.2) / (KEY_LINE.length + 1)) }, () => KEY_LINE).join('\n');
    const text = `-----BEGIN PRIVATE KEY-----\n${body}\nthe rest. And more.`;
    const whole = redactPii(text);
    expect(whole.findings.map((f) => f.kind)).toEqual(['secret']);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), (cuts) => {
        expect(streamRedact(text, cuts).text).toBe(whole.text);
      }),
      { numRuns: 30 },
    );
  });

  it('agrees when a marker of the longest accepted form arrives in pieces', () => {
    const label = 'A1 '.repeat(13) + 'B';
    const text = `x.\n-----BEGIN ${label}PRIVATE KEY BLOCK-----\n${KEY_LINE}\n-----END ${label}PRIVATE KEY BLOCK-----\ny. -----BEGIN ${label}`;
    expect(redactPii(text).text).toBe(`x.\n[secret]\ny. -----BEGIN ${label}`);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), (cuts) => {
        expect(streamRedact(text, cuts).text).toBe(redactPii(text).text);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees when an overlong segment would be cut inside a marker that is still arriving', () => {
    // Shifting the marker across the segment limit puts the forced cut on each of its spaces.
    for (let shift = 0; shift < 90; shift += 1) {
      const text = `${'w'.repeat(shift)}${' w'.repeat(MAX_SEGMENT_LENGTH / 2 - 22)} ${PRIVATE_KEY.replace(/ PRIVATE/g, ' RSA PRIVATE')} tail`;
      const redactor = new PiiStreamRedactor();
      let out = '';
      for (const char of text) out += redactor.push(char);
      expect(out + redactor.flush()).toBe(redactPii(text).text);
    }
  });

  it('agrees on long texts without punctuation, cut at the segment limit', () => {
    const text = `${'call 030 1234567 or mail ana@example.com '.repeat(80)}end`;
    expect(detectPii(text).length).toBe(160);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        expect(streamRedact(text, cuts).text).toBe(redactPii(text).text);
      }),
      { numRuns: 50 },
    );
  });
});
