import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, ErrorEventData, MetaEventData } from '@app/contracts';
import { freePort } from './support/free-port.js';
import { until } from './support/until.js';
import { MetricsScrape } from './support/metrics-scrape.js';
import { postJson, readStream } from './support/sse-reader.js';
import { TestStack } from './support/test-stack.js';

const question = { message: 'How do I configure the Redis connection?', user_id: 'metrics' };
const chunkCount = (events: Array<{ event?: string }>) => events.filter((e) => e.event === undefined).length;
// No series carries a user, session or stream id: labels stay a small fixed set.
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-/;

describe('application metrics (docs/api.md §7)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { PACING_MS: '10' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('move as streams complete and are cancelled: TTFT, gaps, open streams, outcomes, queue, attempts, history writes', async () => {
    const gateway = stack.gateway.url;
    const [generator] = stack.generators;
    const before = { gateway: await MetricsScrape.of(gateway), generator: await MetricsScrape.of(generator.url), history: await MetricsScrape.of(stack.history.url) };

    const completed = await readStream(`${gateway}/api/v1/chat/unified/stream`, { body: question });
    expect(completed.json<DoneEventData>('done').status).toBe('completed');

    // A second stream, watched while it runs (open streams), then cancelled.
    let activeWhileOpen = -1;
    let cancelling: Promise<Response> | undefined;
    const cancelled = await readStream(`${gateway}/api/v1/chat/unified/stream`, {
      body: { ...question, user_id: 'metrics-cancel' },
      stopWhen: (events) => {
        if (!cancelling && chunkCount(events) >= 3) {
          const meta = JSON.parse(events.find((e) => e.event === 'meta')!.data) as MetaEventData;
          cancelling = MetricsScrape.of(gateway).then((now) => {
            activeWhileOpen = now.value('chat_streams_active');
            return postJson(`${gateway}/api/v1/chat/streams/${meta.stream_id}/cancel?user_id=metrics-cancel`, {});
          });
        }
        return false;
      },
    });
    expect((await cancelling!).status).toBe(202);
    expect(cancelled.json<DoneEventData>('done').status).toBe('cancelled');
    expect(activeWhileOpen).toBe(before.gateway.value('chat_streams_active') + 1);

    const after = await until(async () => {
      const now = { gateway: await MetricsScrape.of(gateway), generator: await MetricsScrape.of(generator.url), history: await MetricsScrape.of(stack.history.url) };
      return now.generator.value('chat_streams_total', '{outcome="cancelled"}') > before.generator.value('chat_streams_total', '{outcome="cancelled"}') ? now : undefined;
    }, 10_000, 'the cancelled stream counted');
    const grew = (service: keyof typeof after, name: string, labels = '') => after[service].value(name, labels) - before[service].value(name, labels);

    expect(grew('gateway', 'chat_stream_ttft_seconds_count')).toBe(2);
    expect(grew('gateway', 'chat_stream_chunk_gap_seconds_count')).toBe(completed.chunks.length - 1 + cancelled.chunks.length - 1);
    // At 10 ms pacing every gap is well under a second.
    expect(grew('gateway', 'chat_stream_chunk_gap_seconds_bucket', '{le="1"}')).toBe(grew('gateway', 'chat_stream_chunk_gap_seconds_count'));
    expect(after.gateway.value('chat_streams_active')).toBe(before.gateway.value('chat_streams_active'));
    expect(after.gateway.series('chat_generation_queue_jobs').sort()).toEqual(
      ['active', 'delayed', 'failed', 'waiting'].map((s) => `chat_generation_queue_jobs{state="${s}"}`),
    );

    expect(grew('generator', 'chat_streams_total', '{outcome="completed"}')).toBe(1);
    expect(grew('generator', 'chat_streams_total', '{outcome="cancelled"}')).toBe(1);
    expect(grew('generator', 'chat_stream_tokens_per_second_count')).toBe(1);
    expect(grew('generator', 'chat_generation_queue_wait_seconds_count')).toBe(2);
    expect(grew('generator', 'chat_generation_attempts_total', '{result="completed"}')).toBe(2);
    expect(grew('generator', 'chat_generation_jobs_stalled_total')).toBe(0);

    expect(grew('history', 'chat_history_batch_size_sum')).toBeGreaterThanOrEqual(4); // two turns, started + finished each
    expect(grew('history', 'chat_history_write_seconds_count')).toBeGreaterThanOrEqual(1);

    for (const scrape of Object.values(after)) {
      // Node's own metrics too, the event loop's lag among them (sampled every 100 ms, not prom-client's 10).
      expect(scrape.value('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
      for (const key of ['chat_streams_total', 'chat_stream_ttft_seconds_bucket', 'chat_generation_attempts_total']) {
        for (const series of scrape.series(key)) expect(series).not.toMatch(uuid);
      }
    }
  }, 60_000);

  it('counts a reconnect of a Redis connection, per service and connection', async () => {
    const before = await MetricsScrape.of(stack.gateway.url);
    await stack.redis.kill();
    await stack.redis.launch();
    await until(async () => (await fetch(`${stack.gateway.url}/health/ready`)).ok, 20_000, 'the gateway ready again');
    const after = await MetricsScrape.of(stack.gateway.url);
    // Its command connection (which also holds its stream subscriptions) and history's confirmations.
    for (const connection of ['commands', 'confirmations']) {
      const labels = `{service="gateway",connection="${connection}"}`;
      expect(after.value('chat_redis_reconnects_total', labels)).toBeGreaterThan(before.value('chat_redis_reconnects_total', labels));
    }
  }, 60_000);
});

describe('application metrics of a stream that fails for good', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The upstream model does not answer: every attempt fails, the last one ends the stream.
    stack = await TestStack.start({ env: { GENERATOR_PROVIDER: 'openai', LLM_BASE_URL: `http://127.0.0.1:${await freePort()}/v1`, JOB_ATTEMPTS: '2' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('counts the retried attempt, the failed one and the error outcome', async () => {
    const generator = stack.generators[0].url;
    const before = await MetricsScrape.of(generator);
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: question, timeoutMs: 30_000 });
    expect(res.json<ErrorEventData>('error').retryable).toBe(true); // the code names the upstream failure (docs/api.md §1)
    const after = await until(async () => {
      const now = await MetricsScrape.of(generator);
      return now.value('chat_generation_attempts_total', '{result="failed"}') > before.value('chat_generation_attempts_total', '{result="failed"}') ? now : undefined;
    }, 10_000, 'the failed attempt counted');
    expect(after.value('chat_streams_total', '{outcome="error"}') - before.value('chat_streams_total', '{outcome="error"}')).toBe(1);
    expect(after.value('chat_generation_attempts_total', '{result="retried"}') - before.value('chat_generation_attempts_total', '{result="retried"}')).toBe(1);
  }, 60_000);
});
