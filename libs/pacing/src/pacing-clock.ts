import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/platform';

/**
 * One timer for every stream of this process. Chunks due in the same slot of `resolutionMs` wake
 * together, in one timer callback, so their Redis writes leave in one socket write (a command
 * connection sends a tick's commands together) instead of one timer and one write per chunk: on loopback each write costs
 * tens of microseconds of CPU on both sides. With a resolution that divides the pacing interval,
 * a stream's chunks all fall in the same phase of their slot, so its gaps stay exactly the
 * interval; the price is at most one slot of added latency on every chunk but the first.
 */
@Injectable()
export class PacingClock implements OnApplicationShutdown {
  readonly resolutionMs: number;
  /** Wake-ups by the slot (its end, in the performance.now() time base) they are due in. */
  private readonly slots = new Map<number, Array<() => void>>();
  private timer?: NodeJS.Timeout;
  private armedFor = Infinity;

  /**
   * Three slots per pacing interval: 10 ms at the default 30 ms. Six (5 ms) sent twice the socket
   * writes for the same chunks: with three, the generator's CPU per turn fell by 5-8% and Redis's
   * by 3-8% under ~250 open streams (docs/benchmarks.md item 40), for 5 ms more at most on a
   * chunk (not the first, which goes at once; a stream's gaps stay the interval).
   */
  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'PACING_MS'>) {
    this.resolutionMs = Math.max(1, Math.floor(config.PACING_MS / 3));
  }
  /** Timer callbacks so far: far fewer than wake-ups when streams share them. */
  firings = 0;

  /** Calls `wake` once `dueAt` (a performance.now() time) has come, at most one slot late. */
  at(dueAt: number, wake: () => void): void {
    const slot = Math.ceil(dueAt / this.resolutionMs) * this.resolutionMs;
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
    // At most one slot per resolution step of the pacing interval is pending: a short loop.
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
