import { describe, expect, it } from '@jest/globals';
import { DONE_DATA, formatDataLine } from './data-line-format.js';

describe('formatDataLine', () => {
  it('writes a data line without event name or id', () => {
    expect(formatDataLine({ type: 'ignored', id: '3', data: '{"a":1}' })).toBe('data: {"a":1}\n\n');
  });

  it('serialises objects and writes the end marker', () => {
    expect(formatDataLine({ data: { b: 2 } })).toBe('data: {"b":2}\n\n');
    expect(formatDataLine({ data: DONE_DATA })).toBe('data: [DONE]\n\n');
  });

  it('keeps comments', () => {
    expect(formatDataLine({ comment: 'keep-alive', data: undefined as unknown as string })).toBe(': keep-alive\n\n');
  });
});
