import { describe, expect, it } from '@jest/globals';
import { detectPii } from './detect-pii.js';

const emails = (text: string) => detectPii(text).filter((f) => f.kind === 'email').map((f) => text.slice(f.start, f.end));

describe('e-mail detection', () => {
  it.each([
    ['write to john.doe@example.com today', 'john.doe@example.com'],
    ['tagged: jane+news@mail.example.co.uk.', 'jane+news@mail.example.co.uk'],
    ['<ops_team@sub-domain.example.org>', 'ops_team@sub-domain.example.org'],
    ['mailto:a.b-c@xn--bcher-kva.ch', 'a.b-c@xn--bcher-kva.ch'],
    ["o'brien@example.ie, please", "o'brien@example.ie"],
    ["quoted: 'ana@example.com'", 'ana@example.com'],
    ['form field email=ana@example.com', 'ana@example.com'],
  ])('finds the address in %j', (text, address) => {
    expect(emails(text)).toEqual([address]);
  });

  it.each([
    'a@b',
    'root@localhost',
    'user@domain.c',
    'user@domain.c0m',
    '@mention in a chat',
    'two..dots@example.com',
    'name@-example.com',
  ])('finds nothing in %j', (text) => {
    expect(emails(text)).toEqual([]);
  });

  it('does not swallow CJK text written without spaces around the address', () => {
    expect(emails('请联系test@example.com谢谢')).toEqual(['test@example.com']);
  });

  it('rejects a local part longer than 64 characters', () => {
    expect(emails(`${'a'.repeat(65)}@example.com`)).toEqual([]);
    expect(emails(`${'a'.repeat(64)}@example.com`)).toHaveLength(1);
  });
});
