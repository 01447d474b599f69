import { describe, expect, it } from '@jest/globals';
import { chunkEntry, decodeEntry, EntryKind } from './stream-entry.js';

describe('chunkEntry', () => {
  it('carries the chunk as the JSON of { text, seq }, whatever the text holds', () => {
    for (const text of ['word ', 'say "hi"\n', 'tab\there \\ back', 'émoji 🎉 ', '\u2028\u0000', '']) {
      const entry = decodeEntry(chunkEntry(7, text));
      expect(entry).toEqual({ kind: EntryKind.Chunk, seq: 7, data: JSON.stringify({ text, seq: 7 }) });
      expect(JSON.parse(entry.data)).toEqual({ text, seq: 7 });
    }
  });
});
