import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, SessionHistory, SessionList } from '@app/contracts';
import OpenAI from 'openai';
import { until } from '../support/until.js';
import { readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

// Two whole stacks chained: stack A's generator runs GENERATOR_PROVIDER=openai (the `openai`
// SDK) against stack B's /v1/chat/completions, behind API-key auth. Both sides run their real
// code; B's built-in provider is what finally answers.
const KEY = 'sk-chain-b-0123456789abcdef';
const B_USER = 'chain-b';

describe('stack A (openai provider) → stack B (/v1/chat/completions)', () => {
  let a: TestStack;
  let b: TestStack;
  const bAuth = { Authorization: `Bearer ${KEY}` };
  beforeAll(async () => {
    b = await TestStack.start({
      env: { AUTH_MODE: 'apikey', API_KEYS: `${B_USER}:${createHash('sha256').update(KEY).digest('hex')}`, PACING_MS: '10' },
    });
    a = await TestStack.start({
      env: { GENERATOR_PROVIDER: 'openai', LLM_BASE_URL: `${b.gateway.url}/v1`, LLM_MODEL: 'builtin', LLM_API_KEY: KEY, JOB_ATTEMPTS: '2' },
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
  }, 30_000);

  async function latestTurnOnB(): Promise<SessionHistory> {
    const sessions = (await (await fetch(`${b.gateway.url}/api/v1/chat/sessions`, { headers: bAuth })).json()) as SessionList;
    return (await (await fetch(`${b.gateway.url}/api/v1/chat/history/${sessions.sessions[0].session_id}`, { headers: bAuth })).json()) as SessionHistory;
  }

  it('streams a reply end to end: A relays what B generated, and both store it', async () => {
    const question = 'How do I configure the Redis connection?';
    const direct = (await (
      await fetch(`${b.gateway.url}/api/v1/chat/unified`, { method: 'POST', headers: { ...bAuth, 'Content-Type': 'application/json' }, body: JSON.stringify({ message: question }) })
    ).json()) as { response: string };

    const res = await readStream(`${a.gateway.url}/api/v1/chat/unified/stream`, { body: { message: question, user_id: 'chain-a' } });
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    const text = res.chunks.map((c) => c.text).join('');
    expect(text).toBe(direct.response);
    expect(res.chunks.map((c) => c.seq)).toEqual(res.chunks.map((_, i) => i + 1));

    const onA = (await (await fetch(`${a.gateway.url}/api/v1/chat/history/${done.session_id}`)).json()) as SessionHistory;
    expect(onA.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', question],
      ['assistant', text],
    ]);
    const onB = await until(async () => {
      const turn = await latestTurnOnB();
      return turn.messages.length === 2 && turn.messages[1].status === 'completed' ? turn : undefined;
    }, 10_000, 'the turn on B');
    expect(onB.messages.map((m) => m.content)).toEqual([question, text]);
  }, 60_000);

  it('a client leaving A cancels A’s job, which aborts its request to B, which cancels B’s turn', async () => {
    const client = new OpenAI({ baseURL: `${a.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'builtin', messages: [{ role: 'user', content: 'What is pacing and how does resume work?' }], stream: true, user: 'chain-a' })
      .withResponse();
    let words = 0;
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content && ++words === 3) break;

    const sessionOnA = response.headers.get('x-session-id')!;
    const storedOnA = await until(async () => {
      const history = (await (await fetch(`${a.gateway.url}/api/v1/chat/history/${sessionOnA}`)).json()) as SessionHistory;
      return history.messages.find((m) => m.role === 'assistant');
    }, 10_000, 'the cancelled turn on A');
    expect(storedOnA.status).toBe('cancelled');
    const onB = await until(async () => {
      const turn = await latestTurnOnB();
      return turn.messages[0]?.content === 'What is pacing and how does resume work?' && turn.messages[1] ? turn : undefined;
    }, 10_000, 'the turn on B');
    expect(onB.messages[1].status).toBe('cancelled');
    // B never sent more than A had asked for before it left, plus what was in flight.
    expect(onB.messages[1].content.startsWith(storedOnA.content)).toBe(true);
  }, 60_000);

  it('B takes the same credentials as its native API: no key or a wrong one is 401 in OpenAI shape', async () => {
    const noKey = await fetch(`${b.gateway.url}/v1/models`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { type: string; code: string } }).error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    const wrong = new OpenAI({ baseURL: `${b.gateway.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const right = new OpenAI({ baseURL: `${b.gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
    expect((await right.models.list()).data.map((m) => m.id)).toEqual(['builtin']);
  }, 30_000);
});
