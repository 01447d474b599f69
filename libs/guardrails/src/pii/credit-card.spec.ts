import { describe, expect, it } from '@jest/globals';
import { detectPii } from './detect-pii.js';
import { passesLuhn } from './luhn.js';

const cards = (text: string) => detectPii(text).filter((f) => f.kind === 'credit_card').map((f) => text.slice(f.start, f.end));

describe('passesLuhn', () => {
  it('accepts valid check digits and rejects a changed digit', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(passesLuhn('79927398710')).toBe(false);
  });

  it('rejects empty input and non-digits', () => {
    expect(passesLuhn('')).toBe(false);
    expect(passesLuhn('4111-1111')).toBe(false);
  });
});

describe('credit card detection', () => {
  it.each([
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111111111111111',
    '5500 0000 0000 0004',
    '2223 0000 4841 0010',
    '3782 822463 10005',
    '6011 1111 1111 1117',
    '3530 1113 3330 0000',
    '30569309025904',
    '4222222222222',
  ])('finds %j', (card) => {
    expect(cards(`pay with ${card} today`)).toEqual([card]);
  });

  it('does not take a 16-digit number that fails the Luhn check', () => {
    expect(detectPii('pay with 4111 1111 1111 1112 today')).toEqual([]);
    expect(detectPii('id 4111111111111112')).toEqual([]);
  });

  it('finds the card when an expiry or CVV follows it', () => {
    expect(cards('card 4111 1111 1111 1111 123 exp 12/27')).toEqual(['4111 1111 1111 1111']);
  });

  it('finds two cards written one after the other', () => {
    expect(cards('4111 1111 1111 1111 5500 0000 0000 0004')).toEqual(['4111 1111 1111 1111', '5500 0000 0000 0004']);
  });

  it.each([
    ['Luhn-valid digits without a card issuer prefix', '0000 0000 0000 0000'],
    ['mixed separators', '4111 1111-1111 1111'],
    ['a number glued to letters', 'x4111111111111111'],
    ['a decimal', '0.4111111111111111'],
    ['more than 19 digits', '41111111111111111111'],
    ['years in a row', '2020 2021 2022 2023'],
  ])('finds nothing for %s', (_name, text) => {
    expect(cards(text)).toEqual([]);
  });

  it('finds a card written right after CJK text', () => {
    expect(cards('卡号4111111111111111。')).toEqual(['4111111111111111']);
  });
});
