import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { detectPii } from './detect-pii.js';
import { PII_KINDS, REDACTION_TOKENS } from './pii-types.js';
import { redactPii } from './redact-pii.js';

const spans = (text: string) => detectPii(text).map((f) => [f.kind, text.slice(f.start, f.end)]);

const PROSE =
  'Quantum computers use qubits, which can hold a superposition of states. In 2026 the team shipped version 1.2.3 ' +
  'on 2026-11-24 at 10:30, and about 1,234 users tried it; the error rate fell by 12.5%. 我们的服务很好 😀👍🏽 ';

describe('detectPii', () => {
  it('reports sorted, non-overlapping findings of every kind with offsets into the text', () => {
    const text =
      'Mail ana@example.com or call +44 20 7946 0958. Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, ' +
      'SSN 123-45-6789, host 10.0.0.7 and 2001:db8::1, key ghp_16C7e42F292c6912E7710c838347Ae178B4a.';
    expect(spans(text)).toEqual([
      ['email', 'ana@example.com'],
      ['phone', '+44 20 7946 0958'],
      ['credit_card', '4111 1111 1111 1111'],
      ['iban', 'DE89 3704 0044 0532 0130 00'],
      ['ssn', '123-45-6789'],
      ['ip_address', '10.0.0.7'],
      ['ip_address', '2001:db8::1'],
      ['secret', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    ]);
  });

  it('lets the longest candidate win, then the most specific kind', () => {
    // The IPv4 tail is also an IPv4 address; the whole IPv6 address is longer.
    expect(spans('via ::ffff:192.0.2.128 only')).toEqual([['ip_address', '::ffff:192.0.2.128']]);
    // An address after `password=` is both an e-mail and a secret value of the same length.
    expect(spans('password=ana@mailbox.org')).toEqual([['secret', 'ana@mailbox.org']]);
  });

  it('uses UTF-16 offsets into the original text around emoji and CJK', () => {
    const text = '😀👍🏽 漢字 ana@example.com 🎉 +1 415 555 0134 終わり';
    const findings = detectPii(text);
    expect(findings.map((f) => text.slice(f.start, f.end))).toEqual(['ana@example.com', '+1 415 555 0134']);
    expect(findings[0]?.start).toBe(text.indexOf('ana@'));
  });

  it('finds nothing in ordinary prose full of numbers', () => {
    expect(detectPii(PROSE)).toEqual([]);
  });

  it('returns findings that are always within the text, sorted and disjoint', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        let last = 0;
        for (const f of detectPii(text)) {
          expect(f.start).toBeGreaterThanOrEqual(last);
          expect(f.end).toBeGreaterThan(f.start);
          expect(f.end).toBeLessThanOrEqual(text.length);
          last = f.end;
        }
      }),
    );
  });

  it('scans 8,000 characters well within budget', () => {
    const sample = 'Call +1 415 555 0134 or write to help@example.com. ' + PROSE;
    const text = sample.repeat(Math.ceil(8000 / sample.length)).slice(0, 8000);
    for (let i = 0; i < 5; i++) detectPii(text);
    const runs = 20;
    const started = performance.now();
    for (let i = 0; i < runs; i++) detectPii(text);
    expect((performance.now() - started) / runs).toBeLessThan(20);
  });

  it.each([
    ['digits and spaces', '1 '.repeat(4000)],
    ['dotted letters', 'a.'.repeat(4000)],
    ['dashed digits', '1-'.repeat(4000)],
    ['colons and hex', 'ff:'.repeat(2666)],
    ['at signs', 'a@'.repeat(4000)],
    ['country codes', 'DE89'.repeat(2000)],
    ['identifier parts', `${'a_'.repeat(4000)}=`],
    ['plus signs', '+1 '.repeat(2666)],
  ])('stays linear on pathological input: %s', (_name, text) => {
    const started = performance.now();
    detectPii(text);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('redactPii', () => {
  it('replaces each finding with a token that contains no whitespace', () => {
    const { text, findings } = redactPii('Mail ana@example.com or call +1 415 555 0134.');
    expect(text).toBe('Mail [email] or call [phone].');
    expect(findings.map((f) => f.kind)).toEqual(['email', 'phone']);
    for (const token of Object.values(REDACTION_TOKENS)) expect(token).not.toMatch(/\s/);
  });

  it('returns a text without PII unchanged', () => {
    expect(redactPii(PROSE)).toEqual({ text: PROSE, findings: [] });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const result = redactPii(text);
        if (result.findings.length === 0) expect(result.text).toBe(text);
      }),
    );
  });

  it('keeps every character outside the findings exactly as it was', () => {
    const original = '😀 ana@example.com\n\tcard: 4111111111111111 。终わり ';
    const { text, findings } = redactPii(original);
    let rebuilt = text;
    for (const f of [...findings].reverse()) {
      const token = REDACTION_TOKENS[f.kind];
      const at = rebuilt.lastIndexOf(token);
      rebuilt = rebuilt.slice(0, at) + original.slice(f.start, f.end) + rebuilt.slice(at + token.length);
    }
    expect(rebuilt).toBe(original);
  });

  it('redacts only the kinds asked for, without letting a weaker kind take a stronger one', () => {
    const original = 'ana@example.com 4111 1111 1111 1111 +1 415 555 0134';
    expect(redactPii(original, new Set(['email'])).text).toBe('[email] 4111 1111 1111 1111 +1 415 555 0134');
    expect(redactPii(original, new Set(['phone'])).text).toBe('ana@example.com 4111 1111 1111 1111 [phone]');
    expect(redactPii(original, new Set()).text).toBe(original);
    expect(redactPii(original, new Set(PII_KINDS)).text).toBe('[email] [card] [phone]');
  });

  it('is deterministic', () => {
    const text = 'a@example.com, 10.0.0.1, 123-45-6789 '.repeat(20);
    expect(redactPii(text)).toEqual(redactPii(text));
  });
});
