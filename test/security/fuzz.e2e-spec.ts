import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SessionHistory } from '@app/contracts';
import fc from 'fast-check';
import { TestStack } from '../support/test-stack.js';

// Every answer a client may get for what it sends; a 5xx would be the server's fault.
const CLIENT_STATUSES = [200, 202, 400, 403, 404, 409, 413, 415, 429, 431];

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
        ] as const) {
          const code = await status(path, { method });
          expect([path, CLIENT_STATUSES.includes(code)]).toEqual([path, true]);
        }
      }),
      { numRuns: 40 },
    );
    await expectServing();
  }, 120_000);

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
