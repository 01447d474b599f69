import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData } from '@app/contracts';
import { expectGapless, storedReply } from '../support/history-probe.js';
import { readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

// A generator SIGKILLed mid-reply while GENERATOR_PROVIDER=openai: the model would not answer the
// retry with the same words, so the retry must continue the partial reply (docs/api.md §13).
const FIRST_REPLY = Array.from({ length: 60 }, (_, i) => `first${i + 1}`).join(' ') + '.';
const CONTINUATION = ' and then the continuation ends it.';
const FRESH_REPLY = 'An entirely new reply that a splice would show.';

interface Seen {
  messages: Array<{ role: string; content: string }>;
}

function send(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  for (const piece of text.match(/[\s\S]{1,5}/g)!) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
  res.end('data: [DONE]\n\n');
}

function fakeModel(seen: Seen[]): Promise<Server> {
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const body = JSON.parse(raw) as Seen;
    seen.push(body);
    if (body.messages.at(-1)!.role === 'assistant') return send(res, CONTINUATION);
    send(res, seen.length === 1 ? FIRST_REPLY : FRESH_REPLY);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('GENERATOR_PROVIDER=openai: a generator killed mid-stream', () => {
  const seen: Seen[] = [];
  let model: Server;
  let stack: TestStack;
  beforeAll(async () => {
    model = await fakeModel(seen);
    const { port } = model.address() as AddressInfo;
    stack = await TestStack.start({
      env: { GENERATOR_PROVIDER: 'openai', LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_MODEL: 'test-model', PACING_MS: '30' },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    model?.close();
  }, 30_000);

  it('the job taken over by another generator continues the partial reply: one reply, no splice', async () => {
    let killed = false;
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
      body: { message: 'tell me a long story', user_id: 'crash-user' },
      timeoutMs: 60_000,
      stopWhen: (events) => {
        if (!killed && events.filter((e) => e.event === undefined).length >= 8) {
          killed = true;
          // The only generator dies; a new one takes the stalled job once its lock expires.
          void stack.generators[0].kill().then(() => stack.addGenerator());
        }
        return false;
      },
    });
    expect(killed).toBe(true);
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    expectGapless(res.chunks.map((c) => c.seq));
    const text = res.chunks.map((c) => c.text).join('');

    expect(seen).toHaveLength(2);
    const prefix = seen[1].messages.at(-1)!;
    expect(prefix.role).toBe('assistant');
    expect(prefix.content.split(' ').length).toBeGreaterThanOrEqual(8);
    expect(FIRST_REPLY.startsWith(prefix.content)).toBe(true);
    expect(text).toBe(prefix.content + CONTINUATION);
    expect(text).not.toContain('entirely new');
    const meta = res.json<MetaEventData>('meta');
    expect((await storedReply(stack.gateway.url, meta.session_id, meta.stream_id)).content).toBe(text);
  }, 90_000);
});
