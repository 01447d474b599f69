import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generationJobCount } from './support/queue-inspector.js';
import { TestStack } from './support/test-stack.js';

/**
 * The gateway serves `POST /api/v1/chat/unified/stream` and `POST /v1/chat/completions` ahead of
 * Express and Nest (apps/gateway/src/direct-routes); the same request with a query
 * string goes the framework's way. Both must answer alike, byte for byte where nothing differs by nature (ids,
 * dates): status, headers, body, and what reaches Redis.
 */
const STREAM = '/api/v1/chat/unified/stream';

/** Differ between any two responses, whichever route answered. */
const VOLATILE = new Set(['date', 'x-request-id', 'x-stream-id', 'x-session-id']);

interface Sent {
  contentType?: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (value: unknown) => JSON.stringify(value);
const valid = { message: 'How do I run the tests?', user_id: 'direct-user' };

/** Refusals and odd-but-valid bodies: each is sent both ways and compared whole. */
const refusals: Array<[string, Sent]> = [
  ['an unknown field', { body: json({ ...valid, extra: 1 }) }],
  ['a blank message', { body: json({ ...valid, message: ' ' }) }],
  ['no user_id (auth off)', { body: json({ message: 'hi' }) }],
  ['a session_id against its rule', { body: json({ ...valid, session_id: 'a@b' }) }],
  ['a body that is not JSON', { body: '{"message": "hi",' }],
  ['a JSON array', { body: '[]' }],
  ['a text/plain body', { contentType: 'text/plain', body: 'hello' }],
  ['a charset body-parser does not read', { contentType: 'application/json; charset=latin1', body: json(valid) }],
  ['a body over 64 KiB', { body: json({ ...valid, message: 'a'.repeat(70 * 1024) }) }],
  ['a __proto__ key', { body: '{"message":"hi","user_id":"u","__proto__":{"x":1}}' }],
  ['an empty body', { body: '' }],
  ['a content encoding body-parser does not know', { body: json(valid), headers: { 'Content-Encoding': 'br2' } }],
];

async function send(baseUrl: string, path: string, sent: Sent): Promise<Answer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': sent.contentType ?? 'application/json', ...sent.headers },
    body: sent.body,
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!VOLATILE.has(name)) headers[name] = value;
  });
  // A stream is read up to its `meta` (ids in it differ by nature) and left; anything else whole.
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    return { status: res.status, headers, body: withoutIds(new TextDecoder().decode(value).split('\n')[0]) };
  }
  const body = await res.text();
  // A body's ETag hashes it, ids included.
  if (withoutIds(body) !== body && headers.etag) headers.etag = '<hash of a body with ids>';
  return { status: res.status, headers, body: withoutIds(body) };
}

/** Ids and creation times in a body differ between any two turns, whichever route started them. */
function withoutIds(body: string): string {
  return body.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>').replace(/"created":\d+/g, '"created":<t>');
}

async function bothWays(baseUrl: string, sent: Sent, path = STREAM): Promise<{ direct: Answer; framework: Answer }> {
  return { direct: await send(baseUrl, path, sent), framework: await send(baseUrl, `${path}?via=framework`, sent) };
}

const COMPLETIONS = '/v1/chat/completions';
const question = { model: 'builtin', messages: [{ role: 'user', content: 'How do I run the tests?' }], user: 'direct-user' };

/** The OpenAI-compatible start (docs/api.md §13), whose refusals have OpenAI's shape. */
const completionCases: Array<[string, Sent]> = [
  ['a body that is not JSON', { body: '{"model":' }],
  ['an unknown model', { body: json({ ...question, model: 'nope' }) }],
  ['no user (auth off)', { body: json({ model: 'builtin', messages: question.messages }) }],
  ['no messages', { body: json({ model: 'builtin', user: 'u' }) }],
  ['a bad X-Session-Id', { body: json(question), headers: { 'X-Session-Id': 'a b' } }],
  ['a text/plain body', { contentType: 'text/plain', body: 'hi' }],
  ['a streamed start', { body: json({ ...question, stream: true }) }],
  ['a whole reply', { body: json(question) }],
];

