import { describe, expect, it } from '@jest/globals';
import { turnStats } from './turn-stats.js';

describe('turnStats', () => {
  it('times the turn from the request and rates tokens per second to one decimal', () => {
    expect(turnStats({ receivedAtMs: 1_000, firstChunkAt: 1_012, finishedAt: 4_000 }, 100)).toEqual({
      ttft_ms: 12,
      duration_ms: 3_000,
      tokens: 100,
      tokens_per_sec: 33.3,
    });
  });

  it('reports no first chunk as 0 ms and a zero-length turn as 0 tokens per second', () => {
    expect(turnStats({ receivedAtMs: 5, finishedAt: 5 }, 0)).toEqual({ ttft_ms: 0, duration_ms: 0, tokens: 0, tokens_per_sec: 0 });
  });
});
