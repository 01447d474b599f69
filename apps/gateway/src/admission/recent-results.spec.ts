import { describe, expect, it } from '@jest/globals';
import { RecentResults } from './recent-results.js';

describe('results remembered for recent inputs', () => {
  it('computes once per input and hands every caller the same frozen result', () => {
    const recent = new RecentResults<{ words: string[] }>();
    let computed = 0;
    const compute = () => ({ words: [`call ${++computed}`] });
    const first = recent.get('hello', compute);
    expect(recent.get('hello', compute)).toBe(first);
    expect(computed).toBe(1);
    expect(recent.get('other', compute).words).toEqual(['call 2']);
    expect(Object.isFrozen(first) && Object.isFrozen(first.words)).toBe(true);
    expect(() => first.words.push('changed')).toThrow(TypeError);
  });

  it('keeps no long input and no refusal: both are computed again', () => {
    const recent = new RecentResults<{ n: number }>();
    let computed = 0;
    const long = 'x'.repeat(5_000);
    recent.get(long, () => ({ n: ++computed }));
    recent.get(long, () => ({ n: ++computed }));
    expect(computed).toBe(2);
    const refuse = () => {
      computed += 1;
      throw new Error('refused');
    };
    expect(() => recent.get('bad', refuse)).toThrow('refused');
    expect(() => recent.get('bad', refuse)).toThrow('refused');
    expect(computed).toBe(4);
  });

  it('forgets the least recent inputs past its bound', () => {
    const recent = new RecentResults<{ n: number }>();
    let computed = 0;
    for (let i = 0; i < 1_001; i++) recent.get(`input ${i}`, () => ({ n: ++computed }));
    recent.get('input 1000', () => ({ n: ++computed }));
    expect(computed).toBe(1_001);
    recent.get('input 0', () => ({ n: ++computed }));
    expect(computed).toBe(1_002);
  });
});
