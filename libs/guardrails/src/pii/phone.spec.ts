import { describe, expect, it } from '@jest/globals';
import { detectPii } from './detect-pii.js';

const phones = (text: string) => detectPii(text).filter((f) => f.kind === 'phone').map((f) => text.slice(f.start, f.end));

describe('phone number detection', () => {
  it.each([
    '+1 415 555 0134',
    '(415) 555-0134',
    '+44 20 7946 0958',
    '030 1234567',
    '415-555-0134',
    '415.555.0134',
    '1-800-555-0199',
    '+49 (0)30 1234567',
    '+1 (415) 555-0134',
    '+14155550134',
    '0044 20 7946 0958',
    '01 23 45 67 89',
    '020/7946 0958',
  ])('finds %j', (number) => {
    expect(phones(`call ${number} now`)).toEqual([number]);
  });

  it.each([
    ['a year', 'in 2026 we'],
    ['a version', 'version 1.2.3 and 10.15.7.2024'],
    ['an ISO date', 'on 2026-11-24 at noon'],
    ['two dates', 'from 2026-11-24 2026-11-25 on'],
    ['a date and a time', 'at 24.11.2026 12:30 sharp'],
    ['a time', 'at 10:30:00'],
    ['a short number', 'code 12345 or 555-0134'],
    ['a list of numbers', 'scores 100 200 300 400'],
    ['a number with thousands separators', 'about 1,234,567,890 people'],
    ['a decimal', 'pi is 3.14159265358 and 0.123456789'],
    ['digits without any separator', 'order 4155550134 shipped'],
    ['an id glued to letters', 'ref AB030 1234567'],
    ['an IPv4 address', 'host 192.168.100.200'],
    ['a version with a single-digit part', 'build 1.22.333.4444'],
  ])('finds nothing in %s', (_name, text) => {
    expect(phones(text)).toEqual([]);
  });

  it('needs at least 9 digits', () => {
    expect(phones('call 030 12345')).toEqual([]);
    expect(phones('call 030 123456')).toEqual(['030 123456']);
    expect(phones('call 030 1234567')).toEqual(['030 1234567']);
  });

  it('keeps a surrounding parenthesis out of the number', () => {
    expect(phones('(call 030 1234567)')).toEqual(['030 1234567']);
    expect(phones('(+44 20 7946 0958)')).toEqual(['+44 20 7946 0958']);
  });

  it('splits where separators double up instead of joining two numbers', () => {
    expect(phones('030 1234567 - 040 7654321')).toEqual(['030 1234567', '040 7654321']);
  });

  it('finds numbers written next to CJK and Hangul text', () => {
    expect(phones('电话030 1234567谢谢')).toEqual(['030 1234567']);
    expect(phones('전화010-1234-5678로')).toEqual(['010-1234-5678']);
  });
});
