import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { sessionHistory, storedReply } from '../support/history-probe.js';
import { TestStack } from '../support/test-stack.js';

// The official `openai` client, unmodified, against the gateway's OpenAI-compatible routes
// (docs/api.md §13); behind them the real queue, generator (built-in provider) and history.
describe('the openai client against /v1/chat/completions', () => {
  let stack: TestStack;
  let client: OpenAI;
  beforeAll(async () => {
    // 10 ms pacing: slow enough for a client to leave mid-reply, fast enough for the suite.
    stack = await TestStack.start({ env: { PACING_MS: '10', CORS_ORIGINS: 'https://tools.example' } });
    client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'unused-with-auth-off', maxRetries: 0 });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  const ask = (content: string) => [{ role: 'user' as const, content }];

  it('lists the configured model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['builtin']);
    expect((await client.models.retrieve('builtin')).object).toBe('model');
  });

  it('streams chat.completion.chunk objects: role first, the words, the finish, usage, then [DONE]', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'builtin', messages: ask('How do I configure the Redis connection?'), stream: true, stream_options: { include_usage: true }, user: 'sdk-user' })
      .withResponse();
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const deltas = chunks.filter((c) => c.choices[0]?.delta.content).map((c) => c.choices[0].delta.content!);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 7, completion_tokens: deltas.length, total_tokens: 7 + deltas.length });
    chunks.slice(0, -1).forEach((c) => expect(c.usage).toBeNull());
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([`chatcmpl-${response.headers.get('x-stream-id')}`]));
    // What the client read is what history stored.
    const stored = await storedReply(stack.gateway.url, response.headers.get('x-session-id')!, response.headers.get('x-stream-id')!);
    expect(stored.status).toBe('completed');
    expect(stored.content).toBe(deltas.join(''));
  }, 30_000);

  it('writes only data lines on the wire and ends with data: [DONE]', async () => {
    const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'builtin', messages: ask('What is pacing?'), stream: true, user: 'wire-user' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const raw = await res.text();
    const blocks = raw.split('\n\n').filter(Boolean);
    blocks.forEach((block) => expect(block).toMatch(/^(data: [^\n]+|: keep-alive)$/));
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(raw).not.toMatch(/^(event|id|retry):/m);
  }, 30_000);

  it('answers a non-streamed request with one chat.completion equal to the stored reply', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'builtin', messages: [{ role: 'system', content: 'Be brief.' }, ...ask('What is pacing?')], user: 'sdk-user' })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0].message.role).toBe('assistant');
    expect(data.choices[0].finish_reason).toBe('stop');
    const content = data.choices[0].message.content!;
    expect(data.usage).toEqual({ prompt_tokens: 5, completion_tokens: content.match(/\S+/g)!.length, total_tokens: 5 + content.match(/\S+/g)!.length });
    const stored = await storedReply(stack.gateway.url, response.headers.get('x-session-id')!, response.headers.get('x-stream-id')!);
    expect(stored.content).toBe(content);
  }, 30_000);

  it('bounds the reply by max_tokens (words) and says finish_reason "length"', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'builtin', messages: ask('How do I configure the Redis connection?'), max_tokens: 5, user: 'sdk-user' })
      .withResponse();
    expect(data.choices[0].finish_reason).toBe('length');
    expect(data.usage!.completion_tokens).toBe(5);
    expect(data.choices[0].message.content!.match(/\S+/g)).toHaveLength(5);
    const stored = await storedReply(stack.gateway.url, response.headers.get('x-session-id')!, response.headers.get('x-stream-id')!);
    expect(stored).toMatchObject({ status: 'completed', content: data.choices[0].message.content });
  }, 30_000);

  it('continues a session named in X-Session-Id, the earlier messages being the context', async () => {
    const first = await client.chat.completions
      .create({ model: 'builtin', messages: ask('What is pacing?'), user: 'session-user' }, { headers: { 'X-Session-Id': 'compat-session-1' } })
      .withResponse();
    expect(first.response.headers.get('x-session-id')).toBe('compat-session-1');
    const second = await client.chat.completions
      .create(
        {
          model: 'builtin',
          messages: [...ask('What is pacing?'), { role: 'assistant', content: first.data.choices[0].message.content! }, ...ask('And resume?')],
          user: 'session-user',
        },
        { headers: { 'X-Session-Id': 'compat-session-1' } },
      )
      .withResponse();
    await storedReply(stack.gateway.url, 'compat-session-1', second.response.headers.get('x-stream-id')!);
    const stored = await sessionHistory(stack.gateway.url, 'compat-session-1');
    expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(stored.messages[2].content).toBe('And resume?');
    expect(stored.messages[3].content).toBe(second.data.choices[0].message.content);
  }, 30_000);

  it('cancels the turn when the client aborts a stream', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'builtin', messages: ask('How do I configure the Redis connection?'), stream: true, user: 'abort-user' })
      .withResponse();
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++received === 3) break; // leaving the loop aborts the request
    }
    const abortedAt = Date.now();
    const stored = await storedReply(stack.gateway.url, response.headers.get('x-session-id')!, response.headers.get('x-stream-id')!);
    expect(stored.status).toBe('cancelled');
    // Cancelled at once, not after DISCONNECT_GRACE_MS (10 s).
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    expect(stored.content.match(/\S+/g)!.length).toBeLessThan(40);
  }, 30_000);

  it('cancels the turn when the client of a non-streamed request goes away', async () => {
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'builtin', messages: ask('How do I configure the Redis connection?'), user: 'abort-user-2' },
      { signal: controller.signal, headers: { 'X-Session-Id': 'compat-abort-2' } },
    );
    // Wait for the turn to be running (history has its user message), then leave.
    await waitFor(async () => {
      const res = await fetch(`${stack.gateway.url}/api/v1/chat/sessions?user_id=abort-user-2`);
      const body = (await res.json()) as { sessions: Array<{ active_stream_id: string | null }> };
      return body.sessions[0]?.active_stream_id ?? undefined;
    });
    controller.abort();
    await expect(pending).rejects.toThrow();
    const streamId = await waitFor(async () => {
      const res = await fetch(`${stack.gateway.url}/api/v1/chat/history/compat-abort-2`);
      const body = (await res.json()) as { messages: Array<{ role: string; status: string; stream_id: string }> };
      return body.messages.find((m) => m.role === 'assistant')?.stream_id;
    });
    const stored = await storedReply(stack.gateway.url, 'compat-abort-2', streamId);
    expect(stored.status).toBe('cancelled');
  }, 30_000);

  it('refuses what it does not support with 400 in OpenAI error shape', async () => {
    const cases: Array<[Record<string, unknown>, RegExp, string | null]> = [
      [{ tools: [{ type: 'function', function: { name: 'f' } }] }, /tools: tool calling is not supported/, 'tools'],
      [{ n: 2 }, /n > 1/, 'n'],
      [{ logprobs: true }, /logprobs is not supported/, 'logprobs'],
      [{ top_p: 0.5 }, /property top_p should not exist/, 'top_p'],
      [{ messages: [{ role: 'tool', content: 'x' }] }, /role must be one of/, 'messages.0.role'],
      [{ messages: [{ role: 'user', content: 'x', tool_call_id: 'a' }] }, /property tool_call_id should not exist/, 'messages.0.tool_call_id'],
      [{ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }] }, /last message must be a user message/, 'messages'],
      [{ temperature: 3 }, /temperature must not be greater than 2/, 'temperature'],
      [{ user: undefined }, /user is required/, 'user'],
    ];
    for (const [patch, message, param] of cases) {
      const body = { model: 'builtin', messages: ask('hello'), user: 'bad-user', ...patch };
      const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      const error = ((await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toMatch(message);
      expect(error.param).toBe(param);
    }
  }, 30_000);

  it('shapes refusals made before routing (media type, JSON syntax, prototype keys) the OpenAI way too', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${stack.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': type }, body });
    const cases: Array<[Response, number, RegExp]> = [
      [await post('{}', 'text/plain'), 415, /Content-Type must be application\/json/],
      [await post('{"model":'), 400, /not valid JSON/],
      [await post('{"model":"builtin","messages":[],"__proto__":{}}'), 400, /property __proto__ should not exist/],
    ];
    for (const [res, status, message] of cases) {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { message: string; type: string } };
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.message).toMatch(message);
    }
    // The native routes keep their own shape.
    const native = await fetch(`${stack.gateway.url}/api/v1/chat/unified`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(((await native.json()) as { statusCode: number }).statusCode).toBe(415);
  });

  it('lets a listed origin send X-Session-Id (CORS preflight)', async () => {
    const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://tools.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-session-id' },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-session-id');
  });

  it('answers an unknown model with 404 model_not_found, which the client raises as NotFoundError', async () => {
    const failure = await client.chat.completions.create({ model: 'gpt-x', messages: ask('hello'), user: 'sdk-user' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    expect((failure as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('answers a busy session with 409 session_busy', async () => {
    const { data: stream } = await client.chat.completions
      .create({ model: 'builtin', messages: ask('How do I configure the Redis connection?'), stream: true, user: 'busy-user' }, { headers: { 'X-Session-Id': 'busy-1' } })
      .withResponse();
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const failure = await client.chat.completions
      .create({ model: 'builtin', messages: ask('hello'), user: 'busy-user' }, { headers: { 'X-Session-Id': 'busy-1' } })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OpenAI.ConflictError);
    expect((failure as InstanceType<typeof OpenAI.ConflictError>).code).toBe('session_busy');
    stream.controller.abort();
  }, 30_000);
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
