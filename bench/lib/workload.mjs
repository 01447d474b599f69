// The benchmark's one question and its pacing, shared by the sweep (run.mjs) and the A/B
// (compare.mjs), so that both measure the same streams.
export const MESSAGE = 'How do I configure the Redis connection?';
export const PACING_MS = 30;

/** What a level runs: `reply` is the stack's answer to MESSAGE (reply-probe.mjs). */
export function workloadFor(reply, rampMs) {
  return { message: MESSAGE, expectChunks: reply.words.length, pacingMs: PACING_MS, rampMs };
}
