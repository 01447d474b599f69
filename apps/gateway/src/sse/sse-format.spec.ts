import { describe, expect, it } from '@jest/globals';
import { formatSseEvent } from './sse-format.js';

describe('formatSseEvent', () => {
  it('writes a text chunk as an unnamed event with its id', () => {
    expect(formatSseEvent({ id: '7', data: '{"text":"word ","seq":7}' })).toBe('id: 7\ndata: {"text":"word ","seq":7}\n\n');
  });

  it('writes control events with name, id and retry in that order', () => {
    expect(formatSseEvent({ type: 'meta', id: '0', retry: 2000, data: '{}' })).toBe('event: meta\nid: 0\nretry: 2000\ndata: {}\n\n');
  });

  it('writes a comment line', () => {
    expect(formatSseEvent({ comment: 'keep-alive', data: undefined as unknown as string })).toBe(': keep-alive\n\n');
  });

  it('splits data with line breaks of any kind into one data line each', () => {
    expect(formatSseEvent({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('serialises object data as JSON', () => {
    expect(formatSseEvent({ type: 'done', data: { ok: true } })).toBe('event: done\ndata: {"ok":true}\n\n');
  });
});
