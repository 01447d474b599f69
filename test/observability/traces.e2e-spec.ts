import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData } from '@app/contracts';
import { until } from '../support/until.js';
import { logLines } from '../support/log-lines.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { generationJobs } from '../support/queue-inspector.js';
import { readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

const tracingEnv = (receiver: OtlpReceiver): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '100',
});

const one = (spans: ReceivedSpan[], service: string, name: string, where: (s: ReceivedSpan) => boolean = () => true): ReceivedSpan[] =>
  spans.filter((s) => s.service === service && s.name === name && where(s));

describe('traces (OTLP/HTTP JSON)', () => {
  let receiver: OtlpReceiver;
  let stack: TestStack;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    stack = await TestStack.start({ env: { ...tracingEnv(receiver), LOG_LEVEL: 'info' } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  }, 30_000);

  it('one trace per turn: gateway request, admission and enqueue, the generator job and provider call, history writes', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'What is JSON?', user_id: 'trace-user' } });
    const meta = res.json<MetaEventData>('meta');
    expect(res.json<DoneEventData>('done').status).toBe('completed');

    // Every step's span has arrived: the two history writes (turn started, turn finished) come last.
    const spans = await until(
      async () => {
        const of = receiver.ofStream(meta.stream_id);
        // Both attempts record the turn's start; the retry's finish is written last.
        const finished = one(of, 'history', 'history write', (s) => s.attributes['history.event'] === 'turn-finished');
        return one(of, 'history', 'history write').length >= 2 && finished.length >= 1 && one(of, 'generator', 'generation attempt').length >= 1 && of;
      },
      20_000,
      'the spans of the turn',
    );
    const [turn] = one(spans, 'gateway', 'chat turn');
    const [admission] = one(spans, 'gateway', 'admission');
    const [enqueue] = one(spans, 'gateway', 'enqueue generation');
    const [attempt] = one(spans, 'generator', 'generation attempt');
    const [provider] = one(spans, 'generator', 'provider reply');
    const writes = one(spans, 'history', 'history write');
    for (const span of [turn, admission, enqueue, attempt, provider, ...writes]) {
      expect(span).toBeDefined();
      expect(span.traceId).toBe(turn.traceId);
      expect(span.attributes).toMatchObject({ stream_id: meta.stream_id, session_id: meta.session_id });
    }
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([turn.traceId]));
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['gateway', 'generator', 'history']));

    expect(turn.parentSpanId).toBe(''); // the root
    expect(admission.parentSpanId).toBe(turn.spanId);
    expect(enqueue.parentSpanId).toBe(turn.spanId);
    expect(attempt.parentSpanId).toBe(enqueue.spanId);
    expect(attempt.attributes['job.attempt']).toBe(1);
    expect(provider.parentSpanId).toBe(attempt.spanId);
    expect(writes.map((w) => w.attributes['history.event']).sort()).toEqual(['turn-finished', 'turn-started']);
    for (const write of writes) expect(write.parentSpanId).toBe(attempt.spanId);

    // The log lines of the turn carry its trace id.
    const started = logLines(stack.gateway.logs).find((line) => line.msg === 'stream started' && line.stream_id === meta.stream_id);
    expect(started).toMatchObject({ trace_id: turn.traceId, session_id: meta.session_id });
    const finished = logLines(stack.generators[0].logs).find((line) => line.msg === 'turn finished' && line.stream_id === meta.stream_id);
    expect(finished).toMatchObject({ trace_id: turn.traceId, session_id: meta.session_id });
  }, 60_000);
});

