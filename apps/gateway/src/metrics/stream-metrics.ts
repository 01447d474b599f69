import { counter, gauge, histogram, hotHistogram, LATENCY_BUCKETS } from '@app/platform';

/** What a client of this gateway sees of its streams (docs/api.md §7). */
export const streamMetrics = {
  ttft: histogram({
    name: 'chat_stream_ttft_seconds',
    help: 'Request received to first chunk written, on the connection that started the stream',
    buckets: LATENCY_BUCKETS,
  }),
  // Around the pacing interval (30 ms by default): a stutter shows in the upper buckets. Observed
  // for every chunk of every stream, so without prom-client's allocations per observation.
  chunkGap: hotHistogram({
    name: 'chat_stream_chunk_gap_seconds',
    help: 'Time between two chunks written to one client',
    buckets: [0.005, 0.01, 0.02, 0.025, 0.03, 0.035, 0.045, 0.06, 0.1, 0.25, 1, 5],
  }),
  active: gauge({ name: 'chat_streams_active', help: 'Client connections this gateway is streaming to' }),
};

/** Lookups of the response cache, by what they found (turns the cache may not answer are not counted). */
export const replyCacheLookups = counter({
  name: 'chat_reply_cache_lookups_total',
  help: 'Response cache lookups of stream starts, by result (hit, miss)',
  labelNames: ['result'] as const,
});
