import { histogram, LATENCY_BUCKETS } from '@app/platform';

/** Whether history keeps up (docs/api.md §7). */
export const historyMetrics = {
  writeSeconds: histogram({
    name: 'chat_history_write_seconds',
    help: 'Time to write one batch of turn events to the database (one transaction)',
    buckets: LATENCY_BUCKETS,
  }),
  batchSize: histogram({
    name: 'chat_history_batch_size',
    help: 'Turn events written together in one transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100],
  }),
};
