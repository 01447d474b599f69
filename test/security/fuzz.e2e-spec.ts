import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SESSION_ID_PATTERN, type SessionHistory } from '@app/contracts';
import fc from 'fast-check';
import { rawRequest } from '../support/raw-request.js';
import { TestStack } from '../support/test-stack.js';

// Every answer a client may get for what it sends; a 5xx would be the server's fault.
const CLIENT_STATUSES = [200, 202, 400, 403, 404, 409, 413, 415, 429, 431];

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Sets `key` as a plain own property, the way JSON.parse does (an assignment to `__proto__` would set the prototype). */
function withOwnKey<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** A key that is not a prototype member: the fuzzed bodies hold exactly one of those. */
const plainKey = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !(PROTOTYPE_KEYS as readonly string[]).includes(k));
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null));

/**
 * A valid chat body with one prototype key put at a random depth: in the body itself, or at the
 * end of a chain of objects and arrays (with scalar siblings) standing as a `context` item. The
 * key is written as sent or with a JSON escape. Yields the body's text and the key's path.
 */
const bodyWithPrototypeKey = fc
  .record({
    message: fc.string({ minLength: 1, maxLength: 40 }).filter((m) => m.trim() !== '' && !m.includes('\u0000')),
    context: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
    key: fc.constantFrom(...PROTOTYPE_KEYS),
    value: fc.jsonValue({ maxDepth: 2 }),
    chain: fc.array(fc.oneof(fc.record({ kind: fc.constant('object' as const), key: plainKey, siblings: fc.dictionary(plainKey, scalar, { maxKeys: 3 }) }), fc.record({ kind: fc.constant('array' as const), siblings: fc.array(scalar, { maxLength: 3 }) })), { maxLength: 6 }),
    atTop: fc.boolean(),
    escaped: fc.boolean(),
  })
  .map(({ message, context, key, value, chain, atTop, escaped }) => {
    const body: Record<string, unknown> = { message, user_id: 'fuzz-prototype', context: [...context] };
    let path: string;
    if (atTop) {
      withOwnKey(body, key, value);
      path = key;
    } else {
      // Built from the innermost level out: the level holding the key, then each container around it.
      let node: unknown = withOwnKey({}, key, value);
      let inner: string = key;
      for (const level of [...chain].reverse()) {
        if (level.kind === 'object') {
          node = { ...level.siblings, [level.key]: node };
          inner = `${level.key}.${inner}`;
        } else {
          node = [...level.siblings, node];
          inner = `${level.siblings.length}.${inner}`;
        }
      }
      (body.context as unknown[]).push(node);
      path = `context.${context.length}.${inner}`;
    }
    let text = JSON.stringify(body);
    // JSON.stringify escapes every quote inside a string, so `"key":` can only be the key itself.
    if (escaped) text = text.replace(`"${key}":`, `"\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${key.slice(1)}":`);
    return { text, path };
  });

/** Each control character, percent-encoded as a client must send it in a path. */
const CONTROL_CHARACTERS = [...Array(0x20).keys(), 0x7f].map((code) => `%${code.toString(16).toUpperCase().padStart(2, '0')}`);