describe('traces of a turn whose generator was killed mid-stream (SIGKILL)', () => {
  let receiver: OtlpReceiver;
  let stack: TestStack;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    stack = await TestStack.start({ generators: 2, env: { ...tracingEnv(receiver), PACING_MS: '30' } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  }, 30_000);

  it('both attempts are children of the gateway enqueue, in the one trace', async () => {
    let streamId: string | undefined;
    let killed = false;
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
      body: { message: 'How do I configure the Redis connection?', user_id: 'trace-crash' },
      timeoutMs: 60_000,
      stopWhen: (events) => {
        const m = events.find((e) => e.event === 'meta');
        if (m) streamId ??= (JSON.parse(m.data) as MetaEventData).stream_id;
        // Killed once the first attempt's finished steps are exported: its own span never will be.
        const chunks = events.filter((e) => e.event === undefined).length;
        if (!killed && streamId && chunks >= 8 && one(receiver.ofStream(streamId), 'generator', 'prepare input').length > 0) {
          killed = true;
          void generationJobs(stack.redis.url, stack.env.REDIS_PREFIX, [streamId]).then(([job]) => {
            return stack.generators.find((g) => job.processedBy?.endsWith(`-${g.pid}`))?.kill();
          });
        }
        return false;
      },
    });
    expect(killed).toBe(true);
    expect(res.json<DoneEventData>('done').status).toBe('completed');
    const meta = res.json<MetaEventData>('meta');

    const spans = await until(
      async () => {
        const of = receiver.ofStream(meta.stream_id);
        // Both attempts record the turn's start; the retry's finish is written last.
        const finished = one(of, 'history', 'history write', (s) => s.attributes['history.event'] === 'turn-finished');
        return one(of, 'history', 'history write').length >= 2 && finished.length >= 1 && one(of, 'generator', 'generation attempt').length >= 1 && of;
      },
      20_000,
      'the spans of the retried turn',
    );
    const [enqueue] = one(spans, 'gateway', 'enqueue generation');
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([enqueue.traceId]));

    // The second attempt (the surviving generator): a child of the enqueue, as the first was.
    const [retry] = one(spans, 'generator', 'generation attempt');
    expect(retry.attributes['job.attempt']).toBe(2);
    expect(retry.parentSpanId).toBe(enqueue.spanId);
    // The first attempt died with its process, its own span unexported; what it finished names it as parent.
    const [prepare] = one(spans, 'generator', 'prepare input');
    const firstAttemptId = prepare.parentSpanId;
    expect(firstAttemptId).not.toBe(retry.spanId);
    expect(prepare.instance).not.toBe(retry.instance);
    const [startedWrite] = one(spans, 'history', 'history write', (s) => s.attributes['history.event'] === 'turn-started' && s.parentSpanId === firstAttemptId);
    expect(startedWrite).toBeDefined();
    const finishedWrites = one(spans, 'history', 'history write', (s) => s.attributes['history.event'] === 'turn-finished');
    expect(finishedWrites.map((w) => w.parentSpanId)).toContain(retry.spanId);
    const [retryProvider] = one(spans, 'generator', 'provider reply', (s) => s.parentSpanId === retry.spanId);
    expect(retryProvider).toBeDefined();
  }, 90_000);
});

describe('spans still buffered at SIGTERM', () => {
  let receiver: OtlpReceiver;
  let stack: TestStack;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    // A minute between scheduled exports: only the shutdown's flush can send this turn's spans.
    stack = await TestStack.start({ env: { ...tracingEnv(receiver), OTEL_BSP_SCHEDULE_DELAY: '60000' } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  }, 30_000);

  it('are exported when the services stop', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'What is JSON?', user_id: 'flushed' } });
    const meta = res.json<MetaEventData>('meta');
    expect(res.json<DoneEventData>('done').status).toBe('completed');
    expect(receiver.ofStream(meta.stream_id)).toEqual([]);
    await Promise.all([stack.gateway.stop(), stack.generators[0].stop()]);
    await stack.history.stop();
    const services = new Set(receiver.ofStream(meta.stream_id).map((s) => s.service));
    expect(services).toEqual(new Set(['gateway', 'generator', 'history']));
  }, 60_000);
});

describe('tracing off (no OTEL_* set)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start();
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('carries no trace context in the job and logs no trace id', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'What is JSON?', user_id: 'untraced' } });
    const meta = res.json<MetaEventData>('meta');
    expect(res.json<DoneEventData>('done').status).toBe('completed');
    const [job] = await generationJobs(stack.redis.url, stack.env.REDIS_PREFIX, [meta.stream_id]);
    expect(job.data.traceparent).toBeUndefined();
    expect(Object.keys(job.data)).not.toContain('traceparent');
    expect(stack.gateway.logs.join('')).not.toContain('trace_id');
  }, 60_000);
});
