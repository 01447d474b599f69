import { describe, expect, it } from '@jest/globals';
import { buildRetrievalQuery } from '../builtin/retrieval-query.js';
import { snapshotOf } from './knowledge-store.js';

describe('snapshotOf', () => {
  const snapshot = snapshotOf({
    version: 7,
    documents: [
      { document_id: 'a', path: 'documents/a', title: 'Zorblax turbines', format: 'markdown', source_url: 'https://example.com/z', content: 'Spins at 42 rpm.\n\n## Care\n\nOil the zorblax weekly.' },
      { document_id: 'b', path: 'general/notes.md', title: 'Notes', format: 'text', source_url: null, content: 'Plain zorblax notes.' },
    ],
    embeddings: { 'documents/a#care': [0.5, 0.5] },
    embeddings_model: 'm',
  });

  it('indexes the documents as history chunked them, under their stored titles', () => {
    expect(snapshot.version).toBe(7);
    expect(snapshot.kb.sections.map((s) => [s.title, s.ref])).toEqual([
      ['Zorblax turbines', 'documents/a'],
      ['Zorblax turbines', 'documents/a#care'],
      ['Notes', 'general/notes.md'],
    ]);
    expect(snapshot.kb.find(buildRetrievalQuery('How often is the zorblax oiled?', []))[0].section.ref).toBe('documents/a#care');
  });

  it('keeps source URLs by article path and vectors by section ref', () => {
    expect([...snapshot.urls]).toEqual([['documents/a', 'https://example.com/z']]);
    expect([...snapshot.vectors.get('documents/a#care')!]).toEqual([0.5, 0.5]);
    expect(snapshot.embeddingsModel).toBe('m');
  });
});
