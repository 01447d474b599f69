import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from '@jest/globals';
import { optionalUserIdPipe, sessionIdPipe } from './id.pipe.js';

function refusalOf(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('sessionIdPipe', () => {
  it.each(['a', 'chat-1', 'a.b:c_d-e', '...', 'x'.repeat(128), '3f1b7a52-4c1e-4b8e-9a55-0d2b4b7e2f10'])('takes %s', (id) => {
    expect(sessionIdPipe.transform(id)).toBe(id);
  });

  const controls = [...Array(0x20).keys(), 0x7f].map((code) => `a${String.fromCharCode(code)}b`);
  it.each(['', '.', '..', 'a b', 'a/b', 'a@b', 'é', 'x'.repeat(129), '\uD800', ...controls, undefined, ['a', 'b']])('refuses %j with 400 and the rule', (id) => {
    const err = refusalOf(() => sessionIdPipe.transform(id));
    expect(err).toBeInstanceOf(BadRequestException);
    expect((err as BadRequestException).getResponse()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['session_id must be 1-128 characters of [A-Za-z0-9_.:-], other than . and ..'],
    });
  });
});

describe('optionalUserIdPipe', () => {
  it('takes no user_id, or one that follows the rule', () => {
    expect(optionalUserIdPipe.transform(undefined)).toBeUndefined();
    expect(optionalUserIdPipe.transform('alice@example.com')).toBe('alice@example.com');
  });

  it.each(['', 'a\u0000b', 'a b', 'u'.repeat(129), ['a', 'b']])('refuses %j', (id) => {
    expect(() => optionalUserIdPipe.transform(id)).toThrow(BadRequestException);
  });
});
