import { describe, expect, it } from '@jest/globals';
import { protocol } from '@electric-sql/pglite';
import { bindMessage } from './bind-message.js';

describe('bindMessage', () => {
  it.each([
    ['no values', []],
    ['ASCII, empty and null values', ['plain', '', null, '{"a":1}']],
    ['multi-byte text (accents, CJK, an emoji, a surrogate pair)', ['café', '日本語', '👍🏽 done', '{"\\u0000",x}']],
    ['a long array literal', [`{${Array.from({ length: 300 }, (_, i) => `"reply ${i} — ünïcödé"`).join(',')}}`]],
  ])('writes the same bytes as PGlite’s own serializer: %s', (_name, values) => {
    const own = Buffer.from(protocol.serialize.bind({ statement: 's42', values: values as (string | null)[] }));
    expect(bindMessage('s42', values as (string | null)[]).equals(own)).toBe(true);
  });
});
