import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, SessionList } from '@app/contracts';
import { SignJWT } from 'jose';
import { readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'chat';

async function token(sub: string, options: { secret?: string; issuer?: string; audience?: string; expiresIn?: string } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('AUTH_MODE=jwt: every route is scoped to the caller', () => {
  let stack: TestStack;
  let url: string;
  let alice: string;
  let bob: string;
  let session: string;
  let stream: string;
  const as = (t: string | undefined, extra: Record<string, string> = {}) => ({ ...(t ? { Authorization: `Bearer ${t}` } : {}), ...extra });
  const call = (path: string, t: string | undefined, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { ...as(t), ...(init.body ? { 'Content-Type': 'application/json' } : {}) } });

  beforeAll(async () => {
    stack = await TestStack.start({ env: { AUTH_MODE: 'jwt', JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
    url = stack.gateway.url;
    [alice, bob] = await Promise.all([token('alice'), token('bob')]);
    const res = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { message: 'What is JSON?' }, headers: as(alice) });
    const done = res.json<DoneEventData>('done');
    session = done.session_id;
    stream = done.stream_id;
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('gives unguessable stream ids (UUIDv4)', () => {
    expect(stream).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([
    ['no credentials', undefined],
    ['a token signed with another secret', 'other'],
    ['an expired token', 'expired'],
    ['a token for another audience', 'audience'],
    ['a token from another issuer', 'issuer'],
    ['garbage', 'garbage'],
  ])('answers 401 to %s on every API route', async (_name, kind) => {
    const t =
      kind === undefined
        ? undefined
        : kind === 'other'
          ? await token('alice', { secret: 'another-secret-that-is-long-enough-too!!' })
          : kind === 'expired'
            ? await token('alice', { expiresIn: '-1m' })
            : kind === 'audience'
              ? await token('alice', { audience: 'someone-else' })
              : kind === 'issuer'
                ? await token('alice', { issuer: 'https://evil.example' })
                : 'not.a.jwt';
    const routes: Array<[string, RequestInit]> = [
      ['/api/v1/chat/unified/stream', { method: 'POST', body: JSON.stringify({ message: 'hi' }) }],
      ['/api/v1/chat/unified', { method: 'POST', body: JSON.stringify({ message: 'hi' }) }],
      ['/api/v1/chat/sessions', {}],
      [`/api/v1/chat/history/${session}`, {}],
      [`/api/v1/chat/sessions/${session}`, { method: 'DELETE' }],
      ['/api/v1/chat/stats', {}],
      [`/api/v1/chat/streams/${stream}`, {}],
      [`/api/v1/chat/streams/${stream}/cancel`, { method: 'POST' }],
    ];
    for (const [path, init] of routes) {
      const res = await call(path, t, init);
      expect([path, res.status]).toEqual([path, 401]);
      expect(await res.json()).toMatchObject({ statusCode: 401 });
    }
  });

  it("hides alice's session and stream from bob on every route (404, no existence leak)", async () => {
    expect((await call(`/api/v1/chat/history/${session}`, bob)).status).toBe(404);
    expect((await call(`/api/v1/chat/history/no-such-session`, bob)).status).toBe(404);
    expect((await call(`/api/v1/chat/sessions/${session}`, bob, { method: 'DELETE' })).status).toBe(404);
    expect((await call(`/api/v1/chat/streams/${stream}`, bob)).status).toBe(404);
    expect((await call(`/api/v1/chat/streams/${stream}/cancel`, bob, { method: 'POST' })).status).toBe(404);
    const hijack = await call('/api/v1/chat/unified/stream', bob, { method: 'POST', body: JSON.stringify({ message: 'hi', session_id: session }) });
    expect(hijack.status).toBe(404);
    const bobs = (await (await call('/api/v1/chat/sessions', bob)).json()) as SessionList;
    expect(bobs).toEqual({ user_id: 'bob', total_sessions: 0, sessions: [] });
    expect(await (await call('/api/v1/chat/stats', bob)).json()).toEqual({ total_sessions: 0, total_messages: 0, active_streams: 0 });
    // Alice's session is untouched by bob's attempts.
    expect((await call(`/api/v1/chat/history/${session}`, alice)).status).toBe(200);
  });

  it('lets alice use her own session, stream and stats', async () => {
    const list = (await (await call('/api/v1/chat/sessions', alice)).json()) as SessionList;
    expect(list.sessions.map((s) => s.session_id)).toEqual([session]);
    expect((await call('/api/v1/chat/stats', alice).then((r) => r.json()))).toMatchObject({ total_sessions: 1, total_messages: 2 });
    const replay = await readStream(`${url}/api/v1/chat/streams/${stream}`, { headers: as(alice) });
    expect(replay.json<DoneEventData>('done').stream_id).toBe(stream);
    // EventSource cannot send headers: the token may come as access_token in the query.
    expect((await fetch(`${url}/api/v1/chat/streams/${stream}?access_token=${alice}`)).status).toBe(200);
    expect((await call(`/api/v1/chat/streams/${stream}/cancel`, alice, { method: 'POST' })).status).toBe(409);
    const again = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { message: 'And YAML?', session_id: session }, headers: as(alice) });
    expect(again.json<DoneEventData>('done').session_id).toBe(session);
  }, 30_000);

  it('answers 403 when a body or query user_id names someone else, and accepts a matching one', async () => {
    const body = (user: string) => JSON.stringify({ message: 'hi', user_id: user });
    expect((await call('/api/v1/chat/unified/stream', alice, { method: 'POST', body: body('bob') })).status).toBe(403);
    expect((await call('/api/v1/chat/unified', alice, { method: 'POST', body: body('bob') })).status).toBe(403);
    expect((await call('/api/v1/chat/sessions?user_id=bob', alice)).status).toBe(403);
    expect((await call(`/api/v1/chat/history/${session}?user_id=bob`, alice)).status).toBe(403);
    expect((await call('/api/v1/chat/stats?user_id=bob', alice)).status).toBe(403);
    expect((await call('/api/v1/chat/sessions?user_id=alice', alice)).status).toBe(200);
    const ok = await call('/api/v1/chat/unified', alice, { method: 'POST', body: body('alice') });
    expect(ok.status).toBe(200);
  }, 30_000);

  it('deletes only for the owner', async () => {
    expect((await call(`/api/v1/chat/sessions/${session}`, alice, { method: 'DELETE' })).status).toBe(200);
    expect((await call(`/api/v1/chat/history/${session}`, alice)).status).toBe(404);
  }, 30_000);

  it('keeps health and metrics open for probes', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });
});

describe('AUTH_MODE=apikey', () => {
  let stack: TestStack;
  const key = 'csk_test_key_for_carol_0123456789abcdef';
  const hash = createHash('sha256').update(key).digest('hex');
  beforeAll(async () => {
    stack = await TestStack.start({ env: { AUTH_MODE: 'apikey', API_KEYS: `carol:${hash}` } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('maps a key (Bearer or X-API-Key) to its user and refuses unknown keys', async () => {
    const url = stack.gateway.url;
    const res = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { message: 'What is Redis?' }, headers: { Authorization: `Bearer ${key}` } });
    expect(res.json<DoneEventData>('done').status).toBe('completed');
    const list = (await (await fetch(`${url}/api/v1/chat/sessions`, { headers: { 'X-API-Key': key } })).json()) as SessionList;
    expect(list.user_id).toBe('carol');
    expect(list.total_sessions).toBe(1);
    expect((await fetch(`${url}/api/v1/chat/sessions`, { headers: { 'X-API-Key': `${key}x` } })).status).toBe(401);
    expect((await fetch(`${url}/api/v1/chat/sessions`)).status).toBe(401);
  }, 30_000);
});
