import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SessionHistory } from '@app/contracts';
import { SignJWT } from 'jose';
import OpenAI from 'openai';
import { TestStack } from '../support/test-stack.js';

// AUTH_MODE=jwt: the openai client's API key is the JWT, sent as Authorization: Bearer, exactly
// as the native API takes it (docs/api.md §8, §13).
const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const sign = (sub: string, expiresIn = '5m') =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(SECRET));

describe('the OpenAI-compatible API with AUTH_MODE=jwt', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { AUTH_MODE: 'jwt', JWT_SECRET: SECRET } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  it('takes a JWT as the API key: the turn is the token subject’s, `user` is only a label', async () => {
    const token = await sign('jwt-user');
    const client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: token, maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['builtin']);
    const { data, response } = await client.chat.completions
      .create({ model: 'builtin', messages: [{ role: 'user', content: 'What is pacing?' }], user: 'someone-else' })
      .withResponse();
    const history = (await (
      await fetch(`${stack.gateway.url}/api/v1/chat/history/${response.headers.get('x-session-id')}`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as SessionHistory;
    expect(history.user_id).toBe('jwt-user');
    expect(history.messages[0].content).toBe('What is pacing?');
    expect(data.choices[0].message.content!.length).toBeGreaterThan(0);
  }, 30_000);

  it('refuses an expired or missing token with 401 in OpenAI shape', async () => {
    const expired = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: await sign('jwt-user', '-1m'), maxRetries: 0 });
    const failure = await expired.chat.completions.create({ model: 'builtin', messages: [{ role: 'user', content: 'hi' }] }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((failure as InstanceType<typeof OpenAI.AuthenticationError>).message).toMatch(/Invalid or expired token/);
    const missing = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'builtin', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
  }, 30_000);
});
