import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('ends the stream with an error event when the model server keeps failing', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'fail please', user_id: 'llm-user' } });
    const error = res.json<ErrorEventData>('error');
    expect(error.retryable).toBe(true);
    expect(res.events.at(-1)?.event).toBe('error');
    expect(res.chunks).toEqual([]);
  }, 60_000);
});
