import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

/**
 * One timer for every stream of this process. Chunks due in the same millisecond wake together,
 * in one timer callback, so their Redis writes leave in one socket write (ioredis
 * auto-pipelining) instead of one timer and one write per chunk. Hundreds of streams paced at
 * 30 ms then cost tens of timer wake-ups per 30 ms, not hundreds.
 */
@Injectable()
export class PacingClock implements OnApplicationShutdown {
  /** Wake-ups by the millisecond (performance.now() time base) they are due in. */
  private readonly slots = new Map<number, Array<() => void>>();
  private timer?: NodeJS.Timeout;
  private armedFor = Infinity;
  /** Timer callbacks so far: far fewer than wake-ups when streams share them. */
  firings = 0;

  /** Calls `wake` once `dueAt` (a performance.now() time) has come, within about a millisecond. */
  at(dueAt: number, wake: () => void): void {
    const slot = Math.ceil(dueAt);
    const list = this.slots.get(slot);
    if (list) list.push(wake);
    else this.slots.set(slot, [wake]);
    if (slot < this.armedFor) this.arm(slot);
  }

  /** Wake-ups waiting (for tests and metrics). */
  get pending(): number {
    let count = 0;
    for (const list of this.slots.values()) count += list.length;
    return count;
  }

  private arm(slot: number): void {
    clearTimeout(this.timer);
    this.armedFor = slot;
    this.timer = setTimeout(this.fire, Math.max(0, slot - performance.now()));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    this.firings += 1;
    // Half a millisecond early is on time: the timer's own resolution is one millisecond.
    const now = performance.now() + 0.5;
    let next = Infinity;
    // At most one slot per millisecond of the pacing interval is pending, so this loop is short.
    for (const [slot, list] of this.slots) {
      if (slot > now) {
        if (slot < next) next = slot;
        continue;
      }
      this.slots.delete(slot);
      for (const wake of list) wake();
    }
    if (next < this.armedFor) this.arm(next);
  };

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }
}
