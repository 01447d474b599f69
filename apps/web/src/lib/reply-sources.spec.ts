import { describe, expect, it } from '@jest/globals';
import { shownSources } from './reply-sources';

describe('shownSources', () => {
  it('lists each document once, with a link only for an http(s) URL', () => {
    expect(
      shownSources([
        { title: 'Configuration', ref: 'product/configuration.md#redis' },
        { title: 'Configuration', ref: 'product/configuration.md#pacing' },
        { title: 'Zorblax', ref: 'documents/1', url: 'https://example.com/z' },
        { title: 'Evil', ref: 'documents/2', url: 'javascript:alert(1)' },
      ]),
    ).toEqual([
      { title: 'Configuration', href: null, refs: 'product/configuration.md#redis, product/configuration.md#pacing' },
      { title: 'Zorblax', href: 'https://example.com/z', refs: 'documents/1' },
      { title: 'Evil', href: null, refs: 'documents/2' },
    ]);
  });
});
