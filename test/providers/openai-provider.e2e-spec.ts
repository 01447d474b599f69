import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, ErrorEventData, SessionHistory } from '@app/contracts';
import { readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

// A model server cannot run here, so a small fake speaks the OpenAI streaming protocol; the
// provider, generator and gateway in front of it are the real code.
const REPLY = 'Hello from the **model**.\n\n```js\nconst answer = 42;\n```\nCafé — 日本語 ✓ end.';

interface SeenRequest {
  authorization?: string;
  body: { model: string; stream: boolean; messages: Array<{ role: string; content: string }> };
}

function fakeModelServer(seen: SeenRequest[]): Promise<Server> {
  const server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const body = JSON.parse(raw) as SeenRequest['body'];
    seen.push({ authorization: req.headers.authorization, body });
    if (req.url !== '/v1/chat/completions') return res.writeHead(404).end();
    if (body.messages.at(-1)?.content === 'fail please') return res.writeHead(500).end('boom');
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    // Deltas cut across words, whitespace and multi-byte characters, as real servers do.
    const pieces = REPLY.match(/[\s\S]{1,3}/g)!;
    for (const piece of pieces) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece }, finish_reason: null }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('GENERATOR_PROVIDER=openai against an OpenAI-compatible server', () => {
  const seen: SeenRequest[] = [];
  let model: Server;
  let stack: TestStack;
  beforeAll(async () => {
    model = await fakeModelServer(seen);
    const { port } = model.address() as AddressInfo;
    stack = await TestStack.start({
      env: {
        GENERATOR_PROVIDER: 'openai',
        LLM_BASE_URL: `http://127.0.0.1:${port}/v1`,
        LLM_MODEL: 'test-model',
        LLM_API_KEY: 'sk-test-key',
        JOB_ATTEMPTS: '2',
      },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    model?.close();
  }, 30_000);

  it('streams the model deltas as word chunks that equal the model text and the stored reply', async () => {
    const url = stack.gateway.url;
    const first = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { message: 'Say hello', user_id: 'llm-user', language: 'en' } });
    const done = first.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    const text = first.chunks.map((c) => c.text).join('');
    expect(text).toBe(REPLY);
    first.chunks.forEach((c) => expect(c.text).toMatch(/^\s*\S+\s*$/));

    const request = seen.at(-1)!;
    expect(request.authorization).toBe('Bearer sk-test-key');
    expect(request.body).toMatchObject({ model: 'test-model', stream: true });
    expect(request.body.messages[0].role).toBe('system');
    expect(request.body.messages.at(-1)).toEqual({ role: 'user', content: 'Say hello' });

    const second = await readStream(`${url}/api/v1/chat/unified/stream`, {
      body: { message: 'Again', user_id: 'llm-user', session_id: done.session_id },
    });
    expect(second.json<DoneEventData>('done').status).toBe('completed');
    expect(seen.at(-1)!.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'Say hello' },
      { role: 'assistant', content: REPLY },
      { role: 'user', content: 'Again' },
    ]);
    const history = (await (await fetch(`${url}/api/v1/chat/history/${done.session_id}`)).json()) as SessionHistory;
    expect(history.messages[1].content).toBe(REPLY);
  }, 60_000);

  // The gateway writes each event as one HTTP chunk straight to the socket: every chunk's size line
  // must be its UTF-8 byte length (the reply has multi-byte characters), each chunk one whole event.
  it('frames every event as one HTTP/1.1 chunk of its byte length, and streams plain to an HTTP/1.0 client', async () => {
    const chunked = await rawStream(stack.gateway.url, '1.1');
    expect(chunked.head).toMatch(/^HTTP\/1\.1 200 .*\r\ntransfer-encoding: chunked\r\n/is);
    const events = decodeChunks(chunked.body);
    expect(events.at(-1)).toBe(''); // the terminating zero-size chunk
    const sent = events.slice(0, -1);
    sent.forEach((event) => expect(event).toMatch(/\n\n$/));
    expect(sent.join('')).toContain('event: done');
    expect(wordsOf(sent.join(''))).toBe(REPLY);

    const plain = await rawStream(stack.gateway.url, '1.0');
    expect(plain.head).not.toMatch(/transfer-encoding/i);
    expect(plain.body.toString('utf8')).toContain('event: done');
    expect(wordsOf(plain.body.toString('utf8'))).toBe(REPLY);
  }, 60_000);

  it('ends the stream with an error event when the model server keeps failing', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'fail please', user_id: 'llm-user' } });
    const error = res.json<ErrorEventData>('error');
    expect(error.retryable).toBe(true);
    expect(res.events.at(-1)?.event).toBe('error');
    expect(res.chunks).toEqual([]);
  }, 60_000);
});

/** One stream start over a bare socket, read until the gateway closes it: status line and headers, and the body's bytes as sent. */
function rawStream(baseUrl: string, version: '1.0' | '1.1'): Promise<{ head: string; body: Buffer }> {
  const { hostname, port } = new URL(baseUrl);
  const body = JSON.stringify({ message: 'Say hello', user_id: `raw-${version}` });
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    // Written, not ended: a client that half-closes its side has left, and its stream is dropped.
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /api/v1/chat/unified/stream HTTP/${version}\r\nHost: ${hostname}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    socket.on('data', (part: Buffer) => parts.push(part));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(parts);
      const end = all.indexOf('\r\n\r\n');
      resolve({ head: all.subarray(0, end + 2).toString('latin1'), body: all.subarray(end + 4) });
    });
  });
}

/** The chunks of a chunked body, each checked against its size line. */
function decodeChunks(body: Buffer): string[] {
  const chunks: string[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    const start = lineEnd + 2;
    expect(body.subarray(start + size, start + size + 2).toString('latin1')).toBe('\r\n');
    chunks.push(body.subarray(start, start + size).toString('utf8'));
    at = start + size + 2;
  }
  return chunks;
}

/** The reply text carried by a stream's chunk events. */
function wordsOf(sse: string): string {
  return [...sse.matchAll(/^id: \d+\ndata: (\{"text".*\})$/gm)].map((m) => (JSON.parse(m[1]) as { text: string }).text).join('');
}
