import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TurnEventKind, type DoneEventData, type ErrorEventData, type MetaEventData, type SessionHistory } from '@app/contracts';
import { until } from '../support/until.js';
import { expectGapless, sessionHistory, storedReply } from '../support/history-probe.js';
import { generationJobs, waitingTurnEvents } from '../support/queue-inspector.js';
import { readStream, type ReceivedEvent } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

const longQuestion = { message: 'How do I configure the Redis connection?', user_id: 'crash-user' };
const chunkCount = (events: ReceivedEvent[]) => events.filter((e) => e.event === undefined).length;
const maxGap = (ats: number[]) => Math.max(...ats.slice(1).map((t, i) => t - ats[i]));

/** Measured recovery figures, printed at the end so the README's reliability section can quote them. */
const measured: Record<string, number> = {};
afterAll(() => {
  process.stdout.write(`\nreliability figures (ms): ${JSON.stringify(measured)}\n`);
});

describe('a generator killed mid-stream (SIGKILL)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ generators: 2, env: { PACING_MS: '30' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('hands the job to the other worker, which continues from the last seq: one uninterrupted stream', async () => {
    let killed = false;
    let killedAt = 0;
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
      body: longQuestion,
      timeoutMs: 60_000,
      stopWhen: (events) => {
        if (!killed && chunkCount(events) >= 8) {
          killed = true;
          const meta = JSON.parse(events.find((e) => e.event === 'meta')!.data) as MetaEventData;
          void generationJobs(stack.redis.url, stack.env.REDIS_PREFIX, [meta.stream_id]).then(([job]) => {
            const holder = stack.generators.find((g) => job.processedBy?.endsWith(`-${g.pid}`));
            killedAt = performance.now();
            return holder?.kill();
          });
        }
        return false;
      },
    });
    expect(killed).toBe(true);
    expect(killedAt).toBeGreaterThan(0);
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    expectGapless(res.chunks.map((c) => c.seq));
    expect(done.chunks).toBe(res.chunks.length);
    const meta = res.json<MetaEventData>('meta');
    expect((await storedReply(stack.gateway.url, meta.session_id, meta.stream_id)).content).toBe(res.chunks.map((c) => c.text).join(''));
    const pause = maxGap(res.chunks.map((c) => c.at));
    measured.dead_worker_pause = Math.round(pause);
    expect(pause).toBeLessThan(8_000); // target < 3 s; generous bound for a loaded machine
  }, 90_000);
});

