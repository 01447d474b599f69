import { historyMetrics } from '../metrics/history-metrics.js';

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces writes: the items issued in the same tick, and those that arrive while one batch is
 * being written, go together into one batch, so N items in hand cost one transaction instead of
 * N. Batches run one at a time, in order of arrival, and each caller gets its own item's result.
 * (How long to wait for company is the caller's choice: the turn events consumer hands over what
 * arrived within `HISTORY_BATCH_WAIT_MS` at once.)
 */
export class WriteBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private draining = false;

  /**
   * @param writeBatch writes the items in one transaction and returns one result per item, in
   *   order. It must be idempotent: the items of a failed batch are written again one by one.
   * @param maxBatch the most items written in one batch.
   */
  constructor(
    private readonly writeBatch: (items: readonly T[]) => Promise<R[]>,
    private readonly maxBatch = 100,
  ) {}

  write(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // Writes issued in the same tick share the first batch.
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) await this.flush(this.pending.splice(0, this.maxBatch));
    this.draining = false;
  }

  /** Never throws: every item's promise is settled here. */
  private async flush(batch: Pending<T, R>[]): Promise<void> {
    try {
      const started = performance.now();
      const results = await this.writeBatch(batch.map((p) => p.item));
      historyMetrics.writeSeconds.observe((performance.now() - started) / 1000);
      historyMetrics.batchSize.observe(batch.length);
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      // One bad item must not fail the others: write each on its own.
      for (const p of batch) {
        await this.writeBatch([p.item]).then(([result]) => p.resolve(result), p.reject);
      }
    }
  }
}
