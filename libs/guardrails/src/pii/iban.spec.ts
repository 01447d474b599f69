import { describe, expect, it } from '@jest/globals';
import { detectPii } from './detect-pii.js';
import { passesIbanChecksum } from './iban.js';

const ibans = (text: string) => detectPii(text).filter((f) => f.kind === 'iban').map((f) => text.slice(f.start, f.end));

describe('passesIbanChecksum', () => {
  it('accepts valid numbers and rejects a wrong check digit', () => {
    expect(passesIbanChecksum('DE89370400440532013000')).toBe(true);
    expect(passesIbanChecksum('GB82WEST12345698765432')).toBe(true);
    expect(passesIbanChecksum('DE88370400440532013000')).toBe(false);
    expect(passesIbanChecksum('GB82WEST12345698765433')).toBe(false);
  });
});

describe('IBAN detection', () => {
  it.each([
    'DE89 3704 0044 0532 0130 00',
    'DE89370400440532013000',
    'GB82WEST12345698765432',
    'GB82 WEST 1234 5698 7654 32',
    'FR14 2004 1010 0505 0001 3M02 606',
    'NL91ABNA0417164300',
    'CH9300762011623852957',
    'NO9386011117947',
    'BE68 5390 0754 7034',
  ])('finds %j', (iban) => {
    expect(ibans(`transfer to ${iban} please`)).toEqual([iban]);
  });

  it('does not take a number with a wrong check digit', () => {
    expect(detectPii('transfer to DE88 3704 0044 0532 0130 00 please')).toEqual([]);
    expect(detectPii('GB83WEST12345698765432')).toEqual([]);
  });

  it('stops at the country length, so words after the print form stay', () => {
    const text = 'IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX';
    expect(ibans(text)).toEqual(['DE89 3704 0044 0532 0130 00']);
  });

  it.each([
    ['an unknown country code', 'QQ89370400440532013000'],
    ['a number running on into more characters', 'DE8937040044053201300077'],
    ['a number glued to letters', 'xDE89370400440532013000'],
    ['a space inside a group of four', 'DE89 370 40044 0532013000'],
    ['lower case', 'de89370400440532013000'],
  ])('finds nothing for %s', (_name, text) => {
    expect(ibans(text)).toEqual([]);
  });
});
