import { historyMetrics } from '../metrics/history-metrics.js';

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces writes: the items that arrive while one batch is being written go together into the
 * next, so N jobs in hand cost one transaction instead of N. Batches run one at a time, in order
 * of arrival, and each caller gets its own item's result. When no batch is in flight, the first
 * item waits `lingerMs` for others to join it: a transaction costs about the same for one item as
 * for ten, and without that wait a steady trickle of jobs would get a transaction each.
 */
export class WriteBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private draining = false;
  private lingering?: NodeJS.Timeout;

  /**
   * @param writeBatch writes the items in one transaction and returns one result per item, in
   *   order. It must be idempotent: the items of a failed batch are written again one by one.
   * @param maxBatch the most items written in one batch.
   * @param lingerMs how long the first item of an idle batcher waits for company (0: until the
   *   end of the current tick only).
   */
  constructor(
    private readonly writeBatch: (items: readonly T[]) => Promise<R[]>,
    private readonly maxBatch = 100,
    private readonly lingerMs = 0,
  ) {}

  write(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.lingering && this.pending.length >= this.maxBatch) return this.drainNow();
      if (this.draining) return;
      this.draining = true;
      // Writes issued in the same tick always share the first batch.
      if (this.lingerMs > 0) this.lingering = setTimeout(() => this.drainNow(), this.lingerMs);
      else queueMicrotask(() => void this.drain());
    });
  }

  /** Ends the wait: the batch is full, or the wait is over. */
  private drainNow(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    void this.drain();
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
