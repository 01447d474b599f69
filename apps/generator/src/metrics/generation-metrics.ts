import { counter, histogram, LATENCY_BUCKETS } from '@app/platform';

/** How turns end and how the generation queue treats them (docs/api.md §7). */
export const generationMetrics = {
  streams: counter({
    name: 'chat_streams_total',
    help: 'Streams ended by this generator, by outcome',
    labelNames: ['outcome'] as const,
  }),
  tokensPerSecond: histogram({
    name: 'chat_stream_tokens_per_second',
    help: 'Chunks (words) per second of a finished stream, request to done',
    buckets: [1, 5, 10, 15, 20, 25, 30, 35, 40, 50, 75, 100, 200],
  }),
  queueWait: histogram({
    name: 'chat_generation_queue_wait_seconds',
    help: 'Enqueue to the first attempt becoming active',
    buckets: LATENCY_BUCKETS,
  }),
  stalled: counter({ name: 'chat_generation_jobs_stalled_total', help: 'Generation jobs found stalled (their worker died or blocked past its lock)' }),
  attempts: counter({
    name: 'chat_generation_attempts_total',
    help: 'Generation attempts by result: completed, retried (failed, another attempt follows) or failed (the last one)',
    labelNames: ['result'] as const,
  }),
};

// Every outcome and result is a series from the start, at 0: a rate over them is 0, not "no data".
for (const outcome of ['completed', 'cancelled', 'error']) generationMetrics.streams.inc({ outcome }, 0);
for (const result of ['completed', 'retried', 'failed']) generationMetrics.attempts.inc({ result }, 0);