describe('a generator killed while it waits for history to confirm its turn', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Confirmations can be waited for a minute: a retry that waited for one would be caught.
    stack = await TestStack.start({ env: { PACING_MS: '5', PERSIST_WAIT_MS: '60000' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('the retry finds the turn stored by then and ends the stream with persisted:true at once', async () => {
    await stack.history.stop();
    let meta: MetaEventData | undefined;
    const reading = readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
      body: { ...longQuestion, user_id: 'confirm-wait' },
      timeoutMs: 60_000,
      stopWhen: (events) => {
        const m = events.find((e) => e.event === 'meta');
        if (m) meta ??= JSON.parse(m.data) as MetaEventData;
        return false;
      },
    });
    // Every chunk sent, the finished turn added to the history events stream: the generator now waits for history.
    const waiting = await until(
      async () => {
        const events = meta ? await waitingTurnEvents(stack.redis.url, stack.env.REDIS_PREFIX) : [];
        const finished = events.find((e) => e.kind === TurnEventKind.TurnFinished && e.turn.stream_id === meta!.stream_id);
        return finished?.kind === TurnEventKind.TurnFinished ? finished.turn : undefined;
      },
      20_000,
      'the finished turn waiting for history',
    );
    expect(waiting.confirm_to).toBeTruthy();
    await stack.generators[0].kill();

    // History stores the turn and confirms it on the dead generator's channel, to nobody.
    await stack.history.launch();
    const stored = await storedReply(stack.gateway.url, meta!.session_id, meta!.stream_id, 20_000);
    // History is gone again when the retry runs: only what history left in Redis can tell it the turn is stored.
    await stack.history.stop();

    const relaunchedAt = performance.now();
    await stack.generators[0].launch();
    const res = await reading;
    await stack.history.launch();
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    expect(done.persisted).toBe(true);
    expect(performance.now() - relaunchedAt).toBeLessThan(30_000); // not the 60 s confirmation wait
    expectGapless(res.chunks.map((c) => c.seq));
    expect(stored.content).toBe(res.chunks.map((c) => c.text).join(''));
    const history = await sessionHistory(stack.gateway.url, meta!.session_id);
    expect(history.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  }, 120_000);
});

describe('Redis restarted', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { PACING_MS: '30' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('ends open streams with a retryable error, answers 503 + Retry-After meanwhile, and recovers by itself', async () => {
    const url = stack.gateway.url;
    let killed = false;
    const open = await readStream(`${url}/api/v1/chat/unified/stream`, {
      body: longQuestion,
      timeoutMs: 30_000,
      stopWhen: (events) => {
        if (!killed && chunkCount(events) >= 5) {
          killed = true;
          void stack.redis.kill();
        }
        return false;
      },
    });
    const error = open.json<ErrorEventData>('error');
    expect(error.retryable).toBe(true);
    expect(open.events[open.events.length - 1].event).toBe('error');
    expectGapless(open.chunks.map((c) => c.seq));

    const started = performance.now();
    const during = await fetch(`${url}/api/v1/chat/unified/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(longQuestion),
    });
    measured.redis_down_503_answer = Math.round(performance.now() - started);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBeTruthy();
    expect(await during.json()).toMatchObject({ statusCode: 503 });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect((await fetch(`${url}/health/ready`)).status).toBe(503);

    await stack.redis.launch();
    const back = performance.now();
    const done = await until(async () => {
      const res = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { ...longQuestion, message: 'What is JSON?' }, timeoutMs: 10_000 });
      return res.status === 200 && res.named('done').length === 1 ? res.json<DoneEventData>('done') : undefined;
    }, 30_000, 'a stream to succeed after Redis came back');
    measured.redis_recovery = Math.round(performance.now() - back);
    expect(done.status).toBe('completed');
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  }, 90_000);
});

describe('history service down', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { PERSIST_WAIT_MS: '1000' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('completes streams with persisted:false and stores the turn once when history returns', async () => {
    const url = stack.gateway.url;
    await stack.history.stop();
    const res = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { ...longQuestion, user_id: 'history-outage' } });
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    expect(done.persisted).toBe(false);
    const during = await fetch(`${url}/api/v1/chat/history/${done.session_id}`);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBeTruthy();

    await stack.history.launch();
    const stored = await storedReply(url, done.session_id, done.stream_id, 20_000);
    expect(stored.content).toBe(res.chunks.map((c) => c.text).join(''));
    const history = (await (await fetch(`${url}/api/v1/chat/history/${done.session_id}`)).json()) as SessionHistory;
    expect(history.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  }, 90_000);
});

describe('a client that does not read', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { PACING_MS: '30' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('slows neither the worker nor the other clients', async () => {
    const port = stack.gateway.port;
    const body = JSON.stringify({ ...longQuestion, user_id: 'sleepy', session_id: 'sleepy-session' });
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      `POST /api/v1/chat/unified/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.pause(); // never read a byte of the response

    const others = await Promise.all(
      Array.from({ length: 5 }, (_, i) => readStream(`http://127.0.0.1:${port}/api/v1/chat/unified/stream`, { body: { ...longQuestion, user_id: `awake-${i}` } })),
    );
    for (const res of others) {
      const gaps = res.chunks.slice(1).map((c, i) => c.at - res.chunks[i].at).sort((x, y) => x - y);
      expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(45);
      expect(res.json<DoneEventData>('done').status).toBe('completed');
    }
    // The sleeper's stream was generated at full pace and stored complete.
    const reply = await until(async () => {
      const h = (await (await fetch(`http://127.0.0.1:${port}/api/v1/chat/history/sleepy-session`)).json()) as SessionHistory;
      return h.messages.find((m) => m.role === 'assistant');
    }, 15_000, 'the sleeper reply');
    expect(reply.status).toBe('completed');
    expect(reply.content).toBe(others[0].chunks.map((c) => c.text).join(''));
    socket.destroy();
  }, 60_000);
});

describe('graceful shutdown (SIGTERM)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ generators: 2, gateways: 2, env: { PACING_MS: '30' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('a generator finishes its streams before it exits', async () => {
    let stopping: Promise<number> | undefined;
    const res = await readStream(`${stack.gateways[1].url}/api/v1/chat/unified/stream`, {
      body: longQuestion,
      stopWhen: (events) => {
        if (!stopping && chunkCount(events) >= 5) {
          const meta = JSON.parse(events.find((e) => e.event === 'meta')!.data) as MetaEventData;
          stopping = generationJobs(stack.redis.url, stack.env.REDIS_PREFIX, [meta.stream_id]).then(async ([job]) => {
            const holder = stack.generators.find((g) => job.processedBy?.endsWith(`-${g.pid}`))!;
            const t = performance.now();
            await holder.stop();
            return performance.now() - t;
          });
        }
        return false;
      },
    });
    expect(res.json<DoneEventData>('done').status).toBe('completed');
    expectGapless(res.chunks.map((c) => c.seq));
    const exitMs = await stopping!;
    measured.generator_sigterm_exit = Math.round(exitMs);
    expect(exitMs).toBeLessThan(15_000);
  }, 60_000);

  it('a gateway lets its open streams finish, then exits', async () => {
    const gateway = stack.gateways[0];
    let stopping: Promise<number> | undefined;
    const res = await readStream(`${gateway.url}/api/v1/chat/unified/stream`, {
      body: { ...longQuestion, user_id: 'drain' },
      stopWhen: (events) => {
        if (!stopping && chunkCount(events) >= 5) {
          const t = performance.now();
          stopping = gateway.stop().then(() => performance.now() - t);
        }
        return false;
      },
    });
    expect(res.json<DoneEventData>('done').status).toBe('completed');
    expectGapless(res.chunks.map((c) => c.seq));
    const exitMs = await stopping!;
    measured.gateway_sigterm_exit = Math.round(exitMs);
    expect(exitMs).toBeLessThan(15_000);
    await expect(fetch(`${gateway.url}/health/live`)).rejects.toThrow();
  }, 60_000);
});
