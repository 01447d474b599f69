// Order statistics over large arrays of samples (hundreds of thousands of gaps per level).

/** Nearest-rank percentile of an ascending-sorted typed array; NaN when empty. */
export function percentileSorted(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** p50/p90/p99/p99.9/max/mean of the first `count` values of a Float64Array (sorted in place). */
export function summarize(values, count = values.length) {
  const sorted = values.subarray(0, count).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i];
  return {
    count,
    mean: count ? sum / count : Number.NaN,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    p999: percentileSorted(sorted, 99.9),
    max: count ? sorted[count - 1] : Number.NaN,
  };
}

/** A Float64Array that grows by doubling, so the hot path never allocates per sample. */
export class SampleBuffer {
  constructor(initial = 1024) {
    this.values = new Float64Array(initial);
    this.length = 0;
  }

  push(value) {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }

  summary() {
    return summarize(this.values, this.length);
  }
}

export const round = (value, digits = 1) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : null);

/** Nearest-rank percentile of unsorted values (a sorted copy is made). */
export const percentile = (values, p) => percentileSorted([...values].sort((a, b) => a - b), p);

/** The median of unsorted values. */
export const median = (values) => percentile(values, 50);
