import type { StreamStats } from './api-types';

/** Live figures of a reply being streamed, measured in the browser. */
export interface LiveStats {
  /** From sending the request to the first text chunk; null when unknown (a resumed stream). */
  ttftMs: number | null;
  tokens: number;
  tokensPerSec: number;
}

/** Measures time to first token and throughput as chunks arrive. */
export class StreamMeter {
  private firstAt: number | null = null;
  private tokens = 0;

  constructor(
    private readonly startedAt: number,
    /** False for a resumed stream: its start was before this page existed. */
    private readonly knowsStart = true,
  ) {}

  chunk(now: number): LiveStats {
    this.firstAt ??= now;
    this.tokens += 1;
    return this.snapshot(now);
  }

  snapshot(now: number): LiveStats {
    const since = this.knowsStart ? this.startedAt : (this.firstAt ?? now);
    const seconds = Math.max((now - since) / 1000, 0.001);
    return {
      ttftMs: this.knowsStart && this.firstAt !== null ? Math.round(this.firstAt - this.startedAt) : null,
      tokens: this.tokens,
      tokensPerSec: this.tokens > 1 || this.knowsStart ? this.tokens / seconds : 0,
    };
  }
}

/** The server's figures of a finished turn (`done.stats`), in the live shape. */
export function statsFromServer(stats: StreamStats): LiveStats {
  return { ttftMs: stats.ttft_ms, tokens: stats.tokens, tokensPerSec: stats.tokens_per_sec };
}
