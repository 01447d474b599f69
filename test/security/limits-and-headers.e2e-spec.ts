import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData } from '@app/contracts';
import { until } from '../support/until.js';
import { postJson, readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

describe('limits (429 + Retry-After), enforced across gateways', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({
      gateways: 2,
      env: { PACING_MS: '25', RATE_LIMIT_REQUESTS: '6', RATE_LIMIT_WINDOW_S: '60', MAX_STREAMS_PER_USER: '2', MAX_STREAMS_PER_GATEWAY: '3' },
    });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  const ask = (gateway: number, user: string, onMeta?: () => void) =>
    readStream(`${stack.gateways[gateway].url}/api/v1/chat/unified/stream`, {
      body: { message: 'How do I configure the Redis connection?', user_id: user },
      stopWhen: (events) => {
        if (events.some((e) => e.event === 'meta')) onMeta?.();
        return false;
      },
    });
  /** Starts streams and resolves once every one of them is admitted (its `meta` arrived). */
  async function admitted(...starts: Array<[gateway: number, user: string]>) {
    const opened = new Set<number>();
    const streams = starts.map(([gateway, user], i) => ask(gateway, user, () => opened.add(i)));
    await until(async () => opened.size === starts.length || undefined, 10_000, 'the streams admitted');
    return streams;
  }

  // Replies cut to two words (the OpenAI-compatible route's max_tokens) keep the requests quick;
  // the count is the user's, whatever the route.
  const shortTurn = (gateway: number, user: string) =>
    postJson(`${stack.gateways[gateway].url}/v1/chat/completions`, { model: 'builtin', messages: [{ role: 'user', content: 'What is JSON?' }], max_tokens: 2, user });

  it('caps the requests of one user per window, counting both gateways and both APIs', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await shortTurn(i % 2, 'hasty')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const seventh = await postJson(`${stack.gateways[0].url}/api/v1/chat/unified`, { message: 'What is JSON?', user_id: 'hasty' });
    expect(seventh.status).toBe(429);
    expect(Number(seventh.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await seventh.json()).toMatchObject({ statusCode: 429 });
    // Someone else is not affected.
    expect((await shortTurn(1, 'patient')).status).toBe(200);
  }, 60_000);

  it('caps the streams one user runs at once, across gateways, and frees the slot when one ends', async () => {
    const [first, second] = await admitted([0, 'busy'], [1, 'busy']);
    const third = await postJson(`${stack.gateways[1].url}/api/v1/chat/unified/stream`, { message: 'hi', user_id: 'busy' });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeTruthy();
    for (const res of await Promise.all([first, second])) expect(res.json<DoneEventData>('done').status).toBe('completed');
    expect((await ask(1, 'busy')).json<DoneEventData>('done').status).toBe('completed');
  }, 60_000);

  it('caps the open streams of one gateway', async () => {
    const open = await admitted([0, 'g1'], [0, 'g2'], [0, 'g3']);
    const fourth = await postJson(`${stack.gateways[0].url}/api/v1/chat/unified/stream`, { message: 'hi', user_id: 'g4' });
    expect(fourth.status).toBe(429);
    // The other gateway still has room.
    const elsewhere = await ask(1, 'g4');
    expect(elsewhere.json<DoneEventData>('done').status).toBe('completed');
    await Promise.all(open);
  }, 60_000);

  it('leaves no channel subscribed for a refused start', async () => {
    // A start subscribes while it is being admitted: a refusal must close that subscription again.
    const redis = stack.redis.client();
    const channels = async () => (await redis.pubsub('CHANNELS', '*:events')).length; // streams' channels only
    try {
      const open = await admitted([0, 'c1'], [1, 'c1']);
      expect(await channels()).toBe(2);
      // Refused by the user's cap (the opening script) and by the request rate, while both run.
      expect((await postJson(`${stack.gateways[0].url}/api/v1/chat/unified/stream`, { message: 'hi', user_id: 'c1' })).status).toBe(429);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await postJson(`${stack.gateways[1].url}/api/v1/chat/unified/stream`, { message: 'hi', user_id: 'c1' })).status);
      expect(statuses).toEqual([429, 429, 429, 429, 429]);
      // A refusal is answered at once; a subscription still being confirmed is closed right after.
      await until(async () => (await channels()) === 2 || undefined, 5_000, 'the refused starts unsubscribed');
      expect(await channels()).toBe(2);
      await Promise.all(open);
      // The clients have their `done`; the gateways unsubscribe as the responses close.
      await until(async () => (await channels()) === 0 || undefined, 5_000, 'the finished streams unsubscribed');
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});

describe('HTTP hardening', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { CORS_ORIGINS: 'https://chat.example.test' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('sends security headers with a CSP, and no framework banner', async () => {
    const res = await fetch(`${stack.gateway.url}/health/live`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('allows CORS only for configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,authorization' },
      });
    const allowed = await preflight('https://chat.example.test');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://chat.example.test');
    const denied = await preflight('https://evil.example.test');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('never shows stack traces or internal addresses in error bodies', async () => {
    const bodies = await Promise.all([
      fetch(`${stack.gateway.url}/api/v1/chat/unified/stream`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"x":' }),
      fetch(`${stack.gateway.url}/api/v1/chat/history/x`),
      fetch(`${stack.gateway.url}/nope`),
    ].map(async (p) => (await p).text()));
    for (const body of bodies) {
      expect(body).not.toMatch(/\bat \S+ \(|node_modules|127\.0\.0\.1|localhost:\d+/);
    }
    await stack.history.stop();
    const down = await fetch(`${stack.gateway.url}/api/v1/chat/history/x`);
    expect(down.status).toBe(503);
    expect(await down.text()).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:\d{4,5}/);
  }, 30_000);
});