function decodedOrNull(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Path ids a client may forge: valid characters around control characters, any percent-encoded
 * byte (so invalid UTF-8 such as %C0%AF or a lone %FF too), broken escapes, dot segments, and
 * values over the 128-character limit (kept under the 16 KiB header limit, which is a 431).
 */
const hostilePathId = fc.oneof(
  fc
    .array(
      fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9_.:-]{1,6}$/),
        fc.constantFrom(...CONTROL_CHARACTERS),
        fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`),
        fc.constantFrom('%C0%AF', '%FF', '%E0%80%AF', '%ED%A0%80', '%F4%90%80%80', '%', '%Z', '%2', '%2E', '.'),
      ),
      { minLength: 1, maxLength: 12 },
    )
    .map((parts) => parts.join(''))
    // Only ids that break the rule: a valid one may be answered 200 (history's context of an unknown session is empty).
    .filter((id) => !SESSION_ID_PATTERN.test(decodedOrNull(id) ?? '')),
  fc.integer({ min: 129, max: 6_000 }).map((length) => 'a'.repeat(length)),
  fc.integer({ min: 1, max: 1_500 }).map((length) => '%00'.repeat(length)),
);

describe('hostile and random input at every route', () => {
  let stack: TestStack;
  let url: string;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { PACING_MS: '1' } });
    url = stack.gateway.url;
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  /** Sends a request and drops a stream body at once; returns the status. */
  async function status(path: string, init: RequestInit): Promise<number> {
    const controller = new AbortController();
    const res = await fetch(`${url}${path}`, { ...init, signal: controller.signal });
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) controller.abort();
    else await res.arrayBuffer();
    return res.status;
  }

  const expectServing = async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200);

  it('answers random JSON bodies on the chat routes with a 4xx (or a stream), never a 5xx', async () => {
    const body = fc.oneof(
      fc.json(),
      fc.record(
        { message: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), user_id: fc.oneof(fc.string(), fc.anything()), session_id: fc.anything(), context: fc.anything(), language: fc.anything() },
        { requiredKeys: [] },
      ).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('/api/v1/chat/unified/stream', '/api/v1/chat/unified'), async (payload, path) => {
        const code = await status(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: payload });
        expect(CLIENT_STATUSES).toContain(code);
      }),
      { numRuns: 120 },
    );
    await expectServing();
  }, 120_000);

  it('answers random JSON bodies and bytes on the knowledge-base route with a 201 or a 4xx, storing only what it accepted', async () => {
    const documents = async () => ((await (await fetch(`${url}/api/v1/kb/documents`)).json()) as { total_documents: number }).total_documents;
    const before = await documents();
    let accepted = 0;
    const body = fc.oneof(
      fc.json(),
      fc.record(
        { title: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), content: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), format: fc.anything(), source_url: fc.oneof(fc.webUrl(), fc.string(), fc.anything()) },
        { requiredKeys: [] },
      ).map((o) => JSON.stringify(o)),
      fc.uint8Array({ maxLength: 2048 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const code = await status('/api/v1/kb/documents?user_id=fuzz-kb', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: payload });
        expect([payload, code === 201 || (code >= 400 && code < 500)]).toEqual([payload, true]);
        if (code === 201) accepted += 1;
      }),
      { numRuns: 120 },
    );
    expect(await documents()).toBe(before + accepted);
    await expectServing();
  }, 120_000);

  it('answers random bytes and random content types with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/json; charset=latin1'), async (bytes, type) => {
        const code = await status('/api/v1/chat/unified/stream', { method: 'POST', headers: { 'Content-Type': type }, body: bytes });
        expect(code).toBeGreaterThanOrEqual(400);
        expect(code).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
    await expectServing();
  }, 120_000);

  it('answers odd path segments and query strings on every other route without a 5xx', async () => {
    const segment = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('..', '%00', '%', '%ZZ', 'a'.repeat(5000), '😀', '\u202e'));
    await fc.assert(
      fc.asyncProperty(segment, segment, async (id, user) => {
        const s = encodeURIComponent(id);
        const q = `?user_id=${encodeURIComponent(user)}&last_event_id=${encodeURIComponent(user)}`;
        for (const [path, method] of [
          [`/api/v1/chat/history/${s}${q}`, 'GET'],
          [`/api/v1/chat/sessions/${s}${q}`, 'DELETE'],
          [`/api/v1/chat/streams/${s}${q}`, 'GET'],
          [`/api/v1/chat/streams/${s}/cancel${q}`, 'POST'],
          [`/api/v1/chat/sessions${q}`, 'GET'],
          [`/api/v1/chat/stats${q}`, 'GET'],
          [`/api/v1/kb/documents${q}`, 'GET'],
          [`/api/v1/kb/documents/${s}${q}`, 'DELETE'],
        ] as const) {
          const code = await status(path, { method });
          expect([path, CLIENT_STATUSES.includes(code)]).toEqual([path, true]);
        }
      }),
      { numRuns: 40 },
    );
    await expectServing();
  }, 120_000);

  it('refuses a prototype key at any depth of an otherwise valid body with 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(bodyWithPrototypeKey, fc.constantFrom('/api/v1/chat/unified/stream', '/api/v1/chat/unified'), async ({ text, path: keyPath }, route) => {
        const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
        if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
        expect([text, res.status]).toEqual([text, 400]);
        expect(await res.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: [`property ${keyPath} should not exist`] });
      }),
      { numRuns: 150 },
    );
    const sessions = (await (await fetch(`${url}/api/v1/chat/sessions?user_id=fuzz-prototype`)).json()) as { total_sessions: number };
    expect(sessions.total_sessions).toBe(0);
    await expectServing();
  }, 120_000);

  /** Every route that takes an id in its path, the gateway's and history's own, with the status a broken id gets. */
  const pathIdRoutes = (id: string): Array<{ base: () => string; method: string; path: string; refusal: number }> => [
    { base: () => url, method: 'GET', path: `/api/v1/chat/history/${id}?user_id=fuzz-path`, refusal: 400 },
    { base: () => url, method: 'DELETE', path: `/api/v1/chat/sessions/${id}?user_id=fuzz-path`, refusal: 400 },
    { base: () => url, method: 'GET', path: `/api/v1/chat/streams/${id}?user_id=fuzz-path`, refusal: 404 },
    { base: () => url, method: 'POST', path: `/api/v1/chat/streams/${id}/cancel?user_id=fuzz-path`, refusal: 404 },
    { base: () => stack.env.HISTORY_URL, method: 'GET', path: `/sessions/${id}?user_id=fuzz-path`, refusal: 400 },
    { base: () => stack.env.HISTORY_URL, method: 'GET', path: `/sessions/${id}/owner`, refusal: 400 },
    { base: () => stack.env.HISTORY_URL, method: 'GET', path: `/sessions/${id}/context`, refusal: 400 },
    { base: () => stack.env.HISTORY_URL, method: 'DELETE', path: `/sessions/${id}?user_id=fuzz-path`, refusal: 400 },
    { base: () => url, method: 'DELETE', path: `/api/v1/kb/documents/${id}?user_id=fuzz-path`, refusal: 400 },
    { base: () => stack.env.HISTORY_URL, method: 'DELETE', path: `/kb/documents/${id}`, refusal: 400 },
  ];

  const expectJsonError = (reply: { status: number; contentType: string | undefined; body: string }) => {
    expect(reply.contentType).toMatch(/^application\/json/);
    const body = JSON.parse(reply.body) as { statusCode: unknown; error: unknown };
    expect(body.statusCode).toBe(reply.status);
    expect(typeof body.error).toBe('string');
  };

  it('refuses a path id holding any control character (0x00-0x1f, 0x7f) on every route: 400 for a session id, 404 for a stream id', async () => {
    for (const control of CONTROL_CHARACTERS) {
      for (const route of pathIdRoutes(`a${control}b`)) {
        const reply = await rawRequest(route.base(), route.method, route.path);
        expect([route.method, route.path, reply.status]).toEqual([route.method, route.path, route.refusal]);
        expectJsonError(reply);
      }
    }
    await expectServing();
  }, 120_000);

  it('answers hostile path ids (control characters, any percent-encoded byte, invalid UTF-8, over-long) with a 4xx JSON error, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostilePathId, async (id) => {
        for (const route of pathIdRoutes(id)) {
          const reply = await rawRequest(route.base(), route.method, route.path);
          expect([route.method, route.path, reply.status >= 400 && reply.status < 500]).toEqual([route.method, route.path, true]);
          expectJsonError(reply);
        }
      }),
      { numRuns: 80 },
    );
    await expectServing();
  }, 180_000);

  it('refuses huge headers and keeps serving', async () => {
    const code = await new Promise<number>((resolve, reject) => {
      const socket = connect(stack.gateway.port, '127.0.0.1');
      let reply = '';
      socket.on('data', (d) => (reply += d.toString()));
      // Node answers 431 and drops the connection while the rest of the header is still coming.
      const settle = () => (reply ? resolve(Number(reply.split(' ')[1])) : reject(new Error('no answer')));
      socket.on('close', settle);
      socket.on('error', settle);
      socket.write(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    });
    expect(code).toBe(431);
    await expectServing();
  }, 30_000);

  it('keeps serving others while slow-loris clients trickle their headers and bodies', async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const socket = connect(stack.gateway.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(i % 2 === 0 ? 'POST /api/v1/chat/unified HTTP/1.1\r\nHost: x\r\n' : 'POST /api/v1/chat/unified HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"mess');
      sockets.push(socket);
    }
    const trickle = setInterval(() => sockets.forEach((s, i) => s.write(i % 2 === 0 ? 'X-a: b\r\n' : 'a')), 200);
    try {
      const res = await fetch(`${url}/api/v1/chat/unified`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ message: 'What is JSON?', user_id: 'patient' }),
      });
      expect(res.status).toBe(200);
      await expectServing();
    } finally {
      clearInterval(trickle);
      sockets.forEach((s) => s.destroy());
    }
  }, 30_000);

  it('refuses text that cannot be stored as sent (lone surrogates, NUL) with a 400', async () => {
    for (const message of ['\ud800 alone', 'tail \udfff', 'nul \u0000 byte']) {
      const code = await status('/api/v1/chat/unified', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ message, user_id: 'unicode' }),
      });
      expect(code).toBe(400);
    }
  });

  it('stores every valid Unicode message exactly as sent', async () => {
    const message = fc
      .oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }))
      .filter((m) => m.trim() !== '' && !m.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        const res = await fetch(`${url}/api/v1/chat/unified`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ message: text, user_id: 'unicode' }),
        });
        expect(res.status).toBe(200);
        const { session_id, response } = (await res.json()) as { session_id: string; response: string };
        const history = (await (await fetch(`${url}/api/v1/chat/history/${session_id}`)).json()) as SessionHistory;
        expect(history.messages[0].content).toBe(text);
        expect(history.messages[1].content).toBe(response);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
