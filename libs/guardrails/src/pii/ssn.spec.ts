import { describe, expect, it } from '@jest/globals';
import { detectPii } from './detect-pii.js';

const ssns = (text: string) => detectPii(text).filter((f) => f.kind === 'ssn').map((f) => text.slice(f.start, f.end));

describe('SSN-like id detection', () => {
  it('finds the dashed 3-2-4 shape', () => {
    expect(ssns('my SSN is 123-45-6789.')).toEqual(['123-45-6789']);
    expect(ssns('(078-05-1120)')).toEqual(['078-05-1120']);
  });

  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 900-999', '900-12-3456'],
    ['area 999', '999-99-9999'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['no dashes', '123456789'],
    ['part of a longer dashed number', '555-123-45-6789'],
    ['followed by more digits', '123-45-6789-1'],
    ['glued to letters', 'A123-45-6789'],
  ])('finds nothing for %s', (_name, text) => {
    expect(ssns(text)).toEqual([]);
  });
});
