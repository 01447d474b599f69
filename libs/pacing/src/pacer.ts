import type { PacingClock } from './pacing-clock.js';

/**
 * Paces one stream: chunk k is due at start + k × interval (the first at once), not by chaining
 * timers, so a late tick does not delay every later one; a chunk that is already late goes out at
 * once. The waiting itself is done by the process's shared clock.
 */
export class Pacer {
  private readonly start = performance.now();
  private index = 0;
  private waiting?: { resolve: () => void; reject: (reason: unknown) => void };

  /** `signal`: a cancel that ends the current wait at once; a stream that cannot be aborted has none. */
  constructor(
    private readonly intervalMs: number,
    private readonly clock: PacingClock,
    private readonly signal?: AbortSignal,
  ) {
    // One listener for the whole stream, not one per chunk.
    signal?.addEventListener('abort', this.abort, { once: true });
  }

  next(): Promise<void> {
    if (this.signal?.aborted) return Promise.reject(this.signal.reason);
    const due = this.nextDue();
    if (due === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.clock.at(due, this.wake);
    });
  }

  /**
   * `next()` for a loop driven by callbacks: calls `wake` when the next chunk is due, at once
   * (before returning) when it already is. No promise per chunk; a pacer used this way ignores
   * its abort signal.
   */
  whenDue(wake: () => void): void {
    const due = this.nextDue();
    if (due === undefined) wake();
    else this.clock.at(due, wake);
  }

  /** When the next chunk is due (performance.now() time), or undefined when it is due now. */
  private nextDue(): number | undefined {
    const due = this.start + this.index * this.intervalMs;
    this.index += 1;
    return due - performance.now() <= 0.5 ? undefined : due;
  }

  /** Call when the stream is done with its pacer. */
  dispose(): void {
    this.signal?.removeEventListener('abort', this.abort);
  }

  private readonly wake = (): void => {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve();
  };

  private readonly abort = (): void => {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.signal?.reason);
  };
}
