import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived its last full collection, in %.
 *
 * Each open stream keeps about 20 KB alive in the gateway, but its start (request parsing,
 * validation, the open script, the enqueue) and its chunks leave short-lived objects that are
 * still in flight when the young generation is collected, so they are promoted and wait for the
 * next full collection. V8's default growth factor (chosen per heap, up to ×4 for a small one)
 * lets that garbage pile up: measured in the benchmark, the gateway's RSS grew 60–79 KB per open
 * stream. Capped at 25%, it grows 20–32 KB per stream, for no CPU difference measurable in the
 * same runs (docs/benchmarks.md).
 */
const HEAP_GROWING_PERCENT = 25;

/** Applies the cap unless the operator chose a value on node's command line. */
export function limitHeapGrowth(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
