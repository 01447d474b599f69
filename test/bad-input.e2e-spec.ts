import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData } from '@app/contracts';
import { StreamKeys } from '@app/stream-store';
import { generationJobCount } from './support/queue-inspector.js';
import { rawRequest } from './support/raw-request.js';
import { readStream } from './support/sse-reader.js';
import { TestStack } from './support/test-stack.js';

const valid = { message: 'How do I run the tests?', user_id: 'bad-input-user' };

interface Case {
  name: string;
  body: string;
  contentType?: string;
  status: number;
  mentions?: RegExp;
}

const json = (value: unknown) => JSON.stringify(value);
const cases: Case[] = [
  { name: 'unknown field', body: json({ ...valid, extra: 1 }), status: 400, mentions: /extra should not exist/ },
  { name: 'missing message', body: json({ user_id: 'u' }), status: 400, mentions: /message/ },
  { name: 'blank message', body: json({ ...valid, message: ' \n\t ' }), status: 400, mentions: /message/ },
  { name: 'message of 8,001 characters', body: json({ ...valid, message: 'a'.repeat(8_001) }), status: 400, mentions: /message/ },
  { name: 'message that is not a string', body: json({ ...valid, message: 42 }), status: 400, mentions: /message/ },
  { name: 'missing user_id', body: json({ message: 'hi' }), status: 400, mentions: /user_id/ },
  { name: 'user_id with a space', body: json({ ...valid, user_id: 'a b' }), status: 400, mentions: /user_id/ },
  { name: 'user_id of 129 characters', body: json({ ...valid, user_id: 'u'.repeat(129) }), status: 400, mentions: /user_id/ },
  { name: 'session_id with @', body: json({ ...valid, session_id: 'a@b' }), status: 400, mentions: /session_id/ },
  { name: 'empty session_id', body: json({ ...valid, session_id: '' }), status: 400, mentions: /session_id/ },
  { name: 'language over 32 characters', body: json({ ...valid, language: 'x'.repeat(33) }), status: 400, mentions: /language/ },
  { name: 'language that is not a string', body: json({ ...valid, language: ['en'] }), status: 400, mentions: /language/ },
  { name: 'context with 9 items', body: json({ ...valid, context: Array(9).fill('x') }), status: 400, mentions: /context/ },
  { name: 'context item over 4,000 characters', body: json({ ...valid, context: ['x'.repeat(4_001)] }), status: 400, mentions: /context/ },
  { name: 'context that is not an array', body: json({ ...valid, context: 'x' }), status: 400, mentions: /context/ },
  { name: 'context with a non-string item', body: json({ ...valid, context: [1] }), status: 400, mentions: /context/ },
  { name: 'body that is not JSON', body: '{"message": "hi",', status: 400, mentions: /JSON/ },
  { name: 'JSON array body', body: '[]', status: 400 },
  { name: 'JSON string body', body: '"hello"', status: 400 },
  { name: 'text/plain body', body: 'hello', contentType: 'text/plain', status: 415 },
  { name: 'form body', body: 'message=hi&user_id=u', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { name: 'body over 64 KiB', body: json({ ...valid, message: 'a'.repeat(70 * 1024) }), status: 413 },
];

/**
 * Keys naming prototype members, written as raw JSON text (an object literal's `__proto__` sets
 * the prototype instead of making a key, so JSON.stringify could not write them). `path` is the
 * property the 400 must name. The DTO has no object field, so a key deeper than the top sits in
 * a `context` item, where the refusal must still name it (not just "items must be strings").
 */
const prototypeKeyCases = [
  { name: '__proto__', body: '{"message":"hi","user_id":"u","__proto__":{"x":1}}', path: '__proto__' },
  { name: 'constructor', body: '{"message":"hi","user_id":"u","constructor":{"prototype":{"x":1}}}', path: 'constructor' },
  { name: 'prototype', body: '{"message":"hi","user_id":"u","prototype":{"x":1}}', path: 'prototype' },
  { name: '__proto__ written with a JSON escape', body: '{"message":"hi","user_id":"u","\\u005f_proto__":{"x":1}}', path: '__proto__' },
  { name: '__proto__ in a context item', body: '{"message":"hi","user_id":"u","context":["a",{"__proto__":{"x":1}}]}', path: 'context.1.__proto__' },
  { name: 'constructor deep in a context item', body: '{"message":"hi","user_id":"u","context":[[{"ok":{"constructor":1}}]]}', path: 'context.0.0.ok.constructor' },
  { name: 'prototype in an object given as message', body: '{"message":{"prototype":"hi"},"user_id":"u"}', path: 'message.prototype' },
];

/** Every route that takes a session id in its path: the gateway's and history's own. */
const sessionRoutes = (id: string): Array<['gateway' | 'history', string, string]> => [
  ['gateway', 'GET', `/api/v1/chat/history/${id}?user_id=u`],
  ['gateway', 'GET', `/api/v1/chat/history/${id}`],
  ['gateway', 'DELETE', `/api/v1/chat/sessions/${id}?user_id=u`],
  ['history', 'GET', `/sessions/${id}?user_id=u`],
  ['history', 'GET', `/sessions/${id}/owner`],
  ['history', 'GET', `/sessions/${id}/context`],
  ['history', 'DELETE', `/sessions/${id}?user_id=u`],
];

describe('bad input (docs/api.md §1 and §6)', () => {
  let stack: TestStack;
  let url: string;
  beforeAll(async () => {
    stack = await TestStack.start();
    url = stack.gateway.url;
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it.each(cases.map((c) => [c.name, c] as const))('%s → documented status, JSON error, nothing enqueued', async (_name, c) => {
    for (const path of ['/api/v1/chat/unified/stream', '/api/v1/chat/unified']) {
      const before = await generationJobCount(stack.redis.url, stack.env.REDIS_PREFIX);
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': c.contentType ?? 'application/json' }, body: c.body });
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { statusCode: number; error: string; message: unknown };
      expect(body.statusCode).toBe(c.status);
      expect(typeof body.error).toBe('string');
      if (c.mentions) expect(JSON.stringify(body.message)).toMatch(c.mentions);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/); // no stack trace
      expect(await generationJobCount(stack.redis.url, stack.env.REDIS_PREFIX)).toBe(before);
    }
  });

  it.each(prototypeKeyCases.map((c) => [c.name, c] as const))('refuses a body with a %s key: 400 naming it, nothing enqueued or stored', async (_name, c) => {
    for (const path of ['/api/v1/chat/unified/stream', '/api/v1/chat/unified']) {
      const before = await generationJobCount(stack.redis.url, stack.env.REDIS_PREFIX);
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: c.body });
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: [`property ${c.path} should not exist`] });
      expect(await generationJobCount(stack.redis.url, stack.env.REDIS_PREFIX)).toBe(before);
    }
    const sessions = (await (await fetch(`${url}/api/v1/chat/sessions?user_id=u`)).json()) as { total_sessions: number };
    expect(sessions.total_sessions).toBe(0);
  });

  it('reads a body sent as a +json media type like application/json', async () => {
    const res = await fetch(`${url}/api/v1/chat/unified`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.chat+json; charset=utf-8' }, body: JSON.stringify(valid) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { response: string }).response.length).toBeGreaterThan(0);
  });

  it('refuses a prototype key in a query string with 400, like any unknown parameter', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const res = await fetch(`${url}/api/v1/chat/stats?user_id=u&${key}=1`);
      expect([key, res.status]).toEqual([key, 400]);
      expect(await res.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: [`property ${key} should not exist`] });
    }
  });

  it('refuses a session id with a control character (a%00b) in any path with 400 and the rule, on the gateway and on history', async () => {
    for (const [service, method, path] of sessionRoutes('a%00b')) {
      const res = await rawRequest(service === 'gateway' ? url : stack.env.HISTORY_URL, method, path);
      expect([service, method, path, res.status]).toEqual([service, method, path, 400]);
      expect(res.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({ statusCode: 400, error: 'Bad Request', message: [expect.stringMatching(/^session_id must be 1-128 characters/)] });
    }
    // A stream id can only be a UUID: anything else names no stream (404, as before).
    for (const [method, path] of [['GET', '/api/v1/chat/streams/a%00b'], ['POST', '/api/v1/chat/streams/a%00b/cancel']]) {
      const res = await rawRequest(url, method, path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 404, error: 'Stream not found' });
    }
  });

  it('refuses . and .. as a session id: a URL parser would resolve them to another route of history', async () => {
    for (const id of ['%2E', '.', '%2E%2E', '..']) {
      for (const [service, method, path] of sessionRoutes(id)) {
        const res = await rawRequest(service === 'gateway' ? url : stack.env.HISTORY_URL, method, path);
        expect([method, path, res.status]).toEqual([method, path, 400]);
      }
    }
    const named = await fetch(`${url}/api/v1/chat/unified`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...valid, session_id: '..' }) });
    expect(named.status).toBe(400);
  });

  it('refuses ids in a query that break their rule with 400 before Redis or history is asked', async () => {
    const stream = '3f1b7a52-4c1e-4b8e-9a55-0d2b4b7e2f10';
    for (const [base, method, path] of [
      [url, 'GET', `/api/v1/chat/streams/${stream}?user_id=a%00b`],
      [url, 'POST', `/api/v1/chat/streams/${stream}/cancel?user_id=a%20b`],
      [url, 'GET', `/api/v1/chat/stats?user_id=${'u'.repeat(129)}`],
      [stack.env.HISTORY_URL, 'GET', `/sessions/some-session/context?exclude_stream=a%00b`],
      [stack.env.HISTORY_URL, 'GET', `/stats?user_id=a%00b`],
    ] as const) {
      const res = await rawRequest(base, method, path);
      expect([path, res.status]).toEqual([path, 400]);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
  });

  it('accepts the limits themselves (8,000 characters, 8 context items of 4,000, 32-character language)', async () => {
    const res = await readStream(`${url}/api/v1/chat/unified/stream`, {
      body: { ...valid, message: 'é'.repeat(8_000), context: Array(8).fill('c'.repeat(4_000)), language: 'l'.repeat(32) },
    });
    expect(res.status).toBe(200);
    expect(res.json<DoneEventData>('done').status).toBe('completed');
  }, 30_000);

  it("answers 404 for another user's session", async () => {
    const first = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { ...valid, user_id: 'owner' }, stopWhen: (e) => e.length >= 2 });
    const sessionId = first.headers.get('x-session-id')!;
    const stolen = await fetch(`${url}/api/v1/chat/unified/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...valid, user_id: 'intruder', session_id: sessionId }),
    });
    expect(stolen.status).toBe(404);
    expect(await stolen.json()).toMatchObject({ statusCode: 404, session_id: sessionId });
  }, 30_000);

  it('answers 409 with the running stream_id while a session is busy', async () => {
    const slow = await TestStack.start({ env: { PACING_MS: '20' } });
    try {
      const first = readStream(`${slow.gateway.url}/api/v1/chat/unified/stream`, { body: { ...valid, session_id: 'busy-session' } });
      let conflict: Response | undefined;
      for (let i = 0; i < 50 && conflict?.status !== 409; i++) {
        conflict = await fetch(`${slow.gateway.url}/api/v1/chat/unified/stream`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...valid, session_id: 'busy-session' }),
        });
        if (conflict.status === 200) await conflict.body?.cancel();
      }
      expect(conflict?.status).toBe(409);
      const body = (await conflict!.json()) as { stream_id: string };
      const done = (await first).json<DoneEventData>('done');
      expect(body.stream_id).toBe(done.stream_id);
      // Once it ended, the session takes a new stream.
      const next = await readStream(`${slow.gateway.url}/api/v1/chat/unified/stream`, { body: { ...valid, session_id: 'busy-session' } });
      expect(next.json<DoneEventData>('done').status).toBe('completed');
    } finally {
      await slow.stop();
    }
  }, 60_000);

  const postStream = (body: Record<string, unknown>) =>
    fetch(`${url}/api/v1/chat/unified/stream`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...valid, ...body }) });

  it('answers 404 when the cached owner of a session is another user', async () => {
    const redis = stack.redis.client();
    try {
      await redis.set(new StreamKeys(stack.env.REDIS_PREFIX).sessionOwner('owned-elsewhere'), 'someone-else');
      const res = await postStream({ session_id: 'owned-elsewhere' });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ statusCode: 404, error: 'Session not found', message: 'Session not found', session_id: 'owned-elsewhere' });
    } finally {
      redis.disconnect();
    }
  }, 30_000);

  it('asks history for an owner that is not cached, answers 404 to anyone else and caches the owner again', async () => {
    const first = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { ...valid, user_id: 'history-owner' } });
    const sessionId = first.json<DoneEventData>('done').session_id;
    const redis = stack.redis.client();
    const keys = new StreamKeys(stack.env.REDIS_PREFIX);
    try {
      await redis.del(keys.sessionOwner(sessionId));
      const stolen = await postStream({ user_id: 'intruder', session_id: sessionId });
      expect(stolen.status).toBe(404);
      expect(await stolen.json()).toEqual({ statusCode: 404, error: 'Session not found', message: 'Session not found', session_id: sessionId });
      expect(await redis.get(keys.sessionOwner(sessionId))).toBe('history-owner');
      expect(await redis.get(keys.sessionActive(sessionId))).toBeNull();
      const next = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { ...valid, user_id: 'history-owner', session_id: sessionId } });
      expect(next.json<DoneEventData>('done').status).toBe('completed');
    } finally {
      redis.disconnect();
    }
  }, 30_000);

  it("answers 409 for a session's running claim and takes over a claim whose stream has ended", async () => {
    const redis = stack.redis.client();
    const keys = new StreamKeys(stack.env.REDIS_PREFIX);
    const sessionId = 'stale-claim-session';
    const held = '0b7e3c2a-5d41-4f6e-8a9b-1c2d3e4f5a6b';
    try {
      await redis.set(keys.sessionOwner(sessionId), valid.user_id);
      await redis.set(keys.sessionActive(sessionId), held);
      await redis.hset(keys.meta(held), { user_id: valid.user_id, session_id: sessionId, status: 'running', created_at: new Date().toISOString() });
      const conflict = await postStream({ session_id: sessionId });
      expect(conflict.status).toBe(409);
      expect(await conflict.json()).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: 'A stream is already running for this session',
        stream_id: held,
        session_id: sessionId,
      });

      // The stream ended without releasing its claim: the next turn takes the session over.
      await redis.hset(keys.meta(held), 'status', 'completed');
      const afterEnd = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { ...valid, session_id: sessionId } });
      expect(afterEnd.json<DoneEventData>('done').status).toBe('completed');

      // A claim whose stream left no meta at all (expired) is stale too.
      await redis.set(keys.sessionActive(sessionId), '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d');
      const afterExpiry = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { ...valid, session_id: sessionId } });
      expect(afterExpiry.json<DoneEventData>('done').status).toBe('completed');
    } finally {
      redis.disconnect();
    }
  }, 30_000);

  it('answers 400/404 on history routes and keeps serving afterwards', async () => {
    expect((await fetch(`${url}/api/v1/chat/sessions`)).status).toBe(400);
    expect((await fetch(`${url}/api/v1/chat/sessions?user_id=bad%20id`)).status).toBe(400);
    const missing = await fetch(`${url}/api/v1/chat/history/no-such-session`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'Session not found', session_id: 'no-such-session' });
    expect((await fetch(`${url}/api/v1/chat/streams/not-a-stream`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/chat/streams/3f1b7a52-4c1e-4b8e-9a55-0d2b4b7e2f10`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/chat/streams/3f1b7a52-4c1e-4b8e-9a55-0d2b4b7e2f10/cancel`, { method: 'POST' })).status).toBe(404);

    const after = await readStream(`${url}/api/v1/chat/unified/stream`, { body: valid });
    expect(after.json<DoneEventData>('done').status).toBe('completed');
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  }, 30_000);
});
