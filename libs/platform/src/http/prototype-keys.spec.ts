import { describe, expect, it } from '@jest/globals';
import { prototypeKeyPath } from './prototype-keys.js';

describe('prototypeKeyPath', () => {
  it.each([
    ['{"message":"hi","user_id":"u","__proto__":{"x":1}}', '__proto__'],
    ['{"message":"hi","constructor":{"prototype":{"x":1}}}', 'constructor'],
    ['{"prototype":1}', 'prototype'],
    ['{"\\u005f_proto__":1}', '__proto__'],
    ['{"context":["a",{"__proto__":{"x":1}}]}', 'context.1.__proto__'],
    ['{"a":{"b":[[{"constructor":null}]]}}', 'a.b.0.0.constructor'],
  ])('finds the key in %s at %s', (text, path) => {
    expect(prototypeKeyPath(JSON.parse(text))).toBe(path);
  });

  it.each([
    '{"message":"hi","user_id":"u","context":["__proto__","constructor"]}',
    '{"Constructor":1,"__proto":2,"prototypes":3,"proto":4}',
    '[]',
    '"__proto__"',
    'null',
    '42',
  ])('lets %s through (names only matter as keys, and exactly)', (text) => {
    expect(prototypeKeyPath(JSON.parse(text))).toBeNull();
  });

  it('passes undefined (no body) and a null-prototype query object', () => {
    expect(prototypeKeyPath(undefined)).toBeNull();
    expect(prototypeKeyPath(Object.assign(Object.create(null) as object, { user_id: 'u' }))).toBeNull();
  });

  it('walks a body nested far deeper than the call stack would allow', () => {
    const depth = 100_000;
    const text = `${'['.repeat(depth)}{"__proto__":1}${']'.repeat(depth)}`;
    expect(prototypeKeyPath(JSON.parse(text))).toBe(`${'0.'.repeat(depth)}__proto__`);
  });
});
