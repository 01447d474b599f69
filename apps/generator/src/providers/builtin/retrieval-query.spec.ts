import { describe, expect, it } from '@jest/globals';
import type { ContextTurnData } from '@app/contracts';
import { buildRetrievalQuery } from './retrieval-query.js';

const turn = (role: ContextTurnData['role'], content: string): ContextTurnData => ({ role, content });

describe('buildRetrievalQuery', () => {
  it('searches a self-contained question with its own words only', () => {
    const history = [turn('user', 'What is Docker?'), turn('assistant', 'Docker packages…')];
    const query = buildRetrievalQuery('How do I configure Redis?', history);
    expect(query.followUp).toBe(false);
    expect(query.terms).toEqual(['configur', 'redis']);
    expect(query.alreadySaid).toBe('');
  });

  it('lets a word-less follow-up borrow the previous question', () => {
    const history = [turn('user', 'What is Redis pub/sub?'), turn('assistant', 'Redis is an in-memory…')];
    for (const message of ['tell me more', 'why?', 'Go on…']) {
      const query = buildRetrievalQuery(message, history);
      expect(query.followUp).toBe(true);
      expect(query.terms).toEqual(['redis', 'pub', 'sub']);
      expect(query.alreadySaid).toBe('Redis is an in-memory…');
    }
  });

  it('weighs a follow-up’s own words above the borrowed ones', () => {
    const history = [turn('user', 'What is Redis?'), turn('assistant', 'An in-memory store.')];
    const query = buildRetrievalQuery('and how do I configure it?', history);
    expect(query.followUp).toBe(true);
    expect(query.terms).toEqual(['configur', 'redis']);
    expect(query.weights.get('configur')).toBeGreaterThan(query.weights.get('redis') ?? 1);
    expect(query.totalWeight).toBeCloseTo(1 + (query.weights.get('redis') ?? 0));
  });

  it('walks back through a chain of follow-ups to the question they follow', () => {
    const history = [
      turn('user', 'What is Docker?'),
      turn('assistant', 'first answer'),
      turn('user', 'How do I start the server?'),
      turn('assistant', 'second answer'),
      turn('user', 'tell me more'),
      turn('assistant', 'third answer'),
    ];
    const query = buildRetrievalQuery('why?', history);
    expect(query.terms).toEqual(['start', 'serv']);
    expect(query.alreadySaid).toBe('second answer\n\nthird answer');
  });

  it('has no terms and no follow-up for a first message without content words', () => {
    const query = buildRetrievalQuery('tell me more', []);
    expect(query).toMatchObject({ terms: [], followUp: false, totalWeight: 0 });
  });

  it('recognises definition questions', () => {
    expect(buildRetrievalQuery('What is Docker?', []).definition).toBe(true);
    expect(buildRetrievalQuery('what’s a token bucket', []).definition).toBe(true);
    expect(buildRetrievalQuery('How do I start it?', []).definition).toBe(false);
  });

  it('caps the number of terms of a very long message', () => {
    const message = Array.from({ length: 2000 }, (_, i) => `word${i}`).join(' ');
    expect(buildRetrievalQuery(message, []).terms.length).toBe(200);
  });
});
