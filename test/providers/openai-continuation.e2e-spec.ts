import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, ErrorEventData, MetaEventData } from '@app/contracts';
import { until } from '../support/until.js';
import { storedReply } from '../support/history-probe.js';
import { postJson, readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

// The `openai` provider's retries, errors, cancel and request options against a fake model server
// that answers differently per attempt, as a real model does (docs/api.md §13 "Retries").
const FIRST_ATTEMPT = 'Alpha beta gamma delta epsilon zeta eta theta ';
const CONTINUATION = 'iota kappa lambda, the end.';
const FRESH_REPLY = 'A completely different reply that must never be spliced on.';

interface SeenRequest {
  body: { messages: Array<{ role: string; content: string; prefix?: boolean }>; temperature?: number; continue_final_message?: boolean };
  closedEarly: boolean;
}

const delta = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

function stream(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  for (const piece of text.match(/[\s\S]{1,4}/g)!) res.write(delta(piece));
  res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
}

function fakeModel(seen: SeenRequest[]): Promise<Server> {
  const server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const request: SeenRequest = { body: JSON.parse(raw) as SeenRequest['body'], closedEarly: false };
    seen.push(request);
    const messages = request.body.messages;
    const last = messages.at(-1)!;
    const question = messages.findLast((m) => m.role === 'user')!.content;
    if (question === 'bad key') return res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":{"message":"bad key"}}');
    if (question === 'slow') {
      // Writes a word every 50 ms until the generator aborts the request.
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.on('close', () => (request.closedEarly = !res.writableEnded));
      let n = 0;
      const timer = setInterval(() => (++n > 400 ? (clearInterval(timer), res.end('data: [DONE]\n\n')) : res.write(delta(`word${n} `))), 50);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (last.role === 'assistant') {
      if (question === 'refuse continuation') {
        return res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":{"message":"Unrecognized request argument supplied: continue_final_message"}}');
      }
      return stream(res, CONTINUATION);
    }
    if (seen.filter((s) => s.body.messages.at(-1)!.content === question).length > 1) return stream(res, FRESH_REPLY);
    if (question === 'break then continue' || question === 'refuse continuation') {
      // The first attempt: some words, then the connection breaks mid-reply.
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      for (const word of FIRST_ATTEMPT.split(/(?<= )/)) res.write(delta(word));
      setTimeout(() => res.destroy(), 300);
      return;
    }
    stream(res, `Answer to: ${question}`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('GENERATOR_PROVIDER=openai: retries, errors, cancel and options', () => {
  const seen: SeenRequest[] = [];
  let model: Server;
  let stack: TestStack;
  beforeAll(async () => {
    model = await fakeModel(seen);
    const { port } = model.address() as AddressInfo;
    stack = await TestStack.start({
      env: { GENERATOR_PROVIDER: 'openai', LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_MODEL: 'test-model', JOB_ATTEMPTS: '3' },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    model?.close();
  }, 30_000);

  const requestsFor = (question: string) => seen.filter((s) => s.body.messages.findLast((m) => m.role === 'user')?.content === question);

  it('a retry after the model stream broke continues from the partial reply instead of splicing a new one', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'break then continue', user_id: 'cont-user' } });
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    const text = res.chunks.map((c) => c.text).join('');
    expect(res.chunks.map((c) => c.seq)).toEqual(res.chunks.map((_, i) => i + 1));

    const [first, retry] = requestsFor('break then continue');
    expect(first.body.messages.at(-1)!.role).toBe('user');
    const prefix = retry.body.messages.at(-1)!;
    expect(prefix).toMatchObject({ role: 'assistant', prefix: true });
    expect(retry.body.continue_final_message).toBe(true);
    // The join: what clients had before the break, then the model's continuation, nothing else.
    expect(prefix.content.length).toBeGreaterThan(0);
    expect(FIRST_ATTEMPT.startsWith(prefix.content)).toBe(true);
    expect(text).toBe(prefix.content + CONTINUATION);
    expect(text).not.toContain(FRESH_REPLY);
    const stored = await storedReply(stack.gateway.url, done.session_id, done.stream_id);
    expect(stored.content).toBe(text);
  }, 30_000);

  it('a server that refuses the continuation ends the stream with continuation_unsupported, the partial reply stored as failed', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'refuse continuation', user_id: 'cont-user' } });
    const error = res.json<ErrorEventData>('error');
    expect(error).toMatchObject({ code: 'continuation_unsupported', retryable: true });
    expect(requestsFor('refuse continuation')).toHaveLength(2); // no third attempt: it would be refused the same way
    const text = res.chunks.map((c) => c.text).join('');
    expect(FIRST_ATTEMPT.startsWith(text) && text.length > 0).toBe(true);
    const meta = res.json<MetaEventData>('meta');
    const stored = await storedReply(stack.gateway.url, meta.session_id, meta.stream_id);
    expect(stored).toMatchObject({ status: 'failed', content: text });
  }, 30_000);

  it('maps a refused request (401) to upstream_unauthorized at once, without more attempts', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'bad key', user_id: 'cont-user' } });
    expect(res.json<ErrorEventData>('error')).toMatchObject({ code: 'upstream_unauthorized', retryable: false });
    expect(requestsFor('bad key')).toHaveLength(1);
    expect(res.chunks).toEqual([]);
  }, 30_000);

  it('a cancel aborts the request to the model server', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
      body: { message: 'slow', user_id: 'cont-user' },
      stopWhen: (events) => events.filter((e) => e.event === undefined).length >= 3,
    });
    const meta = res.json<MetaEventData>('meta');
    expect((await postJson(`${stack.gateway.url}/api/v1/chat/streams/${meta.stream_id}/cancel`, {})).status).toBe(202);
    await until(async () => requestsFor('slow')[0]?.closedEarly, 5_000, 'the model request to be aborted');
    const stored = await storedReply(stack.gateway.url, meta.session_id, meta.stream_id);
    expect(stored.status).toBe('cancelled');
  }, 30_000);

  it('passes system messages and temperature from /v1/chat/completions to the model, and max_tokens ends the reply', async () => {
    const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'test-model',
        messages: [
          { role: 'system', content: 'Speak like a pirate.' },
          { role: 'user', content: 'earlier question' },
          { role: 'assistant', content: 'earlier answer' },
          { role: 'user', content: 'options please' },
        ],
        temperature: 0.7,
        max_tokens: 2,
        user: 'cont-user',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: Array<{ message: { content: string }; finish_reason: string }> };
    expect(body.choices[0]).toMatchObject({ message: { content: 'Answer to: ' }, finish_reason: 'length' });
    const request = requestsFor('options please')[0];
    expect(request.body.temperature).toBe(0.7);
    expect(request.body.messages[0].role).toBe('system');
    expect(request.body.messages[0].content).toContain('Speak like a pirate.');
    expect(request.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'earlier question' },
      { role: 'assistant', content: 'earlier answer' },
      { role: 'user', content: 'options please' },
    ]);
  }, 30_000);
});
