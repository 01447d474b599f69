import { describe, expect, it } from '@jest/globals';
import { isUsableToken, normaliseToken } from './access-token';
import { ApiError } from './api-error';
import { authHeaders, authProblem, userParams, withUser } from './credentials';

describe('credentials', () => {
  const anonymous = { token: null, userId: 'user-1' };
  const signedIn = { token: 'abc.def.ghi', userId: 'user-1' };

  it('without a token: names the user, sends no Authorization header', () => {
    expect(authHeaders(anonymous)).toEqual({});
    expect(userParams(anonymous)).toEqual({ user_id: 'user-1' });
    expect(withUser('/api/v1/chat/sessions', anonymous)).toBe('/api/v1/chat/sessions?user_id=user-1');
  });

  it('with a token: Bearer header, and no user_id anywhere', () => {
    expect(authHeaders(signedIn)).toEqual({ Authorization: 'Bearer abc.def.ghi' });
    expect(userParams(signedIn)).toEqual({});
    expect(withUser('/api/v1/chat/sessions', signedIn)).toBe('/api/v1/chat/sessions');
    expect(withUser('/api/v1/chat/streams/x', signedIn, { last_event_id: '3' })).toBe('/api/v1/chat/streams/x?last_event_id=3');
  });

  it('says 401 and 403 in words, and leaves other errors alone', () => {
    expect(authProblem(new ApiError(401, 'Missing credentials'), false)).toEqual({
      message: 'Sign-in required: paste an access token in Settings.',
      signIn: true,
    });
    expect(authProblem(new ApiError(401, 'Invalid or expired token'), true)?.message).toMatch(/^Token rejected/);
    expect(authProblem(new ApiError(403, 'user_id does not match the credentials'), true)).toMatchObject({ signIn: false });
    expect(authProblem(new ApiError(403, 'x'), true)?.message).toMatch(/user id/);
    expect(authProblem(new ApiError(404, 'Not found'), true)).toBeNull();
    expect(authProblem(new Error('network'), true)).toBeNull();
  });
});

describe('access token input', () => {
  it('drops surrounding space and a pasted "Bearer " prefix', () => {
    expect(normaliseToken('  Bearer abc.def  \n')).toBe('abc.def');
    expect(normaliseToken('abc')).toBe('abc');
  });

  it('accepts only what fits in an Authorization header', () => {
    expect(isUsableToken('eyJhbGciOi.J9.x-_~')).toBe(true);
    expect(isUsableToken('')).toBe(false);
    expect(isUsableToken('two words')).toBe(false);
    expect(isUsableToken('line\nbreak')).toBe(false);
    expect(isUsableToken('naïve')).toBe(false);
  });
});
