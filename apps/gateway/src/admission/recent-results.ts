import { deepFreeze } from '@app/platform';
import { LRUCache } from 'lru-cache';

/** How many distinct inputs are remembered, and the longest input (in characters) that is. */
const MAX_ENTRIES = 1_000;
const MAX_KEY_CHARS = 2_048;

/**
 * The results of a pure function of a request's text (the input guardrails' verdict, the
 * response cache's key), remembered for the inputs seen lately. A cache hit is by nature a
 * message sent before, and on it these steps were the largest part of the gateway's own work
 * before the first chunk: code that runs once per request is cold in the CPU's caches each time,
 * so in the running service they cost about ten times what they cost in a tight loop (measured:
 * 190 µs against 16 µs). Long inputs are not kept (their memory would outweigh the saving), and
 * every result is frozen, since callers share it.
 */
export class RecentResults<V extends object> {
  private readonly results = new LRUCache<string, V>({ max: MAX_ENTRIES });

  /** `compute()`'s result for `key`, computed once while `key` stays among the recent ones. */
  get(key: string, compute: () => V): V {
    if (key.length > MAX_KEY_CHARS) return compute();
    let result = this.results.get(key);
    if (result === undefined) {
      result = deepFreeze(compute());
      this.results.set(key, result);
    }
    return result;
  }
}
