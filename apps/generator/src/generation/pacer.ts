import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Schedules chunk k at start + k × interval (the first at once), not by chaining timers, so a
 * late tick does not delay every later one; a chunk that is already late goes out at once.
 */
export class Pacer {
  private readonly start = performance.now();
  private index = 0;

  constructor(private readonly intervalMs: number) {}

  async next(signal: AbortSignal): Promise<void> {
    const due = this.start + this.index * this.intervalMs;
    this.index += 1;
    const wait = due - performance.now();
    if (signal.aborted) throw signal.reason;
    if (wait <= 0.5) return;
    try {
      await sleep(wait, undefined, { signal });
    } catch (err) {
      // The caller wants the reason it aborted with, not the timer's generic AbortError.
      throw signal.aborted ? signal.reason : err;
    }
  }
}