describe('the stream-start route served ahead of the framework', () => {
  let stack: TestStack;
  let url: string;
  beforeAll(async () => {
    stack = await TestStack.start();
    url = stack.gateway.url;
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it.each(refusals)('answers %s as the framework does, and enqueues nothing', async (_name, sent) => {
    const before = await generationJobCount(stack.redis.url, stack.env.REDIS_PREFIX);
    const { direct, framework } = await bothWays(url, sent);
    expect(direct.status).toBeGreaterThanOrEqual(400);
    expect(direct).toEqual(framework);
    expect(await generationJobCount(stack.redis.url, stack.env.REDIS_PREFIX)).toBe(before);
  });

  it('starts a stream with the same status, headers and first event as the framework', async () => {
    const { direct, framework } = await bothWays(url, { body: json(valid) });
    expect(direct.status).toBe(200);
    expect(direct.headers['content-type']).toBe('text/event-stream');
    expect(direct.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(direct.body).toBe('event: meta');
    expect(direct).toEqual(framework);
  });

  it('reads a gzip-encoded and a +json body as the framework does', async () => {
    for (const sent of [
      { body: gzipSync(json(valid)), headers: { 'Content-Encoding': 'gzip' } },
      { contentType: 'application/vnd.chat+json; charset=utf-8', body: json(valid) },
    ]) {
      const { direct, framework } = await bothWays(url, sent);
      expect(direct.status).toBe(200);
      expect(direct).toEqual(framework);
    }
  });

  it.each(completionCases)('answers %s on the OpenAI-compatible route as the framework does', async (_name, sent) => {
    const { direct, framework } = await bothWays(url, sent, COMPLETIONS);
    expect(direct).toEqual(framework);
  }, 30_000);

  it('echoes a sane X-Request-Id and replaces one that is not', async () => {
    const echoed = await fetch(`${url}${STREAM}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-42' }, body: '{' });
    expect(echoed.headers.get('x-request-id')).toBe('req-42');
    const replaced = await fetch(`${url}${STREAM}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'a b' }, body: '{' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the direct stream-start route with auth on', () => {
  const key = 'direct-route-key';
  let stack: TestStack;
  let url: string;
  beforeAll(async () => {
    const hash = createHash('sha256').update(key).digest('hex');
    stack = await TestStack.start({ env: { AUTH_MODE: 'apikey', API_KEYS: `dana:${hash}` } });
    url = stack.gateway.url;
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it.each([
    ['no credentials', {}, { message: 'hi' }],
    ['a wrong key', { Authorization: 'Bearer nope' }, { message: 'hi' }],
    ["someone else's user_id", { Authorization: `Bearer ${key}` }, { message: 'hi', user_id: 'eve' }],
  ])('refuses %s as the framework does', async (_name, headers, body) => {
    const { direct, framework } = await bothWays(url, { body: json(body), headers });
    expect([401, 403]).toContain(direct.status);
    expect(direct).toEqual(framework);
  });

  it('starts a stream for the key holder as the framework does', async () => {
    const { direct, framework } = await bothWays(url, { body: json({ message: 'hi' }), headers: { Authorization: `Bearer ${key}` } });
    expect(direct.status).toBe(200);
    expect(direct).toEqual(framework);
  });
});

describe('stream starts with CORS configured (served by the framework, whose cors middleware adds headers)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { CORS_ORIGINS: 'https://chat.example.test' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('answers a start with the CORS headers, with and without an Origin', async () => {
    const crossOrigin = await send(stack.gateway.url, STREAM, { body: json(valid), headers: { Origin: 'https://chat.example.test' } });
    expect(crossOrigin.status).toBe(200);
    expect(crossOrigin.headers['access-control-allow-origin']).toBe('https://chat.example.test');
    expect(crossOrigin.headers['access-control-expose-headers']).toMatch(/X-Stream-Id/);
    const { direct, framework } = await bothWays(stack.gateway.url, { body: json({ ...valid, user_id: 'other' }) });
    expect(direct.headers.vary).toBe('Origin');
    expect(direct).toEqual(framework);
  });
});
