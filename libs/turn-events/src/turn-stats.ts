import type { StreamStats } from '@app/contracts';

/**
 * A finished turn's `stats`, the same for a generated and a cached reply: times from when the
 * gateway received the request, tokens as the chunks sent.
 */
export function turnStats(timing: { receivedAtMs: number; firstChunkAt?: number; finishedAt: number }, tokens: number): StreamStats {
  const durationMs = timing.finishedAt - timing.receivedAtMs;
  return {
    ttft_ms: timing.firstChunkAt ? timing.firstChunkAt - timing.receivedAtMs : 0,
    duration_ms: durationMs,
    tokens,
    tokens_per_sec: durationMs > 0 ? Math.round((tokens / durationMs) * 10_000) / 10 : 0,
  };
}
