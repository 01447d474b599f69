import { describe, expect, it } from '@jest/globals';
import { asHttpChunk, formatSseEvent, sseEventAsHttpChunk } from './sse-format.js';

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

describe('sseEventAsHttpChunk', () => {
  it('frames every kind of event exactly as the general path does: size line in bytes, event, CRLF', () => {
    const events = [
      { id: '7', data: '{"text":"word ","seq":7}' },
      // Multi-byte text: the size counts bytes, not characters.
      { id: '12', data: '{"text":"Grüße, 世界 🎉 ","seq":12}' },
      { type: 'meta', id: '0', retry: 2000, data: '{}' },
      { type: 'elp', id: '23', data: '{"ethos":0.4}' },
      { comment: 'keep-alive', data: undefined as unknown as string },
      { id: '3', data: 'a\nb' },
      { data: '{"no":"id"}' },
      { id: '4', data: { text: 'an object' } },
    ];
    for (const event of events) expect(sseEventAsHttpChunk(event)).toBe(asHttpChunk(formatSseEvent(event)));
  });

  it('gives the size line the byte length in hex', () => {
    expect(sseEventAsHttpChunk({ id: '7', data: '{"text":"é"}' })).toBe('1b\r\nid: 7\ndata: {"text":"é"}\n\n\r\n');
  });
});
